/**
 * The workflow task protocol, driven directly over gRPC the way sdk-core drives it: failures,
 * transient retries that stay out of history, start-to-close timeouts, and run timeouts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { WorkflowFailedError } from '@temporalio/client';
import { TimeoutFailure } from '@temporalio/common';
import { eventNames, uniqueName, useHourglassServer, withWorker, type HourglassTestEnv } from './helpers';
import { sleeper } from './workflows';

const { enums } = temporal.api;
type PollResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;

async function startRaw(env: HourglassTestEnv, taskQueue: string, workflowTaskTimeoutSeconds: number): Promise<void> {
  await env.connection.workflowService.startWorkflowExecution({
    namespace: env.namespace,
    workflowId: taskQueue,
    workflowType: { name: 'raw' },
    taskQueue: { name: taskQueue },
    workflowTaskTimeout: { seconds: Long.fromNumber(workflowTaskTimeoutSeconds) },
    requestId: randomUUID(),
  });
}

function poll(env: HourglassTestEnv, taskQueue: string): Promise<PollResponse> {
  return env.connection.workflowService.pollWorkflowTaskQueue({ namespace: env.namespace, taskQueue: { name: taskQueue }, identity: 'raw-driver' });
}

async function history(env: HourglassTestEnv, workflowId: string): Promise<string[]> {
  const res = await env.connection.workflowService.getWorkflowExecutionHistory({ namespace: env.namespace, execution: { workflowId } });
  return eventNames(res.history?.events);
}

describe('workflow tasks', () => {
  const env = useHourglassServer();

  test('a failed first attempt writes WorkflowTaskFailed; retries are transient and time out without growing history', async (t) => {
    const tq = uniqueName(t);
    await startRaw(env, tq, 1);

    const first = await poll(env, tq);
    assert.equal(first.attempt, 1);
    await env.connection.workflowService.respondWorkflowTaskFailed({
      namespace: env.namespace,
      taskToken: first.taskToken,
      cause: enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
      failure: { message: 'boom' },
    });

    const second = await poll(env, tq);
    assert.equal(second.attempt, 2);
    const names = eventNames(second.history?.events);
    assert.deepEqual(names.slice(-3), ['EVENT_TYPE_WORKFLOW_TASK_FAILED', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', 'EVENT_TYPE_WORKFLOW_TASK_STARTED']);
    assert.equal(Number(second.startedEventId), names.length, 'the poll history ends at the started event');

    // Attempt 2 is not answered (core stays silent after attempt 1): the task times out and is retried.
    const third = await poll(env, tq);
    assert.equal(third.attempt, 3);
    assert.equal(Number(third.startedEventId), Number(second.startedEventId), 'transient attempts reuse the same event ids');
    assert.deepEqual(await history(env, tq), [
      'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      'EVENT_TYPE_WORKFLOW_TASK_STARTED',
      'EVENT_TYPE_WORKFLOW_TASK_FAILED',
    ]);

    // A stale token (attempt 2) is NOT_FOUND; the live one completes and the transient events are written.
    await assert.rejects(
      env.connection.workflowService.respondWorkflowTaskCompleted({ namespace: env.namespace, taskToken: second.taskToken, commands: [] }),
      (err: { code?: number }) => err.code === 5,
    );
    await env.connection.workflowService.respondWorkflowTaskCompleted({
      namespace: env.namespace,
      taskToken: third.taskToken,
      commands: [{ commandType: enums.v1.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }],
    });
    assert.deepEqual((await history(env, tq)).slice(3), [
      'EVENT_TYPE_WORKFLOW_TASK_FAILED',
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      'EVENT_TYPE_WORKFLOW_TASK_STARTED',
      'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
      'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
    ]);
  });

  test('a first attempt that times out writes WorkflowTaskTimedOut and is dispatched again', async (t) => {
    const tq = uniqueName(t);
    await startRaw(env, tq, 1);
    const first = await poll(env, tq);
    const second = await poll(env, tq);
    assert.equal(first.attempt, 1);
    assert.equal(second.attempt, 2);
    assert.deepEqual((await history(env, tq)).slice(-1), ['EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT']);
  });

  test('a bad command fails the task with its cause, applies none of the completion and answers INVALID_ARGUMENT', async (t) => {
    const tq = uniqueName(t);
    await startRaw(env, tq, 10);
    const task = await poll(env, tq);
    await assert.rejects(
      env.connection.workflowService.respondWorkflowTaskCompleted({
        namespace: env.namespace,
        taskToken: task.taskToken,
        commands: [
          {
            commandType: enums.v1.CommandType.COMMAND_TYPE_START_TIMER,
            startTimerCommandAttributes: { timerId: 't1', startToFireTimeout: { seconds: Long.fromNumber(5) } },
          },
          {
            commandType: enums.v1.CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
            scheduleActivityTaskCommandAttributes: { activityId: 'a1', activityType: { name: 'x' } },
          },
        ],
      }),
      (err: { code?: number; details?: string }) => err.code === 3 && /StartToClose or ScheduleToCloseTimeout/.test(err.details ?? ''),
    );
    const res = await env.connection.workflowService.getWorkflowExecutionHistory({ namespace: env.namespace, execution: { workflowId: tq } });
    const events = res.history?.events ?? [];
    // The timer command was rolled back; the retry is a transient attempt 2, not yet in history.
    assert.deepEqual(eventNames(events).slice(3), ['EVENT_TYPE_WORKFLOW_TASK_FAILED']);
    const described = await env.connection.workflowService.describeWorkflowExecution({ namespace: env.namespace, execution: { workflowId: tq } });
    assert.equal(described.pendingWorkflowTask?.attempt, 2);
    assert.equal(
      events[3]?.workflowTaskFailedEventAttributes?.cause,
      enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
    );
  });

  test('a run timeout closes the workflow as timed out and the client sees a TimeoutFailure', async (t) => {
    const taskQueue = uniqueName(t);
    const err = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(sleeper, { taskQueue, workflowId: taskQueue, args: [10_000], workflowRunTimeout: '1s' }).then(
        () => assert.fail('the run should have timed out'),
        (e: unknown) => e,
      ),
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof TimeoutFailure);
    const described = await env.client.workflow.getHandle(taskQueue).describe();
    assert.equal(described.status.name, 'TIMED_OUT');
  });
});
