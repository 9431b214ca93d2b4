import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { EventType, countEvents, eventNames, rejectionOf, uniqueName, useHourglassServer, withWorker } from './helpers';
import { countUpAsNew, failUntilAttempt } from './workflows';

const env = useHourglassServer();

function durationMs(d: { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined): number {
  if (!d) return 0;
  return Number(d.seconds?.toString() ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

describe('continue-as-new', () => {
  test('a workflow that continues as new 10 times returns the last run’s result through the first handle', async (t) => {
    const taskQueue = uniqueName(t);
    const workflowId = taskQueue;
    const { first, result } = await withWorker(env, { taskQueue }, async () => {
      const first = await env.client.workflow.start(countUpAsNew, { taskQueue, workflowId, args: [0, 10] });
      return { first, result: await first.result() };
    });
    assert.equal(result.n, 10, 'the result is the one of the 11th run');
    assert.notEqual(result.runId, first.firstExecutionRunId, 'the last run is a new run');
    assert.equal(result.firstExecutionRunId, first.firstExecutionRunId, 'every run of the chain knows the first run ID');
    assert.ok(result.continuedFromExecutionRunId, 'the last run knows the run it continued from');

    const firstHistory = (await env.client.workflow.getHandle(workflowId, first.firstExecutionRunId).fetchHistory()).events;
    const names = eventNames(firstHistory);
    assert.equal(names.at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW', `first run history: ${names.join(', ')}`);
    const can = firstHistory?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    assert.ok(can?.newExecutionRunId, 'the continued-as-new event names the next run');
    assert.equal(countEvents(firstHistory, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED), 0);

    const firstDescription = await env.client.workflow.getHandle(workflowId, first.firstExecutionRunId).describe();
    assert.equal(firstDescription.status.name, 'CONTINUED_AS_NEW');

    const latest = await env.client.workflow.getHandle(workflowId).describe();
    assert.equal(latest.status.name, 'COMPLETED');
    assert.equal(latest.runId, result.runId, 'the workflow ID now resolves to the last run');
    assert.notEqual(latest.runId, first.firstExecutionRunId);
    const firstRunId = latest.raw.workflowExecutionInfo?.firstRunId;
    if (firstRunId) assert.equal(firstRunId, first.firstExecutionRunId, 'describe of the last run reports the first run of the chain');

    const lastHistory = (await env.client.workflow.getHandle(workflowId, result.runId).fetchHistory()).events;
    const started = lastHistory?.[0]?.workflowExecutionStartedEventAttributes;
    assert.equal(started?.firstExecutionRunId, first.firstExecutionRunId);
    assert.equal(started?.continuedExecutionRunId, result.continuedFromExecutionRunId);
    assert.equal(eventNames(lastHistory).at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
  });
});

describe('workflow retry policy', () => {
  test('a workflow failing on attempts 1 and 2 is retried as new runs and succeeds on attempt 3', async (t) => {
    const taskQueue = uniqueName(t);
    const workflowId = taskQueue;
    const { first, attempt } = await withWorker(env, { taskQueue }, async () => {
      const first = await env.client.workflow.start(failUntilAttempt, {
        taskQueue,
        workflowId,
        args: [3],
        retry: { maximumAttempts: 3, initialInterval: '100ms' },
      });
      return { first, attempt: await first.result() };
    });
    assert.equal(attempt, 3);

    const firstHistory = (await env.client.workflow.getHandle(workflowId, first.firstExecutionRunId).fetchHistory()).events;
    const names = eventNames(firstHistory);
    assert.equal(names.at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED', `first run history: ${names.join(', ')}`);
    assert.ok(firstHistory?.at(-1)?.workflowExecutionFailedEventAttributes?.newExecutionRunId, 'the failed attempt names the retry run');

    const latest = await env.client.workflow.getHandle(workflowId).describe();
    assert.equal(latest.status.name, 'COMPLETED');
    assert.notEqual(latest.runId, first.firstExecutionRunId, 'the successful attempt is a different run');
    const lastHistory = (await env.client.workflow.getHandle(workflowId, latest.runId).fetchHistory()).events;
    const started = lastHistory?.[0]?.workflowExecutionStartedEventAttributes;
    assert.equal(started?.attempt, 3);
    assert.equal(started?.firstExecutionRunId, first.firstExecutionRunId);
    assert.ok(durationMs(started?.firstWorkflowTaskBackoff) > 0, 'a retry run waits for its backoff before its first workflow task');
  });

  test('a workflow that still fails on its last allowed attempt fails with WorkflowFailedError', async (t) => {
    const taskQueue = uniqueName(t);
    const err = await withWorker(env, { taskQueue }, () =>
      rejectionOf(
        env.client.workflow.execute(failUntilAttempt, {
          taskQueue,
          workflowId: taskQueue,
          args: [3],
          retry: { maximumAttempts: 2, initialInterval: '100ms' },
        }),
        'a workflow that exhausts its retries',
      ),
    );
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
    assert.ok(err.cause instanceof ApplicationFailure, `expected ApplicationFailure cause, got ${String(err.cause)}`);
    assert.equal(err.cause.message, 'failing on attempt 2', 'the failure is the one of the last attempt');
    const latest = await env.client.workflow.getHandle(taskQueue).describe();
    assert.equal(latest.status.name, 'FAILED');
    const { events } = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    assert.equal(events?.[0]?.workflowExecutionStartedEventAttributes?.attempt, 2);
    assert.ok(!events?.at(-1)?.workflowExecutionFailedEventAttributes?.newExecutionRunId, 'the last attempt has no successor');
  });
});

describe('cron workflows', () => {
  test('a cron workflow is RUNNING but its first run waits for the next cron time before any workflow task', async (t) => {
    const taskQueue = uniqueName(t);
    const handle = await env.client.workflow.start('cronTarget', { taskQueue, workflowId: taskQueue, cronSchedule: '* * * * *' });
    try {
      const description = await handle.describe();
      assert.equal(description.status.name, 'RUNNING');
      const { events } = await handle.fetchHistory();
      assert.deepEqual(eventNames(events), ['EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'], 'no workflow task is scheduled before the cron time');
      const started = events?.[0]?.workflowExecutionStartedEventAttributes;
      assert.equal(started?.cronSchedule, '* * * * *');
      const backoff = durationMs(started?.firstWorkflowTaskBackoff);
      assert.ok(backoff > 0 && backoff <= 60_000, `firstWorkflowTaskBackoff should be within the next minute, got ${backoff}ms`);
    } finally {
      await handle.terminate('test cleanup').catch(() => undefined);
    }
  });
});
