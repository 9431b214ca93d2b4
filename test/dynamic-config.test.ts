/**
 * Dynamic config that changes behaviour (`--dynamic-config-value`, `HourglassServerOptions.dynamicConfig`): the
 * keys are Temporal's (common/dynamicconfig/constants.go) and so are their effects, seen here through the SDK.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { TerminatedFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { createTestWorkflowEnvironment } from '../src/testing';
import { EventType, grpcCode, installQuietRuntime, needsInProcessServer, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import {
  historyInfoAfterSignals,
  oversizedActivityInput,
  oversizedActivityResult,
  repeater,
  repeatUpdate,
  sequentialActivities,
  tickSignal,
} from './workflows';

const { enums } = temporal.api;
const INVALID_ARGUMENT = 3;
const KiB = 1024;

/** Temporal's error for a payload over the limit, wherever the SDK wraps it (its ServiceError keeps the gRPC error as cause). */
function blobTooLarge(err: unknown): boolean {
  const messages: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) messages.push(e.message);
  return grpcCode(err) === INVALID_ARGUMENT && messages.some((m) => m.includes('Blob data size exceeds limit.'));
}

describe('dynamic config', needsInProcessServer('starts its own server with dynamic config'), () => {
  const env = useHourglassServer({
    dynamicConfig: {
      'limit.historyCount.suggestContinueAsNew': 5,
      'system.enableActivityEagerExecution': false,
      // As with Temporal, the error limit counts only for blobs past the warning limit.
      'limit.blobSize.warn': 2 * KiB,
      'limit.blobSize.error': 10 * KiB,
      'history.longPollExpirationInterval': '1s',
      'matching.longPollExpirationInterval': '1s',
      'limit.historyCount.error': 60,
      'frontend.activityAPIsEnabled': false,
    },
  });

  test('limit.historyCount.suggestContinueAsNew lowered: workflowInfo().continueAsNewSuggested turns true once the history reaches it', async (t) => {
    const taskQueue = uniqueName(t);
    const info = await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(historyInfoAfterSignals, { taskQueue, workflowId: taskQueue, args: [1] });
      await waitFor('first workflow task completed', async () => {
        const events = (await handle.fetchHistory()).events ?? [];
        return events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) || undefined;
      });
      await handle.signal(tickSignal);
      return handle.result();
    });
    assert.equal(info.continueAsNewSuggested, true);
    const events = (await env.client.workflow.getHandle(taskQueue).fetchHistory()).events ?? [];
    const started = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED).map((e) => e.workflowTaskStartedEventAttributes);
    assert.equal(started[0]?.suggestContinueAsNew, false, 'the first task starts at event 3, below the limit');
    assert.deepEqual(started[started.length - 1]?.suggestContinueAsNewReasons, [
      enums.v1.SuggestContinueAsNewReason.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS,
    ]);
  });

  test('system.enableActivityEagerExecution off: activities a worker asks to run eagerly go through matching', async (t) => {
    const taskQueue = uniqueName(t);
    const before = env.server.stats.eagerActivityTasks;
    const result = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['a', 'b']] }),
    );
    assert.deepEqual(result, ['A', 'B']);
    assert.equal(env.server.stats.eagerActivityTasks, before);

    const raw = `${taskQueue}-raw`;
    await env.connection.workflowService.startWorkflowExecution({
      namespace: env.namespace,
      workflowId: raw,
      workflowType: { name: 'raw' },
      taskQueue: { name: raw },
      requestId: randomUUID(),
    });
    const task = await env.connection.workflowService.pollWorkflowTaskQueue({ namespace: env.namespace, taskQueue: { name: raw }, identity: 'raw' });
    const response = await env.connection.workflowService.respondWorkflowTaskCompleted({
      namespace: env.namespace,
      taskToken: task.taskToken,
      identity: 'raw',
      commands: [
        {
          commandType: enums.v1.CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
          scheduleActivityTaskCommandAttributes: {
            activityId: 'eager',
            activityType: { name: 'echo' },
            taskQueue: { name: raw },
            startToCloseTimeout: { seconds: Long.fromNumber(10) },
            requestEagerExecution: true,
          },
        },
      ],
    });
    assert.deepEqual(response.activityTasks ?? [], []);
    const polled = await env.connection.workflowService.pollActivityTaskQueue({ namespace: env.namespace, taskQueue: { name: raw }, identity: 'raw' });
    assert.equal(polled.activityId, 'eager');
    await env.connection.workflowService.terminateWorkflowExecution({ namespace: env.namespace, workflowExecution: { workflowId: raw } });
  });

  test('limit.blobSize.error: a start or signal whose input is over it fails with INVALID_ARGUMENT "Blob data size exceeds limit."', async (t) => {
    const taskQueue = uniqueName(t);
    const big = 'x'.repeat(12 * KiB);
    await assert.rejects(
      env.client.workflow.start(historyInfoAfterSignals, { taskQueue, workflowId: taskQueue, args: [big as unknown as number] }),
      blobTooLarge,
    );
    // Past the warning limit but within the error limit: accepted (and logged).
    const handle = await env.client.workflow.start(historyInfoAfterSignals, {
      taskQueue,
      workflowId: taskQueue,
      args: ['y'.repeat(5 * KiB) as unknown as number],
    });
    await assert.rejects(
      env.connection.workflowService.signalWorkflowExecution({
        namespace: env.namespace,
        workflowExecution: { workflowId: taskQueue },
        signalName: 'tick',
        input: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(big)) }] },
        requestId: randomUUID(),
      }),
      blobTooLarge,
    );
    await handle.terminate();
  });

  test('limit.blobSize.error: an activity result over it fails the activity, not retryably, with "Complete result exceeds size limit."', async (t) => {
    const taskQueue = uniqueName(t);
    const caught = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(oversizedActivityResult, { taskQueue, workflowId: taskQueue, args: [12 * KiB] }),
    );
    assert.deepEqual(caught, { cause: 'ServerFailure', message: 'Complete result exceeds size limit.', nonRetryable: true });
  });

  test('limit.blobSize.error: a command payload over it fails the workflow task and terminates the run', async (t) => {
    const taskQueue = uniqueName(t);
    const error = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(oversizedActivityInput, { taskQueue, workflowId: taskQueue, args: [12 * KiB] }).then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    assert.ok(error instanceof WorkflowFailedError && error.cause instanceof TerminatedFailure, `expected a terminated run, got ${String(error)}`);
    const message = 'BadScheduleActivityAttributes: ScheduleActivityTaskCommandAttributes.Input exceeds size limit.';
    const events = (await env.client.workflow.getHandle(taskQueue).fetchHistory()).events ?? [];
    const failed = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)?.workflowTaskFailedEventAttributes;
    assert.equal(failed?.cause, enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES);
    assert.equal(failed?.failure?.message, message);
    const terminated = events[events.length - 1];
    assert.equal(terminated?.eventType, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED);
    assert.equal(terminated?.workflowExecutionTerminatedEventAttributes?.reason, message);
    assert.equal(terminated?.workflowExecutionTerminatedEventAttributes?.identity, 'history-service');
  });

  test('limit.blobSize.error: an update response over it fails the workflow task and terminates the run', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(repeater, { taskQueue, workflowId: taskQueue });
      await assert.rejects(handle.executeUpdate(repeatUpdate, { args: [12 * KiB] }));
    });
    const events = (await env.client.workflow.getHandle(taskQueue).fetchHistory()).events ?? [];
    const failed = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)?.workflowTaskFailedEventAttributes;
    assert.equal(failed?.cause, enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE);
    assert.equal(
      events[events.length - 1]?.workflowExecutionTerminatedEventAttributes?.reason,
      'BadUpdateWorkflowExecutionMessage: Message type temporal.api.update.v1.Response exceeds size limit.',
    );
  });

  test('frontend.activityAPIsEnabled false: the activity pause / unpause / reset / options APIs answer UNIMPLEMENTED, as the gate of Temporal 1.28', async () => {
    const execution = { workflowId: 'any' };
    const service = env.connection.workflowService;
    for (const [method, call] of [
      ['PauseActivity', () => service.pauseActivity({ namespace: env.namespace, execution, id: 'a' })],
      ['UnpauseActivity', () => service.unpauseActivity({ namespace: env.namespace, execution, id: 'a' })],
      ['ResetActivity', () => service.resetActivity({ namespace: env.namespace, execution, id: 'a' })],
      ['UpdateActivityOptions', () => service.updateActivityOptions({ namespace: env.namespace, execution, id: 'a' })],
    ] as const) {
      const err = await call().then(
        () => assert.fail(`${method} answered`),
        (e: unknown) => e,
      );
      assert.equal(grpcCode(err), 12 /* UNIMPLEMENTED */, method);
      assert.match(String((err as Error).message), new RegExp(`method ${method} not implemented`));
    }
  });

  test('history.longPollExpirationInterval and matching.longPollExpirationInterval: empty long polls end after the configured time', async (t) => {
    const taskQueue = uniqueName(t);
    const handle = await env.client.workflow.start(historyInfoAfterSignals, { taskQueue, workflowId: taskQueue, args: [1] });
    // Waiting for the close event of a run no worker serves: the poll ends empty when the interval passes.
    let startedAt = Date.now();
    const page = await env.connection.workflowService.getWorkflowExecutionHistory({
      namespace: env.namespace,
      execution: { workflowId: taskQueue },
      waitNewEvent: true,
      historyEventFilterType: enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
    });
    assert.equal(page.history?.events?.length ?? 0, 0);
    const held = Date.now() - startedAt;
    assert.ok(held >= 900 && held < 5000, `history long poll held ${held} ms, expected about 1 s`);
    startedAt = Date.now();
    const poll = await env.connection.workflowService.pollActivityTaskQueue({
      namespace: env.namespace,
      taskQueue: { name: `${taskQueue}-empty` },
      identity: 'raw',
    });
    const waited = Date.now() - startedAt;
    assert.equal(poll.taskToken?.length ?? 0, 0);
    assert.ok(waited >= 900 && waited < 5000, `task poll held ${waited} ms, expected about 1 s`);
    await handle.terminate();
  });

  test('limit.historyCount.error: the change that takes a running run past it terminates the run instead, and the caller gets why', async (t) => {
    const taskQueue = uniqueName(t);
    // No worker: each signal adds one event, until the one that would pass the limit.
    const handle = await env.client.workflow.start(historyInfoAfterSignals, { taskQueue, workflowId: taskQueue, args: [1000] });
    let refused: unknown;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      await handle.signal(tickSignal).catch((err: unknown) => (refused = err));
    }
    const messages: string[] = [];
    for (let e: unknown = refused; e instanceof Error; e = e.cause) messages.push(e.message);
    assert.ok(
      grpcCode(refused) === INVALID_ARGUMENT && messages.some((m) => m.includes('Workflow history count exceeds limit.')),
      `expected INVALID_ARGUMENT "Workflow history count exceeds limit.", got ${String(refused)}`,
    );
    const events = (await handle.fetchHistory()).events ?? [];
    assert.equal(events.length, 61, 'the refused signal is not in history: the termination takes its place');
    const terminated = events[events.length - 1];
    assert.equal(terminated?.eventType, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED);
    assert.equal(terminated?.workflowExecutionTerminatedEventAttributes?.reason, 'Workflow history count exceeds limit.');
    assert.equal(terminated?.workflowExecutionTerminatedEventAttributes?.identity, 'history-service');
  });
});

describe('dynamic config in the in-process test environment', needsInProcessServer('starts its own server'), () => {
  test('createTestWorkflowEnvironment takes the same dynamicConfig (time-skipping server included)', async (t) => {
    installQuietRuntime();
    const testEnv = await createTestWorkflowEnvironment({ dynamicConfig: { 'limit.blobSize.warn': 100, 'limit.blobSize.error': 1000 } });
    try {
      const taskQueue = uniqueName(t);
      await assert.rejects(
        testEnv.client.workflow.start(historyInfoAfterSignals, { taskQueue, workflowId: taskQueue, args: ['x'.repeat(2000) as unknown as number] }),
        blobTooLarge,
      );
    } finally {
      await testEnv.teardown();
    }
  });

  test('a bad value for an honoured key fails the start, naming the key', async () => {
    await assert.rejects(
      createTestWorkflowEnvironment({ dynamicConfig: { 'limit.blobSize.error': -1 } }),
      /limit\.blobSize\.error: expected a non-negative integer/,
    );
  });
});
