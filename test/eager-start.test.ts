/**
 * Eager workflow start: a StartWorkflowExecution asking for eager execution gets the first workflow task, already
 * started, in its response (Temporal's startworkflow.Starter), unless a backoff delays that task or an existing run is
 * used; otherwise the task goes through matching as usual.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { eventNames, uniqueName, useHourglassServer, withWorker, type HourglassTestEnv } from './helpers';
import { returnValue } from './workflows';

const { enums } = temporal.api;

function rawStart(
  env: HourglassTestEnv,
  id: string,
  extra: Partial<temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest> = {},
): Promise<temporal.api.workflowservice.v1.IStartWorkflowExecutionResponse> {
  return env.connection.workflowService.startWorkflowExecution({
    namespace: env.namespace,
    workflowId: id,
    workflowType: { name: 'raw' },
    taskQueue: { name: id },
    identity: 'raw-starter',
    requestId: randomUUID(),
    requestEagerExecution: true,
    ...extra,
  });
}

async function historyOf(env: HourglassTestEnv, workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const res = await env.connection.workflowService.getWorkflowExecutionHistory({ namespace: env.namespace, execution: { workflowId } });
  return res.history?.events ?? [];
}

function terminate(env: HourglassTestEnv, workflowId: string): Promise<unknown> {
  return env.connection.workflowService.terminateWorkflowExecution({ namespace: env.namespace, workflowExecution: { workflowId } });
}

describe('eager workflow start', () => {
  const env = useHourglassServer();

  test('a client sharing the worker’s NativeConnection starts eagerly: the worker runs the first task without polling', async (t) => {
    const id = uniqueName(t);
    const client = new Client({ connection: env.nativeConnection, namespace: env.namespace, identity: 'eager-client' });
    await withWorker(env, { taskQueue: id, identity: 'eager-worker' }, async () => {
      const handle = await client.workflow.start(returnValue, { taskQueue: id, workflowId: id, args: ['eager'], requestEagerStart: true });
      assert.equal(handle.eagerlyStarted, true);
      assert.equal(await handle.result(), 'eager');
    });
    const events = await historyOf(env, id);
    assert.deepEqual(eventNames(events).slice(0, 4), [
      'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      'EVENT_TYPE_WORKFLOW_TASK_STARTED',
      'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
    ]);
    // Started in the start's transaction: no poll, so it carries the starter's identity (as in Temporal).
    assert.equal(events[2]?.workflowTaskStartedEventAttributes?.identity, 'eager-client');
    assert.equal(events[3]?.workflowTaskCompletedEventAttributes?.identity, 'eager-worker');
  });

  test('without a local worker on the task queue the start is a normal one, and a later worker runs it', async (t) => {
    const id = uniqueName(t);
    const client = new Client({ connection: env.nativeConnection, namespace: env.namespace });
    const handle = await client.workflow.start(returnValue, { taskQueue: id, workflowId: id, args: ['later'], requestEagerStart: true });
    assert.equal(handle.eagerlyStarted, false);
    const pending = await handle.describe();
    assert.equal(pending.raw.pendingWorkflowTask?.state, enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED);
    await withWorker(env, { taskQueue: id }, async () => {
      assert.equal(await handle.result(), 'later');
    });
  });

  test('a raw start with requestEagerExecution returns the started first task, which completes the workflow', async (t) => {
    const id = uniqueName(t);
    const started = await rawStart(env, id);
    const task = started.eagerWorkflowTask;
    assert.ok(task, 'eager workflow task');
    assert.ok(task.taskToken && task.taskToken.length > 0, 'task token');
    assert.equal(task.workflowExecution?.workflowId, id);
    assert.equal(task.workflowExecution?.runId, started.runId);
    assert.equal(task.workflowType?.name, 'raw');
    assert.equal(Number(task.startedEventId), 3);
    assert.equal(task.attempt, 1);
    assert.deepEqual(eventNames(task.history?.events), [
      'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      'EVENT_TYPE_WORKFLOW_TASK_STARTED',
    ]);
    assert.equal(task.history?.events?.[2]?.workflowTaskStartedEventAttributes?.identity, 'raw-starter');

    const described = await env.connection.workflowService.describeWorkflowExecution({ namespace: env.namespace, execution: { workflowId: id } });
    assert.equal(described.pendingWorkflowTask?.state, enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED);

    await env.connection.workflowService.respondWorkflowTaskCompleted({
      namespace: env.namespace,
      taskToken: task.taskToken,
      identity: 'raw-worker',
      commands: [
        {
          commandType: enums.v1.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
          completeWorkflowExecutionCommandAttributes: {},
        },
      ],
    });
    assert.deepEqual(eventNames(await historyOf(env, id)), [
      'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      'EVENT_TYPE_WORKFLOW_TASK_STARTED',
      'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
    ]);
  });

  test('a retried eager start (same request ID) gets the same first task again while it is the eagerly started one', async (t) => {
    const id = uniqueName(t);
    const requestId = randomUUID();
    const first = await rawStart(env, id, { requestId });
    const again = await rawStart(env, id, { requestId });
    assert.equal(again.runId, first.runId);
    assert.equal(again.started, true);
    assert.deepEqual(again.eagerWorkflowTask?.taskToken, first.eagerWorkflowTask?.taskToken);
    assert.equal(eventNames(await historyOf(env, id)).length, 3, 'no second task was started');
    await terminate(env, id);
  });

  test('no eager task for a delayed or cron start, nor when the conflict policy uses the running workflow', async (t) => {
    const id = uniqueName(t);
    const delayed = await rawStart(env, `${id}-delay`, { workflowStartDelay: { seconds: Long.fromNumber(60) } });
    assert.equal(delayed.eagerWorkflowTask, null);
    const cron = await rawStart(env, `${id}-cron`, { cronSchedule: '0 0 1 1 *' });
    assert.equal(cron.eagerWorkflowTask, null);
    assert.deepEqual(eventNames(await historyOf(env, `${id}-cron`)), ['EVENT_TYPE_WORKFLOW_EXECUTION_STARTED']);

    const running = await rawStart(env, id, { requestEagerExecution: false });
    assert.equal(running.eagerWorkflowTask, null);
    const reused = await rawStart(env, id, { workflowIdConflictPolicy: enums.v1.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING });
    assert.equal(reused.started, false);
    assert.equal(reused.runId, running.runId);
    assert.equal(reused.eagerWorkflowTask, null);

    // The non-eager task is left to matching: a poller gets it.
    const polled = await env.connection.workflowService.pollWorkflowTaskQueue({ namespace: env.namespace, taskQueue: { name: id }, identity: 'poller' });
    assert.equal(polled.workflowExecution?.runId, running.runId);
    for (const w of [`${id}-delay`, `${id}-cron`, id]) await terminate(env, w);
  });

  test('terminating the running workflow to start anew starts the new run eagerly', async (t) => {
    const id = uniqueName(t);
    const first = await rawStart(env, id, { requestEagerExecution: false });
    const second = await rawStart(env, id, { workflowIdConflictPolicy: enums.v1.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING });
    assert.notEqual(second.runId, first.runId);
    assert.equal(second.eagerWorkflowTask?.workflowExecution?.runId, second.runId);
    await terminate(env, id);
  });
});
