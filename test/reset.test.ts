/**
 * ResetWorkflowExecution: the new run replays the base run's history up to the reset point, fails
 * the inherited workflow task with RESET_WORKFLOW, reapplies what came after (signals, updates) as
 * the request asks, and terminates the base run if it is still running. Request validation is in
 * reset-requests.test.ts, a reset across a server restart in reset-restart.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { EventType, eventNames, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { firstCompletedTaskId, historyOf, isCompletedTask, probeWithSignals, reset, settled } from './reset-fixtures';
import { resetMessageSignal, resetMessageUpdate, resetProbe, resetProbeParent, type ResetProbeResult } from './workflows';

const env = useHourglassServer();

const { ResetReapplyType, ResetReapplyExcludeType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

describe('ResetWorkflowExecution', () => {
  test('a running workflow reset to its first workflow task continues in a new run: the current run is terminated and its signals reapplied', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { base, baseRunId } = await probeWithSignals(env.client, taskQueue, 2, ['first']);
      const point = firstCompletedTaskId(await historyOf(base));
      const newRunId = await reset(env.client, env.namespace, {
        workflowExecution: { workflowId: taskQueue, runId: baseRunId },
        workflowTaskFinishEventId: Long.fromNumber(point),
      });
      assert.notEqual(newRunId, baseRunId);

      const baseHistory = await historyOf(base);
      const terminated = baseHistory.at(-1)?.workflowExecutionTerminatedEventAttributes;
      assert.ok(terminated, `the base run ends terminated: ${eventNames(baseHistory).join(', ')}`);
      assert.equal(terminated.reason, 'spec reset', 'the termination carries the reset reason');
      assert.equal(terminated.identity, 'history-resetter');

      const latest = env.client.workflow.getHandle<typeof resetProbe>(taskQueue);
      await latest.signal(resetMessageSignal, 'second');
      const result: ResetProbeResult = await latest.result();
      assert.equal(result.runId, newRunId, 'workflowInfo().runId is the new run');
      assert.deepEqual(result.messages, ['first', 'second'], 'the signal sent before the reset is reapplied');

      const resetHistory = await historyOf(env.client.workflow.getHandle(taskQueue, newRunId));
      const names = eventNames(resetHistory);
      assert.deepEqual(names.slice(0, point + 2), [
        ...eventNames(baseHistory.slice(0, point - 1)),
        'EVENT_TYPE_WORKFLOW_TASK_FAILED',
        'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
        'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      ]);
      const failed = resetHistory[point - 1]?.workflowTaskFailedEventAttributes;
      assert.equal(failed?.cause, WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW);
      assert.equal(failed?.baseRunId, baseRunId);
      assert.equal(failed?.newRunId, newRunId);
      assert.equal(failed?.failure?.message, 'spec reset');
      const started = resetHistory[0]?.workflowExecutionStartedEventAttributes;
      assert.equal(started?.originalExecutionRunId, baseRunId, 'the start event is the base run’s, as copied');
      assert.equal(started?.firstExecutionRunId, baseRunId);

      const description = await latest.describe();
      assert.equal(description.runId, newRunId, 'the workflow id now resolves to the new run');
      assert.equal(description.status.name, 'COMPLETED');
      assert.equal(description.raw.workflowExecutionInfo?.firstRunId, baseRunId, 'the new run keeps the chain’s first run id');
      const points = description.raw.workflowExecutionInfo?.autoResetPoints?.points ?? [];
      assert.ok(points.length > 0, 'Describe lists auto-reset points');
      assert.equal(points[0]?.runId, newRunId);
      assert.equal(Number(points[0]?.firstWorkflowTaskCompletedId), firstCompletedTaskId(resetHistory), 'at the new run’s first completed task');
      assert.equal(points[0]?.resettable, true);
      const baseDescription = await base.describe();
      assert.equal(baseDescription.status.name, 'TERMINATED');
      assert.equal(baseDescription.raw.workflowExtendedInfo?.resetRunId, newRunId, 'the base run names the run its reset created');
    });
  });

  test('a completed run may be reset: the new run draws different randomness (seeded from the new run id)', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { base, baseRunId } = await probeWithSignals(env.client, taskQueue, 1, ['only']);
      const first = await base.result();
      const point = firstCompletedTaskId(await historyOf(base));
      const newRunId = await reset(env.client, env.namespace, {
        workflowExecution: { workflowId: taskQueue, runId: baseRunId },
        workflowTaskFinishEventId: Long.fromNumber(point),
      });
      const second = await env.client.workflow.getHandle<typeof resetProbe>(taskQueue, newRunId).result();
      assert.equal(second.runId, newRunId);
      assert.notEqual(second.runId, first.runId);
      assert.deepEqual(second.messages, ['only']);
      assert.notEqual(second.uuid, first.uuid, 'uuid4() is seeded from the new run id');
      assert.equal((await base.describe()).status.name, 'COMPLETED', 'a closed base run is left as it was');
    });
  });

  test('resetReapplyType NONE drops the signals received after the reset point', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { base } = await probeWithSignals(env.client, taskQueue, 1, ['dropped']);
      await base.result();
      const point = firstCompletedTaskId(await historyOf(base));
      const newRunId = await reset(env.client, env.namespace, {
        workflowExecution: { workflowId: taskQueue },
        workflowTaskFinishEventId: Long.fromNumber(point),
        resetReapplyType: ResetReapplyType.RESET_REAPPLY_TYPE_NONE,
      });
      const latest = env.client.workflow.getHandle<typeof resetProbe>(taskQueue);
      const names = eventNames(await historyOf(env.client.workflow.getHandle(taskQueue, newRunId)));
      assert.equal(names.filter((n) => n === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED').length, 0, names.join(', '));
      assert.equal((await latest.describe()).status.name, 'RUNNING');
      await latest.signal(resetMessageSignal, 'after');
      assert.deepEqual((await latest.result()).messages, ['after']);
    });
  });

  test('an excluded signal type is not reapplied, while updates are reapplied as admitted and run again', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const base = await env.client.workflow.start(resetProbe, { taskQueue, workflowId: taskQueue, args: [3] });
      await base.signal(resetMessageSignal, 'signal');
      assert.equal(await base.executeUpdate(resetMessageUpdate, { args: ['update'] }), 2);
      const point = firstCompletedTaskId(await historyOf(base));
      const newRunId = await reset(env.client, env.namespace, {
        workflowExecution: { workflowId: taskQueue },
        workflowTaskFinishEventId: Long.fromNumber(point),
        resetReapplyExcludeTypes: [ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL],
      });
      const resetHandle = env.client.workflow.getHandle<typeof resetProbe>(taskQueue, newRunId);
      const names = eventNames(await historyOf(resetHandle));
      assert.ok(names.includes('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED'), names.join(', '));
      assert.ok(!names.includes('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED'), names.join(', '));
      await waitFor('the reapplied update to be accepted', async () =>
        eventNames(await historyOf(resetHandle)).includes('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED') ? true : undefined,
      );
      await resetHandle.signal(resetMessageSignal, 'a');
      await resetHandle.signal(resetMessageSignal, 'b');
      assert.deepEqual((await resetHandle.result()).messages, ['update', 'a', 'b']);
    });
  });

  test('a parent reset after its child started keeps the child (no parent close policy) and hears of its close in the new run', async (t) => {
    const taskQueue = uniqueName(t);
    const childId = `${taskQueue}-child`;
    await withWorker(env, { taskQueue }, async () => {
      const started = await env.client.workflow.start(resetProbeParent, { taskQueue, workflowId: taskQueue, args: [childId] });
      const base = env.client.workflow.getHandle(taskQueue, started.firstExecutionRunId);
      const history = await waitFor('the child to be started', async () => {
        const events = await historyOf(base);
        return events.some((e) => e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) && settled(events) ? events : undefined;
      });
      const point = Number(history.filter(isCompletedTask).at(-1)?.eventId);
      const newRunId = await reset(env.client, env.namespace, {
        workflowExecution: { workflowId: taskQueue },
        workflowTaskFinishEventId: Long.fromNumber(point),
      });
      const child = env.client.workflow.getHandle<typeof resetProbe>(childId);
      assert.equal((await base.describe()).status.name, 'TERMINATED');
      assert.equal((await child.describe()).status.name, 'RUNNING', 'the child outlives the run its parent’s reset terminated');
      await child.signal(resetMessageSignal, 'to the child');
      const result = await env.client.workflow.getHandle<typeof resetProbeParent>(taskQueue).result();
      assert.deepEqual(result.messages, ['to the child']);
      const names = eventNames(await historyOf(env.client.workflow.getHandle(taskQueue, newRunId)));
      assert.ok(names.includes('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED'), names.join(', '));
    });
  });

  test('a reset to a WorkflowTaskStarted event fails the task the new run inherits as scheduled', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { base } = await probeWithSignals(env.client, taskQueue, 2, ['one']);
      const history = await historyOf(base);
      const startedId = firstCompletedTaskId(history) - 1;
      const newRunId = await reset(env.client, env.namespace, {
        workflowExecution: { workflowId: taskQueue },
        workflowTaskFinishEventId: Long.fromNumber(startedId),
      });
      const events = await historyOf(env.client.workflow.getHandle(taskQueue, newRunId));
      assert.equal(events[startedId - 1]?.workflowTaskStartedEventAttributes?.identity, 'history-service', eventNames(events).join(', '));
      assert.equal(events[startedId]?.workflowTaskFailedEventAttributes?.cause, WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW);
      const latest = env.client.workflow.getHandle<typeof resetProbe>(taskQueue);
      await latest.signal(resetMessageSignal, 'two');
      assert.deepEqual((await latest.result()).messages, ['one', 'two']);
    });
  });
});
