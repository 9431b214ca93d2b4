/**
 * Temporal's per-run and per-request limits, through the official SDK: pending activities, children, signals and
 * cancel requests per run (`limit.numPending*.error`), signals per run (`history.maximumSignalsPerExecution`),
 * memo and search attribute sizes, id lengths (`limit.maxIDLength`) and the gRPC message size. Each limit is
 * lowered so the specs are fast; the causes and messages are Temporal's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { TerminatedFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  EventType,
  grpcCode,
  grpcDetails,
  needsInProcessServer,
  rejectionOf,
  uniqueName,
  useHourglassServer,
  waitFor,
  withWorker,
  type HourglassTestEnv,
} from './helpers';
import { requestExternalAtOnce, resultOfSize, scheduleActivitiesAtOnce, startChildrenAtOnce, upsertKeyword, waitForever } from './workflows';

const Cause = temporal.api.enums.v1.WorkflowTaskFailedCause;
const Status = temporal.api.enums.v1.WorkflowExecutionStatus;
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;

/** The first WorkflowTaskFailed event of the run, once written. */
async function firstTaskFailure(env: HourglassTestEnv, workflowId: string): Promise<temporal.api.history.v1.IWorkflowTaskFailedEventAttributes> {
  return waitFor(
    'WorkflowTaskFailed',
    async () => {
      const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      return events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)?.workflowTaskFailedEventAttributes ?? undefined;
    },
    15_000,
  );
}

/** The gRPC status message, under the SDK client's wrapping (its ServiceError keeps the gRPC error as cause). */
function statusMessage(err: unknown): string {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (grpcCode(e) !== undefined && e.cause === undefined) return grpcDetails(e);
  return grpcDetails(err);
}

async function statusOf(env: HourglassTestEnv, workflowId: string): Promise<number | null | undefined> {
  const described = await env.client.workflowService.describeWorkflowExecution({ namespace: env.namespace, execution: { workflowId } });
  return described.workflowExecutionInfo?.status;
}

describe('per-run and per-request limits', needsInProcessServer('starts its own server with lowered limits'), () => {
  const env = useHourglassServer({
    dynamicConfig: {
      'limit.numPendingActivities.error': 2,
      'limit.numPendingChildExecutions.error': 2,
      'limit.numPendingSignals.error': 2,
      'limit.numPendingCancelRequests.error': 2,
      'history.maximumSignalsPerExecution': 3,
      'limit.memoSize.warn': 100,
      'limit.memoSize.error': 1000,
      'frontend.searchAttributesNumberOfKeysLimit': 2,
      'frontend.searchAttributesSizeOfValueLimit': 50,
      'limit.maxIDLength': 100,
    },
  });

  const pendingCases = [
    {
      what: 'a third activity',
      cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_ACTIVITIES_LIMIT_EXCEEDED,
      message: 'the number of pending activities, 2, has reached the per-workflow limit of 2',
      start: (taskQueue: string) => env.client.workflow.start(scheduleActivitiesAtOnce, { taskQueue, workflowId: taskQueue, args: [3] }),
    },
    {
      what: 'a third child',
      cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED,
      message: 'the number of pending child workflow executions, 2, has reached the per-workflow limit of 2',
      start: (taskQueue: string) => env.client.workflow.start(startChildrenAtOnce, { taskQueue, workflowId: taskQueue, args: [3, `${taskQueue}-child`] }),
    },
    {
      what: 'a third signal to another workflow',
      cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_SIGNALS_LIMIT_EXCEEDED,
      message: 'the number of pending signals to external workflows, 2, has reached the per-workflow limit of 2',
      start: (taskQueue: string) => env.client.workflow.start(requestExternalAtOnce, { taskQueue, workflowId: taskQueue, args: [3, 'signal', 'elsewhere'] }),
    },
    {
      what: 'a third cancel request to another workflow',
      cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_REQUEST_CANCEL_LIMIT_EXCEEDED,
      message: 'the number of pending requests to cancel external workflows, 2, has reached the per-workflow limit of 2',
      start: (taskQueue: string) => env.client.workflow.start(requestExternalAtOnce, { taskQueue, workflowId: taskQueue, args: [3, 'cancel', 'elsewhere'] }),
    },
  ];
  for (const { what, cause, message, start } of pendingCases) {
    test(`limit.numPending*.error: ${what} in one completion fails the workflow task with ${Cause[cause]}; the run is not terminated`, async (t) => {
      const taskQueue = uniqueName(t);
      const failed = await withWorker(env, { taskQueue }, async () => {
        await start(taskQueue);
        return firstTaskFailure(env, taskQueue);
      });
      assert.equal(failed.cause, cause);
      assert.equal(failed.failure?.message, message);
      assert.equal(await statusOf(env, taskQueue), Status.WORKFLOW_EXECUTION_STATUS_RUNNING);
      await env.client.workflow.getHandle(taskQueue).terminate();
    });
  }

  test('history.maximumSignalsPerExecution: a run that has received that many signals refuses the next with INVALID_ARGUMENT', async (t) => {
    const workflowId = uniqueName(t);
    const handle = await env.client.workflow.start(waitForever, { taskQueue: workflowId, workflowId });
    for (let i = 0; i < 3; i++) await handle.signal('poke');
    const err = await rejectionOf(handle.signal('poke'));
    assert.equal(grpcCode(err), INVALID_ARGUMENT);
    assert.equal(statusMessage(err), 'exceeded workflow execution limit for signal events');
    await handle.terminate();
  });

  test('limit.memoSize.error: a start whose memo is over it fails with INVALID_ARGUMENT "Memo size exceeds limit."', async (t) => {
    const workflowId = uniqueName(t);
    const err = await rejectionOf(env.client.workflow.start(waitForever, { taskQueue: workflowId, workflowId, memo: { note: 'm'.repeat(2000) } }));
    assert.equal(grpcCode(err), INVALID_ARGUMENT);
    assert.equal(statusMessage(err), 'Memo size exceeds limit.');
  });

  test('frontend.searchAttributesNumberOfKeysLimit and …SizeOfValueLimit: a start over either fails with INVALID_ARGUMENT and Temporal’s message', async (t) => {
    const workflowId = uniqueName(t);
    const tooMany = { CustomKeywordField: ['a'], CustomIntField: [1], CustomBoolField: [true] };
    const many = await rejectionOf(env.client.workflow.start(waitForever, { taskQueue: workflowId, workflowId, searchAttributes: tooMany }));
    assert.equal(grpcCode(many), INVALID_ARGUMENT);
    assert.equal(statusMessage(many), 'number of search attributes 3 exceeds limit 2');
    const large = await rejectionOf(
      env.client.workflow.start(waitForever, { taskQueue: workflowId, workflowId, searchAttributes: { CustomKeywordField: ['k'.repeat(60)] } }),
    );
    assert.equal(grpcCode(large), INVALID_ARGUMENT);
    assert.equal(statusMessage(large), 'search attribute CustomKeywordField value size 64 exceeds size limit 50');
  });

  test('frontend.searchAttributesSizeOfValueLimit: an upsert over it fails the workflow task with BAD_SEARCH_ATTRIBUTES and terminates the run', async (t) => {
    const taskQueue = uniqueName(t);
    const error = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(upsertKeyword, { taskQueue, workflowId: taskQueue, args: ['u'.repeat(60)] }).then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    assert.ok(error instanceof WorkflowFailedError && error.cause instanceof TerminatedFailure, `expected a terminated run, got ${String(error)}`);
    const failed = await firstTaskFailure(env, taskQueue);
    assert.equal(failed.cause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES);
    assert.equal(failed.failure?.message, 'BadSearchAttributes: search attribute CustomKeywordField value size 64 exceeds size limit 50');
  });

  test('limit.maxIDLength: requests naming a longer workflow id, type, signal name or identity fail with INVALID_ARGUMENT and Temporal’s messages', async (t) => {
    const workflowId = uniqueName(t);
    const long = 'x'.repeat(101);
    const byId = await rejectionOf(env.client.workflow.start(waitForever, { taskQueue: workflowId, workflowId: long }));
    assert.equal(statusMessage(byId), 'WorkflowId exceeds maximum allowed length (101/100)');
    const byType = await rejectionOf(env.client.workflow.start(long, { taskQueue: workflowId, workflowId }));
    assert.equal(statusMessage(byType), 'WorkflowType length exceeds limit.');
    const handle = await env.client.workflow.start(waitForever, { taskQueue: workflowId, workflowId });
    const bySignal = await rejectionOf(handle.signal(long));
    assert.equal(grpcCode(bySignal), INVALID_ARGUMENT);
    assert.equal(statusMessage(bySignal), 'SignalName length exceeds limit.');
    const poll = env.client.workflowService.pollActivityTaskQueue({ namespace: env.namespace, taskQueue: { name: workflowId }, identity: long });
    assert.equal(statusMessage(await rejectionOf(poll)), 'Identity length exceeds limit.');
    await handle.terminate();
  });

  test('limit.maxIDLength: a command naming a longer activity id fails the workflow task with BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', async (t) => {
    const taskQueue = uniqueName(t);
    const failed = await withWorker(env, { taskQueue }, async () => {
      await env.client.workflow.start(scheduleActivitiesAtOnce, { taskQueue, workflowId: taskQueue, args: [1, 'a'.repeat(150)] });
      return firstTaskFailure(env, taskQueue);
    });
    assert.equal(failed.cause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES);
    assert.equal(failed.failure?.message, 'activityId exceeds length limit. Length=150 Limit=100');
    assert.equal(await statusOf(env, taskQueue), Status.WORKFLOW_EXECUTION_STATUS_RUNNING);
    await env.client.workflow.getHandle(taskQueue).terminate();
  });
});

describe('gRPC message size', needsInProcessServer('checks the server’s own receive limit'), () => {
  const env = useHourglassServer({ dynamicConfig: { 'limit.blobSize.error': 64 * 1024 * 1024, 'limit.blobSize.warn': 64 * 1024 * 1024 } });

  test('a request over 4 MiB is RESOURCE_EXHAUSTED with grpc-go’s message, and the connection stays usable', async (t) => {
    const workflowId = uniqueName(t);
    const err = await rejectionOf(env.client.workflow.start(upsertKeyword, { taskQueue: workflowId, workflowId, args: ['x'.repeat(5 * 1024 * 1024)] }));
    assert.equal(grpcCode(err), RESOURCE_EXHAUSTED);
    assert.match(statusMessage(err), /^grpc: received message larger than max \(\d+ vs\. 4194304\)$/);
    const info = await env.client.workflowService.getSystemInfo({});
    assert.ok(info.serverVersion);
  });

  test('a workflow task completion over 4 MiB: sdk-core fails the task with GRPC_MESSAGE_TOO_LARGE', async (t) => {
    const taskQueue = uniqueName(t);
    const failed = await withWorker(env, { taskQueue }, async () => {
      await env.client.workflow.start(resultOfSize, { taskQueue, workflowId: taskQueue, args: [5 * 1024 * 1024] });
      return firstTaskFailure(env, taskQueue);
    });
    assert.equal(failed.cause, Cause.WORKFLOW_TASK_FAILED_CAUSE_GRPC_MESSAGE_TOO_LARGE);
    await env.client.workflow.getHandle(taskQueue).terminate();
  });
});
