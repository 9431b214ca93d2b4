import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledFailure, TerminatedFailure, WorkflowFailedError } from '@temporalio/client';
import { EventType, activities, eventNames, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker, type HistoryEvent } from './helpers';
import * as interactionActivities from './interaction-activities';
import { cancelHeartbeatingActivity, cancellableWithCleanup, waitForFinish } from './workflows';

const env = useHourglassServer();
const allActivities = { ...activities, ...interactionActivities };

function eventTimeMs(e: HistoryEvent | undefined): number {
  const t = e?.eventTime;
  if (!t) return NaN;
  const s = typeof t.seconds === 'number' ? t.seconds : Number(t.seconds?.toString() ?? 0);
  return s * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

describe('cancellation and termination', () => {
  test('a cancelled workflow runs its non-cancellable cleanup, then fails with WorkflowFailedError caused by CancelledFailure', async (t) => {
    const taskQueue = uniqueName(t);
    const workflowId = taskQueue;
    const err = await withWorker(env, { taskQueue, activities: allActivities }, async () => {
      const handle = await env.client.workflow.start(cancellableWithCleanup, { taskQueue, workflowId });
      await waitFor('the long activity to start', () => (interactionActivities.interactionExecutions.get(workflowId) ? true : undefined));
      await handle.cancel();
      return rejectionOf(handle.result(), 'a cancelled workflow');
    });
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
    assert.ok(err.cause instanceof CancelledFailure, `expected CancelledFailure cause, got ${String(err.cause)}`);
    assert.equal(interactionActivities.interactionExecutions.get(`cleanup:${workflowId}`), 1, 'the cleanup activity must run exactly once');

    const handle = env.client.workflow.getHandle(workflowId);
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
    const names = eventNames((await handle.fetchHistory()).events);
    const requested = names.indexOf('EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED');
    const cleanupCompleted = names.lastIndexOf('EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
    const canceled = names.indexOf('EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED');
    assert.ok(requested >= 0 && requested < cleanupCompleted && cleanupCompleted < canceled, `history: ${names.join(', ')}`);
    assert.equal(names.at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED');
  });

  test('a heartbeating activity observes its cancellation within two heartbeats (WAIT_CANCELLATION_COMPLETED)', async (t) => {
    const taskQueue = uniqueName(t);
    const workflowId = taskQueue;
    // The SDK throttles heartbeats to 80% of the heartbeat timeout by default; let every 200 ms heartbeat through.
    const result = await withWorker(env, { taskQueue, activities: allActivities, maxHeartbeatThrottleInterval: '200ms' }, () =>
      env.client.workflow.execute(cancelHeartbeatingActivity, { taskQueue, workflowId, args: [500] }),
    );
    assert.deepEqual(result, { cancelled: true, error: 'ActivityFailure', cause: 'CancelledFailure' });

    const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const names = eventNames(events);
    const requestedIdx = names.indexOf('EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED');
    const canceledIdx = names.indexOf('EVENT_TYPE_ACTIVITY_TASK_CANCELED');
    const completedIdx = names.indexOf('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    assert.ok(requestedIdx >= 0 && requestedIdx < canceledIdx, `history: ${names.join(', ')}`);
    assert.ok(canceledIdx < completedIdx, `with WAIT_CANCELLATION_COMPLETED the workflow waits for ACTIVITY_TASK_CANCELED; history: ${names.join(', ')}`);

    const requestedAt = eventTimeMs(events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED));
    const observedAt = interactionActivities.cancellationObservedAt.get(workflowId);
    assert.ok(observedAt !== undefined, 'the activity never observed its cancellation');
    const lag = observedAt - requestedAt;
    assert.ok(lag >= -50 && lag <= 2 * 200 + 150, `the activity noticed the cancellation ${lag}ms after it was requested`);
  });

  test('terminate ends the workflow: result() fails with WorkflowFailedError caused by TerminatedFailure, status TERMINATED', async (t) => {
    const taskQueue = uniqueName(t);
    const err = await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(waitForFinish, { taskQueue, workflowId: taskQueue });
      await waitFor('the first workflow task', async () =>
        eventNames((await handle.fetchHistory()).events).includes('EVENT_TYPE_WORKFLOW_TASK_COMPLETED') ? true : undefined,
      );
      await handle.terminate('reason');
      return rejectionOf(handle.result(), 'a terminated workflow');
    });
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
    assert.ok(err.cause instanceof TerminatedFailure, `expected TerminatedFailure cause, got ${String(err.cause)}`);
    assert.equal(err.cause.message, 'reason');
    const handle = env.client.workflow.getHandle(taskQueue);
    assert.equal((await handle.describe()).status.name, 'TERMINATED');
    const events = (await handle.fetchHistory()).events ?? [];
    const last = events.at(-1);
    assert.equal(eventNames(events).at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED');
    assert.equal(last?.workflowExecutionTerminatedEventAttributes?.reason, 'reason');
  });
});
