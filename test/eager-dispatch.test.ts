/**
 * Eager activity dispatch: an activity the completing worker asks to run itself comes back in the
 * RespondWorkflowTaskCompleted response, already started, instead of going through matching.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { eventNames, needsInProcessServer, uniqueName, useHourglassServer, withWorker, type HourglassTestEnv } from './helpers';
import { sequentialActivities } from './workflows';

const { enums } = temporal.api;

/** Starts a raw workflow, takes its first workflow task and completes it with `commands`. */
async function completeFirstTask(
  env: HourglassTestEnv,
  taskQueue: string,
  commands: temporal.api.command.v1.ICommand[],
): Promise<temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedResponse> {
  await env.connection.workflowService.startWorkflowExecution({
    namespace: env.namespace,
    workflowId: taskQueue,
    workflowType: { name: 'raw' },
    taskQueue: { name: taskQueue },
    requestId: randomUUID(),
  });
  const task = await env.connection.workflowService.pollWorkflowTaskQueue({ namespace: env.namespace, taskQueue: { name: taskQueue }, identity: 'raw-driver' });
  return env.connection.workflowService.respondWorkflowTaskCompleted({ namespace: env.namespace, taskToken: task.taskToken, identity: 'raw-driver', commands });
}

function scheduleActivity(activityId: string, taskQueue: string, requestEagerExecution: boolean): temporal.api.command.v1.ICommand {
  return {
    commandType: enums.v1.CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
    scheduleActivityTaskCommandAttributes: {
      activityId,
      activityType: { name: 'echo' },
      taskQueue: { name: taskQueue },
      startToCloseTimeout: { seconds: Long.fromNumber(10) },
      input: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(activityId)) }] },
      requestEagerExecution,
    },
  };
}

describe('eager activity dispatch', () => {
  const env = useHourglassServer();

  test('activities requested eagerly on the workflow task queue come back started in the completion response', async (t) => {
    const tq = uniqueName(t);
    const response = await completeFirstTask(env, tq, [
      scheduleActivity('eager', tq, true),
      scheduleActivity('polled', tq, false),
      scheduleActivity('elsewhere', `${tq}-other`, true),
    ]);
    assert.deepEqual(
      response.activityTasks?.map((a) => a.activityId),
      ['eager'],
      'only the eager request on the same task queue is dispatched eagerly',
    );
    const eager = response.activityTasks?.[0];
    assert.equal(eager?.attempt, 1);
    assert.equal(Buffer.from(eager?.input?.payloads?.[0]?.data ?? []).toString(), '"eager"');

    // The eager one is not offered to pollers; the other same-queue activity is.
    const polled = await env.connection.workflowService.pollActivityTaskQueue({ namespace: env.namespace, taskQueue: { name: tq }, identity: 'raw-driver' });
    assert.equal(polled.activityId, 'polled');

    const described = await env.connection.workflowService.describeWorkflowExecution({ namespace: env.namespace, execution: { workflowId: tq } });
    const eagerPending = described.pendingActivities?.find((a) => a.activityId === 'eager');
    assert.equal(eagerPending?.state, enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);

    await env.connection.workflowService.respondActivityTaskCompleted({ namespace: env.namespace, taskToken: eager?.taskToken, identity: 'raw-driver' });
    const history = await env.connection.workflowService.getWorkflowExecutionHistory({ namespace: env.namespace, execution: { workflowId: tq } });
    const names = eventNames(history.history?.events);
    assert.ok(names.includes('EVENT_TYPE_ACTIVITY_TASK_STARTED') && names.includes('EVENT_TYPE_ACTIVITY_TASK_COMPLETED'));
    await env.connection.workflowService.terminateWorkflowExecution({ namespace: env.namespace, workflowExecution: { workflowId: tq } });
  });

  test('a completion that closes the workflow dispatches nothing eagerly', async (t) => {
    const tq = uniqueName(t);
    const response = await completeFirstTask(env, tq, [
      scheduleActivity('eager', tq, true),
      { commandType: enums.v1.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} },
    ]);
    assert.deepEqual(response.activityTasks ?? [], []);
  });

  test('the SDK worker runs activities it receives eagerly', needsInProcessServer('counts eager dispatches in env.server.stats'), async (t) => {
    const taskQueue = uniqueName(t);
    const before = env.server.stats.eagerActivityTasks;
    const result = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['a', 'b']] }),
    );
    assert.deepEqual(result, ['A', 'B']);
    assert.ok(env.server.stats.eagerActivityTasks > before, 'the worker asked for, and got, eager activities');
  });
});
