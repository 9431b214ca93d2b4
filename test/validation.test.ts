import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { Client, NamespaceNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { grpcCode, grpcDetails, uniqueName, useHourglassServer, withWorker } from './helpers';
import { sequentialActivities } from './workflows';

const env = useHourglassServer();
const { CommandType } = temporal.api.enums.v1;
type StartRequest = temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest;

/** Runs `call`, expects it to fail with gRPC `code`, and checks the message is explanatory. */
async function expectStatus(call: () => Promise<unknown>, code: status, messagePattern?: RegExp): Promise<string> {
  let caught: unknown;
  try {
    await call();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected the call to fail with ${status[code]}, but it succeeded`);
  const details = grpcDetails(caught);
  assert.equal(grpcCode(caught), code, `expected ${status[code]}, got code ${grpcCode(caught)} (${status[grpcCode(caught) ?? -1] ?? '?'}): ${details}`);
  assert.ok(details.trim().length > 0, 'the error must carry a message');
  if (messagePattern) assert.match(details, messagePattern);
  return details;
}

function startRequest(overrides: Partial<StartRequest> = {}): StartRequest {
  const id = uniqueName('validation');
  return {
    namespace: 'default',
    workflowId: id,
    workflowType: { name: 'returnValue' },
    taskQueue: { name: id },
    requestId: randomUUID(),
    identity: 'validation-test',
    ...overrides,
  };
}

/** Starts a workflow on a fresh queue and takes its first workflow task by hand. */
async function pollOwnWorkflowTask(): Promise<{ taskQueue: string; taskToken: Uint8Array; workflowId: string }> {
  const request = startRequest();
  const taskQueue = request.taskQueue?.name ?? '';
  await env.client.workflowService.startWorkflowExecution(request);
  const task = await env.client.workflowService.pollWorkflowTaskQueue({
    namespace: 'default',
    taskQueue: { name: taskQueue },
    identity: 'validation-test',
  });
  assert.ok(task.taskToken && task.taskToken.length > 0, 'poll returned no workflow task');
  return { taskQueue, taskToken: task.taskToken, workflowId: request.workflowId ?? '' };
}

describe('request validation', () => {
  test('StartWorkflowExecution without a workflow ID is rejected with INVALID_ARGUMENT', async () => {
    await expectStatus(() => env.client.workflowService.startWorkflowExecution(startRequest({ workflowId: '' })), status.INVALID_ARGUMENT, /workflow ?id/i);
  });

  test('StartWorkflowExecution without a workflow type is rejected with INVALID_ARGUMENT', async () => {
    await expectStatus(
      () => env.client.workflowService.startWorkflowExecution(startRequest({ workflowType: null })),
      status.INVALID_ARGUMENT,
      /workflow ?type/i,
    );
  });

  test('StartWorkflowExecution in an unknown namespace is rejected with NOT_FOUND', async () => {
    await expectStatus(
      () => env.client.workflowService.startWorkflowExecution(startRequest({ namespace: 'no-such-namespace' })),
      status.NOT_FOUND,
      /no-such-namespace/,
    );
  });

  test('the high-level client reports an unknown namespace as NamespaceNotFoundError', async () => {
    const client = new Client({ connection: env.connection, namespace: 'no-such-namespace' });
    await assert.rejects(client.workflow.start(sequentialActivities, { taskQueue: 'q', workflowId: uniqueName('ns'), args: [[]] }), (err: unknown) => {
      assert.ok(err instanceof NamespaceNotFoundError, `expected NamespaceNotFoundError, got ${String(err)}`);
      assert.equal(err.namespace, 'no-such-namespace');
      return true;
    });
  });

  test('a negative workflowRunTimeout is rejected with INVALID_ARGUMENT', async () => {
    await expectStatus(
      () => env.client.workflowService.startWorkflowExecution(startRequest({ workflowRunTimeout: { seconds: Long.fromNumber(-5) } })),
      status.INVALID_ARGUMENT,
      /timeout/i,
    );
  });

  test('an input payload over the 2 MB blob size limit is rejected with INVALID_ARGUMENT', async () => {
    const big = { metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.alloc(3 * 1024 * 1024, 1) };
    await expectStatus(
      () => env.client.workflowService.startWorkflowExecution(startRequest({ input: { payloads: [big] } })),
      status.INVALID_ARGUMENT,
      /size|limit|large/i,
    );
  });

  test('RespondWorkflowTaskCompleted with a forged task token is rejected with INVALID_ARGUMENT', async () => {
    await expectStatus(
      () => env.client.workflowService.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: randomBytes(48), identity: 'validation-test' }),
      status.INVALID_ARGUMENT,
    );
  });

  test('RespondActivityTaskCompleted with a forged task token is rejected with INVALID_ARGUMENT', async () => {
    await expectStatus(
      () => env.client.workflowService.respondActivityTaskCompleted({ namespace: 'default', taskToken: randomBytes(48), identity: 'validation-test' }),
      status.INVALID_ARGUMENT,
    );
  });

  test('reusing a workflow task token after the task was completed is rejected with NOT_FOUND', async () => {
    const { taskToken, workflowId } = await pollOwnWorkflowTask();
    const complete = (): Promise<unknown> =>
      env.client.workflowService.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken,
        identity: 'validation-test',
        commands: [{ commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }],
      });
    await complete();
    await expectStatus(complete, status.NOT_FOUND);
    const description = await env.client.workflow.getHandle(workflowId).describe();
    assert.equal(description.status.name, 'COMPLETED');
  });

  test('reusing an activity task token after the activity was completed is rejected with NOT_FOUND', async () => {
    const { taskQueue, taskToken } = await pollOwnWorkflowTask();
    await env.client.workflowService.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken,
      identity: 'validation-test',
      commands: [
        {
          commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
          scheduleActivityTaskCommandAttributes: {
            activityId: '1',
            activityType: { name: 'echo' },
            taskQueue: { name: taskQueue },
            startToCloseTimeout: { seconds: Long.fromNumber(10) },
          },
        },
      ],
    });
    const activityTask = await env.client.workflowService.pollActivityTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      identity: 'validation-test',
    });
    assert.ok(activityTask.taskToken && activityTask.taskToken.length > 0, 'poll returned no activity task');
    const complete = (): Promise<unknown> =>
      env.client.workflowService.respondActivityTaskCompleted({ namespace: 'default', taskToken: activityTask.taskToken, identity: 'validation-test' });
    await complete();
    await expectStatus(complete, status.NOT_FOUND);
  });

  test('an RPC the server does not implement fails with UNIMPLEMENTED naming the method', async () => {
    await expectStatus(
      () => env.client.workflowService.startBatchOperation({ namespace: 'default', jobId: 'x' }),
      status.UNIMPLEMENTED,
      /StartBatchOperation/i,
    );
  });

  test('after all the rejected requests the server still runs workflows normally', async (t) => {
    const taskQueue = uniqueName(t);
    const result = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['still', 'serving']] }),
    );
    assert.deepEqual(result, ['STILL', 'SERVING']);
  });
});
