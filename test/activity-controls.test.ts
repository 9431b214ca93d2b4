import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { delay, grpcCode, grpcDetails, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker, type TestWorkerOptions } from './helpers';
import { controlledActivity, type ControlledActivityOptions } from './workflows';

const env = useHourglassServer();

const PendingState = temporal.api.enums.v1.PendingActivityState;
type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;
const GRPC_NOT_FOUND = 5;
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_FAILED_PRECONDITION = 9;

/** What one execution of `controlled` saw: its attempt, start-to-close timeout, heartbeat details, and how it was cancelled. */
interface Execution {
  attempt: number;
  startToCloseTimeoutMs: number | undefined;
  heartbeatDetails: unknown;
  cancellation?: { paused: boolean; reset: boolean; cancelRequested: boolean };
}

/** Per key: what each execution of `controlled(key)` does (by execution index), and what it saw. */
const scripts = new Map<string, (execution: number) => Promise<string>>();
const seen = new Map<string, Execution[]>();

/** The activity the workflow `controlledActivity` runs: follows the script its test registered under `key`. */
async function controlled(key: string): Promise<string> {
  const { info } = Context.current();
  const executions = seen.get(key) ?? [];
  seen.set(key, executions);
  const execution: Execution = { attempt: info.attempt, startToCloseTimeoutMs: info.startToCloseTimeoutMs, heartbeatDetails: info.heartbeatDetails };
  executions.push(execution);
  const script = scripts.get(key);
  if (!script) throw new Error(`no script for ${key}`);
  try {
    return await script(executions.length);
  } catch (err) {
    const details = Context.current().cancellationDetails;
    if (err instanceof CancelledFailure && details) {
      execution.cancellation = { paused: details.paused, reset: details.reset, cancelRequested: details.cancelRequested };
    }
    throw err;
  }
}

/** Heartbeats `progress` every 50 ms until the attempt is cancelled (the sleep then throws CancelledFailure). */
async function heartbeatUntilCancelled(progress: string): Promise<never> {
  for (;;) {
    Context.current().heartbeat(progress);
    await Context.current().sleep(50);
  }
}

function fail(message: string): Promise<never> {
  return Promise.reject(new Error(message));
}

/** Heartbeats reach the server at once, not after the SDK's default 30 s throttle. */
const fastHeartbeats: Omit<TestWorkerOptions, 'taskQueue'> = {
  activities: { controlled },
  defaultHeartbeatThrottleInterval: '50ms',
  maxHeartbeatThrottleInterval: '50ms',
};

async function pendingActivity(handle: WorkflowHandle): Promise<PendingActivity | undefined> {
  return (await handle.describe()).raw.pendingActivities?.[0] ?? undefined;
}

function waitForPending(handle: WorkflowHandle, what: string, accept: (a: PendingActivity) => boolean): Promise<PendingActivity> {
  return waitFor(what, async () => {
    const a = await pendingActivity(handle);
    return a && accept(a) ? a : undefined;
  });
}

function start(taskQueue: string, key: string, options: Partial<ControlledActivityOptions> = {}): Promise<WorkflowHandle> {
  return env.client.workflow.start(controlledActivity, { taskQueue, workflowId: key, args: [key, { activityId: 'controlled-activity', ...options }] });
}

/** The raw call, typed by its response (the generated service method's overloads hide it). */
function updateActivityOptions(
  req: temporal.api.workflowservice.v1.IUpdateActivityOptionsRequest,
): Promise<temporal.api.workflowservice.v1.IUpdateActivityOptionsResponse> {
  return env.client.workflowService.updateActivityOptions(req);
}

function executionsOf(key: string): Execution[] {
  return seen.get(key) ?? [];
}

function ms(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6);
}

describe('activity controls', () => {
  test('PauseActivity on a running activity: its heartbeat cancels it with paused details, no retry until UnpauseActivity', async (t) => {
    const key = uniqueName(t);
    scripts.set(key, (n) => (n === 1 ? heartbeatUntilCancelled('first') : Promise.resolve(`done on attempt ${Context.current().info.attempt}`)));
    await withWorker(env, { taskQueue: key, ...fastHeartbeats }, async () => {
      const handle = await start(key, key);
      await waitForPending(handle, 'the running activity to heartbeat', (a) => a.state === PendingState.PENDING_ACTIVITY_STATE_STARTED && !!a.heartbeatDetails);

      await env.client.workflowService.pauseActivity({
        namespace: env.namespace,
        execution: { workflowId: key },
        id: 'controlled-activity',
        identity: 'operator',
        reason: 'maintenance',
      });
      await waitFor('the attempt to see its cancellation', () => executionsOf(key)[0]?.cancellation);
      assert.deepEqual(executionsOf(key)[0]?.cancellation, { paused: true, reset: false, cancelRequested: false });

      // The worker fails the cancelled attempt ("Activity paused"); the attempt is counted but not retried.
      const paused = await waitForPending(handle, 'the paused activity to wait', (a) => a.state === PendingState.PENDING_ACTIVITY_STATE_PAUSED);
      assert.equal(paused.paused, true);
      assert.equal(paused.attempt, 2);
      assert.equal(paused.lastFailure?.message, 'Activity paused');
      assert.equal(paused.pauseInfo?.manual?.identity, 'operator');
      assert.equal(paused.pauseInfo?.manual?.reason, 'maintenance');
      assert.ok(paused.pauseInfo?.pauseTime, 'pauseInfo carries the pause time');
      await delay(500);
      assert.equal(executionsOf(key).length, 1, 'no attempt runs while the activity is paused');

      await env.client.workflowService.unpauseActivity({ namespace: env.namespace, execution: { workflowId: key }, id: 'controlled-activity' });
      assert.equal(await handle.result(), 'done on attempt 2');
    });
  });

  test('PauseActivity on a scheduled activity keeps it from being dispatched to a worker until UnpauseActivity', async (t) => {
    const key = uniqueName(t);
    const activityQueue = `${key}-activities`;
    scripts.set(key, () => Promise.resolve('ran'));
    await withWorker(env, { taskQueue: key }, async () => {
      const handle = await start(key, key, { taskQueue: activityQueue });
      await waitForPending(handle, 'the activity to be scheduled', (a) => a.state === PendingState.PENDING_ACTIVITY_STATE_SCHEDULED);
      await env.client.workflowService.pauseActivity({ namespace: env.namespace, execution: { workflowId: key }, id: 'controlled-activity' });
      const paused = await pendingActivity(handle);
      assert.equal(paused?.state, PendingState.PENDING_ACTIVITY_STATE_PAUSED);
      assert.equal(paused?.paused, true);

      await withWorker(env, { taskQueue: activityQueue, activities: { controlled } }, async () => {
        await delay(700);
        assert.equal(executionsOf(key).length, 0, 'a paused activity is not dispatched');
        await env.client.workflowService.unpauseActivity({ namespace: env.namespace, execution: { workflowId: key }, id: 'controlled-activity' });
        assert.equal(await handle.result(), 'ran');
      });
    });
    assert.equal(executionsOf(key).length, 1);
    assert.equal(executionsOf(key)[0]?.attempt, 1);
  });

  test('PauseActivity twice: the same request id is a no-op, another one FAILED_PRECONDITION "activity is already paused"', async (t) => {
    const key = uniqueName(t);
    const activityQueue = `${key}-nobody-polls`;
    await withWorker(env, { taskQueue: key }, async () => {
      const handle = await start(key, key, { taskQueue: activityQueue });
      await waitForPending(handle, 'the activity to be scheduled', () => true);
      const pause = (requestId: string): Promise<unknown> =>
        env.client.workflowService.pauseActivity({ namespace: env.namespace, execution: { workflowId: key }, type: 'controlled', requestId });
      await pause('first');
      await pause('first');
      const err = await rejectionOf(pause('second'), 'a second pause');
      assert.equal(grpcCode(err), GRPC_FAILED_PRECONDITION);
      assert.equal(grpcDetails(err), 'activity is already paused');
      await handle.terminate();
    });
  });

  test('ResetActivity in retry backoff dispatches attempt 1 at once', async (t) => {
    const key = uniqueName(t);
    scripts.set(key, (n) => (n === 1 ? fail('first execution fails') : Promise.resolve(`attempt ${Context.current().info.attempt}`)));
    await withWorker(env, { taskQueue: key, activities: { controlled } }, async () => {
      const handle = await start(key, key, { initialInterval: '1m' });
      const backingOff = await waitForPending(handle, 'attempt 2 to wait out a 1 minute backoff', (a) => a.attempt === 2);
      assert.equal(backingOff.state, PendingState.PENDING_ACTIVITY_STATE_SCHEDULED);
      assert.ok(backingOff.nextAttemptScheduleTime, 'a retry in backoff shows when it is due');

      await env.client.workflowService.resetActivity({ namespace: env.namespace, execution: { workflowId: key }, id: 'controlled-activity' });
      assert.equal(await handle.result(), 'attempt 1');
    });
    assert.deepEqual(
      executionsOf(key).map((e) => e.attempt),
      [1, 1],
    );
  });

  test('ResetActivity on a heartbeating attempt: its heartbeat cancels it with reset details and the retry keeps the heartbeat details', async (t) => {
    const key = uniqueName(t);
    scripts.set(key, (n) => (n === 1 ? heartbeatUntilCancelled('checkpoint') : Promise.resolve(`attempt ${Context.current().info.attempt}`)));
    await withWorker(env, { taskQueue: key, ...fastHeartbeats }, async () => {
      const handle = await start(key, key);
      await waitForPending(handle, 'the running activity to heartbeat', (a) => !!a.heartbeatDetails);
      await env.client.workflowService.resetActivity({ namespace: env.namespace, execution: { workflowId: key }, id: 'controlled-activity' });
      assert.equal(await handle.result(), 'attempt 2');
    });
    const [first, second] = executionsOf(key);
    assert.deepEqual(first?.cancellation, { paused: false, reset: true, cancelRequested: false });
    // As in Temporal, the reset attempt's own failure ("Activity reset") is retried as attempt 2, with the checkpoint.
    assert.equal(second?.attempt, 2);
    assert.equal(second?.heartbeatDetails, 'checkpoint');
  });

  test('ResetActivity with resetHeartbeat and keepPaused: attempt 1 without heartbeat details, after UnpauseActivity', async (t) => {
    const key = uniqueName(t);
    scripts.set(key, (n) => (n === 1 ? heartbeatUntilCancelled('checkpoint') : Promise.resolve(`attempt ${Context.current().info.attempt}`)));
    await withWorker(env, { taskQueue: key, ...fastHeartbeats }, async () => {
      const handle = await start(key, key);
      await waitForPending(handle, 'the running activity to heartbeat', (a) => !!a.heartbeatDetails);
      const execution = { workflowId: key };
      await env.client.workflowService.pauseActivity({ namespace: env.namespace, execution, id: 'controlled-activity' });
      await waitForPending(handle, 'the paused attempt to end', (a) => a.state === PendingState.PENDING_ACTIVITY_STATE_PAUSED);
      await env.client.workflowService.resetActivity({
        namespace: env.namespace,
        execution,
        id: 'controlled-activity',
        keepPaused: true,
        resetHeartbeat: true,
      });
      const reset = await pendingActivity(handle);
      assert.equal(reset?.state, PendingState.PENDING_ACTIVITY_STATE_PAUSED);
      assert.equal(reset?.attempt, 1);
      await env.client.workflowService.unpauseActivity({ namespace: env.namespace, execution, id: 'controlled-activity' });
      assert.equal(await handle.result(), 'attempt 1');
    });
    // As in Temporal, the details are dropped when the next attempt is scheduled, here by the unpause.
    assert.equal(executionsOf(key)[1]?.heartbeatDetails, undefined);
  });

  test('UpdateActivityOptions changes the start-to-close timeout and retry policy, shown by Describe and used by the next attempt', async (t) => {
    const key = uniqueName(t);
    scripts.set(key, (n) => (n === 1 ? fail('first execution fails') : Promise.resolve(`attempt ${Context.current().info.attempt}`)));
    await withWorker(env, { taskQueue: key, activities: { controlled } }, async () => {
      const handle = await start(key, key, { initialInterval: '1m', startToCloseTimeout: '30s' });
      await waitForPending(handle, 'attempt 2 to wait out a 1 minute backoff', (a) => a.attempt === 2);

      const { activityOptions } = await updateActivityOptions({
        namespace: env.namespace,
        execution: { workflowId: key },
        id: 'controlled-activity',
        activityOptions: { startToCloseTimeout: { seconds: Long.fromNumber(7) }, retryPolicy: { initialInterval: { nanos: 200_000_000 }, maximumAttempts: 5 } },
        updateMask: { paths: ['start_to_close_timeout', 'retry_policy.initial_interval', 'retry_policy.maximum_attempts'] },
      });
      assert.equal(ms(activityOptions?.startToCloseTimeout), 7000);
      assert.equal(activityOptions?.retryPolicy?.maximumAttempts, 5);
      assert.equal(activityOptions?.retryPolicy?.backoffCoefficient, 1, 'fields outside the mask keep their values');
      assert.equal(await handle.result(), 'attempt 2');
      const described = (await handle.describe()).raw.pendingActivities ?? [];
      assert.equal(described.length, 0);
    });
    assert.equal(executionsOf(key)[1]?.startToCloseTimeoutMs, 7000, 'the next attempt runs with the new start-to-close timeout');
  });

  test('Describe shows the options an activity runs with after UpdateActivityOptions, and restoreOriginal brings back the scheduled ones', async (t) => {
    const key = uniqueName(t);
    await withWorker(env, { taskQueue: key }, async () => {
      const handle = await start(key, key, { taskQueue: `${key}-nobody-polls`, startToCloseTimeout: '30s' });
      await waitForPending(handle, 'the activity to be scheduled', () => true);
      const update = (req: Omit<temporal.api.workflowservice.v1.IUpdateActivityOptionsRequest, 'namespace' | 'execution'>): Promise<unknown> =>
        env.client.workflowService.updateActivityOptions({ namespace: env.namespace, execution: { workflowId: key }, ...req });

      await update({
        type: 'controlled',
        activityOptions: { heartbeatTimeout: { seconds: Long.fromNumber(3) }, taskQueue: { name: `${key}-elsewhere` } },
        updateMask: { paths: ['heartbeatTimeout', 'taskQueue.name'] },
      });
      let options = (await pendingActivity(handle))?.activityOptions;
      assert.equal(ms(options?.heartbeatTimeout), 3000);
      assert.equal(options?.taskQueue?.name, `${key}-elsewhere`);
      assert.equal(ms(options?.startToCloseTimeout), 30_000);

      await update({ matchAll: true, restoreOriginal: true });
      options = (await pendingActivity(handle))?.activityOptions;
      assert.equal(ms(options?.heartbeatTimeout), 0);
      assert.equal(options?.taskQueue?.name, `${key}-nobody-polls`);
      await handle.terminate();
    });
  });

  test('bad requests get Temporal’s status and message', async (t) => {
    const key = uniqueName(t);
    const svc = env.client.workflowService;
    const namespace = env.namespace;
    const expectError = async (call: Promise<unknown>, code: number, message: string): Promise<void> => {
      const err = await rejectionOf(call, message);
      assert.equal(grpcCode(err), code, `${message}: ${String(err)}`);
      assert.equal(grpcDetails(err), message);
    };
    await withWorker(env, { taskQueue: key }, async () => {
      const handle = await start(key, key, { taskQueue: `${key}-nobody-polls` });
      await waitForPending(handle, 'the activity to be scheduled', () => true);
      const execution = { workflowId: key };

      await expectError(svc.pauseActivity({ namespace, execution: {}, id: 'controlled-activity' }), GRPC_INVALID_ARGUMENT, 'WorkflowId is not set on request.');
      await expectError(svc.resetActivity({ namespace, execution }), GRPC_INVALID_ARGUMENT, 'Either Activity.Id or Activity.Type should be set on request.');
      await expectError(
        svc.pauseActivity({ namespace, execution, id: 'no-such-activity' }),
        GRPC_NOT_FOUND,
        "Can't find pending activity with such ID. Invalid activityID or activity already completed",
      );
      await expectError(
        svc.unpauseActivity({ namespace, execution, type: 'noSuchType' }),
        GRPC_NOT_FOUND,
        "Can't find pending activity with such ID. Invalid activityID or activity already completed",
      );
      await expectError(
        svc.updateActivityOptions({ namespace, execution, id: 'controlled-activity', activityOptions: {} }),
        GRPC_INVALID_ARGUMENT,
        'UpdateMask is not provided',
      );
      await expectError(
        svc.updateActivityOptions({ namespace, execution, id: 'controlled-activity', updateMask: { paths: ['heartbeat_timeout'] } }),
        GRPC_INVALID_ARGUMENT,
        'ActivityOptions are not provided',
      );
      await expectError(
        svc.updateActivityOptions({ namespace, execution, id: 'controlled-activity', restoreOriginal: true, updateMask: { paths: ['heartbeat_timeout'] } }),
        GRPC_INVALID_ARGUMENT,
        'Both UpdateMask and RestoreOriginal are provided',
      );
      await expectError(
        svc.updateActivityOptions({
          namespace,
          execution,
          id: 'controlled-activity',
          activityOptions: {},
          updateMask: { paths: ['retry_policy.maximum_interval'] },
        }),
        GRPC_INVALID_ARGUMENT,
        'RetryPolicy is not provided',
      );

      await handle.terminate();
      await expectError(svc.pauseActivity({ namespace, execution, id: 'controlled-activity' }), GRPC_NOT_FOUND, 'workflow execution already completed');
      await expectError(svc.resetActivity({ namespace, execution, id: 'controlled-activity' }), GRPC_NOT_FOUND, 'workflow execution already completed');
    });
    await expectError(
      svc.pauseActivity({ namespace, execution: { workflowId: `${key}-missing` }, id: 'x' }),
      GRPC_NOT_FOUND,
      `workflow execution not found for workflow ID "${key}-missing"`,
    );
  });
});
