import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { HourglassServer } from '../src/server';
import {
  activities,
  EventType,
  eventNames,
  grpcCode,
  grpcDetails,
  needsInProcessServer,
  rejectionOf,
  uniqueName,
  useHourglassServer,
  waitFor,
  withWorker,
  workflowBundle,
  type HistoryEvent,
} from './helpers';
import { resetMessageSignal, resetMessageUpdate, resetProbe, resetProbeParent, type ResetProbeResult } from './workflows';

const env = useHourglassServer();

const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const { ResetReapplyType, ResetReapplyExcludeType, WorkflowTaskFailedCause } = temporal.api.enums.v1;
type ResetRequest = temporal.api.workflowservice.v1.IResetWorkflowExecutionRequest;

function reset(client: Client, namespace: string, request: ResetRequest): Promise<string> {
  return client.workflowService
    .resetWorkflowExecution({ namespace, reason: 'spec reset', requestId: randomUUID(), ...request })
    .then((response) => response.runId);
}

/** The id of the first WorkflowTaskCompleted event: the usual reset point ("FirstWorkflowTask"). */
function firstCompletedTaskId(events: readonly HistoryEvent[] | null | undefined): number {
  const event = events?.find(isCompletedTask);
  assert.ok(event, `no completed workflow task in ${eventNames(events).join(', ')}`);
  return Number(event.eventId);
}

async function historyOf(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

/**
 * Starts resetProbe(expected), sends `messages` as signals and waits until a workflow task has seen them; returns a
 * handle on that run (a handle from `start` follows the workflow id to whichever run is current).
 */
type Probe = { base: WorkflowHandle<typeof resetProbe>; baseRunId: string };
async function probeWithSignals(taskQueue: string, expected: number, messages: string[]): Promise<Probe> {
  const started = await env.client.workflow.start(resetProbe, { taskQueue, workflowId: taskQueue, args: [expected] });
  for (const message of messages) await started.signal(resetMessageSignal, message);
  const handle = env.client.workflow.getHandle<typeof resetProbe>(taskQueue, started.firstExecutionRunId);
  await waitFor('a workflow task after the signals', async () => (settled(await historyOf(handle)) ? true : undefined));
  return { base: handle, baseRunId: started.firstExecutionRunId };
}

function isCompletedTask(e: HistoryEvent): boolean {
  return e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
}

/** The run has nothing in flight: its last event is a completed workflow task, or its completion. */
function settled(events: readonly HistoryEvent[]): boolean {
  const last = events.at(-1)?.eventType;
  return last === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || last === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED;
}

describe('ResetWorkflowExecution', () => {
  test('a running workflow reset to its first workflow task continues in a new run: the current run is terminated and its signals reapplied', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { base, baseRunId } = await probeWithSignals(taskQueue, 2, ['first']);
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
      const { base, baseRunId } = await probeWithSignals(taskQueue, 1, ['only']);
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
      const { base } = await probeWithSignals(taskQueue, 1, ['dropped']);
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

  test('a reset request is idempotent by request id: the same id answers the run it created', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { base } = await probeWithSignals(taskQueue, 2, ['one']);
      const point = firstCompletedTaskId(await historyOf(base));
      const request: ResetRequest = {
        workflowExecution: { workflowId: taskQueue },
        workflowTaskFinishEventId: Long.fromNumber(point),
        requestId: randomUUID(),
      };
      const first = await reset(env.client, env.namespace, request);
      const again = await reset(env.client, env.namespace, request);
      assert.equal(again, first, 'the retried request answers the same new run');
      const other = await reset(env.client, env.namespace, { ...request, requestId: randomUUID() });
      assert.notEqual(other, first, 'a new request id resets again');
      const description = await env.client.workflow.getHandle(taskQueue).describe();
      assert.equal(description.runId, other);
      assert.equal((await env.client.workflow.getHandle(taskQueue, first).describe()).status.name, 'TERMINATED');
      await env.client.workflow.getHandle(taskQueue).terminate('done');
    });
  });

  test('bad requests get INVALID_ARGUMENT or NOT_FOUND with Temporal’s messages', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { base, baseRunId } = await probeWithSignals(taskQueue, 3, ['one']);
      // A second signal after the run settled: its workflow task guarantees an event after the first completed
      // task, even when the first signal arrived before the first task started.
      await base.signal(resetMessageSignal, 'two');
      const history = await waitFor('a workflow task after the second signal', async () => {
        const events = await historyOf(base);
        return settled(events) && events.filter(isCompletedTask).length >= 2 ? events : undefined;
      });
      const point = firstCompletedTaskId(history);
      const nextEventId = Number(history.at(-1)?.eventId) + 1;
      const workflowExecution = { workflowId: taskQueue, runId: baseRunId };
      const cases: [string, ResetRequest, number, string][] = [
        [
          'no request id',
          { workflowExecution, workflowTaskFinishEventId: Long.fromNumber(point), requestId: '' },
          INVALID_ARGUMENT,
          'RequestId is not set on request.',
        ],
        ['no execution', { workflowExecution: null, workflowTaskFinishEventId: Long.fromNumber(point) }, INVALID_ARGUMENT, 'Execution is not set on request.'],
        [
          'no workflow id',
          { workflowExecution: { workflowId: '' }, workflowTaskFinishEventId: Long.fromNumber(point) },
          INVALID_ARGUMENT,
          'WorkflowId is not set on request.',
        ],
        [
          'a run id that is no UUID',
          { workflowExecution: { workflowId: taskQueue, runId: 'nope' }, workflowTaskFinishEventId: Long.fromNumber(point) },
          INVALID_ARGUMENT,
          'Invalid RunId.',
        ],
        [
          'a post-reset operation',
          { workflowExecution, workflowTaskFinishEventId: Long.fromNumber(point), postResetOperations: [{ signalWorkflow: { signalName: 'x' } }] },
          INVALID_ARGUMENT,
          'unsupported post reset operation',
        ],
        [
          'the start event',
          { workflowExecution, workflowTaskFinishEventId: Long.fromNumber(1) },
          INVALID_ARGUMENT,
          'Workflow task finish ID must be > 1 && <= workflow last event ID.',
        ],
        [
          'beyond the history',
          { workflowExecution, workflowTaskFinishEventId: Long.fromNumber(nextEventId) },
          INVALID_ARGUMENT,
          'Workflow task finish ID must be > 1 && <= workflow last event ID.',
        ],
        [
          'an event after a completed task',
          { workflowExecution, workflowTaskFinishEventId: Long.fromNumber(point + 1) },
          INVALID_ARGUMENT,
          `Can only reset workflow to event ID in range [WorkflowTaskScheduled +1, WorkflowTaskStarted + 1]: ${point + 1}`,
        ],
        [
          'an unknown run',
          { workflowExecution: { workflowId: taskQueue, runId: randomUUID() }, workflowTaskFinishEventId: Long.fromNumber(point) },
          NOT_FOUND,
          'workflow execution not found',
        ],
        [
          'an unknown workflow',
          { workflowExecution: { workflowId: `${taskQueue}-unknown` }, workflowTaskFinishEventId: Long.fromNumber(point) },
          NOT_FOUND,
          'workflow execution not found',
        ],
      ];
      for (const [what, request, code, message] of cases) {
        const err = await rejectionOf(reset(env.client, env.namespace, request), `a reset to ${what}`);
        assert.equal(grpcCode(err), code, `${what}: ${grpcDetails(err)}`);
        assert.ok(grpcDetails(err).startsWith(message), `${what}: ${grpcDetails(err)}`);
      }
      assert.equal((await base.describe()).status.name, 'RUNNING', 'a refused reset changes nothing');
      await base.terminate('done');
    });
  });

  test('a reset to a WorkflowTaskStarted event fails the task the new run inherits as scheduled', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { base } = await probeWithSignals(taskQueue, 2, ['one']);
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

describe('ResetWorkflowExecution and restarts', needsInProcessServer('restarts a server of its own on a database file'), () => {
  test('after a restart on the same database the reset run resumes and completes', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-reset-'));
    const dbFilename = path.join(dir, 'reset.db');
    const taskQueue = uniqueName(t);
    const namespace = 'default';
    const open = async (): Promise<{ server: HourglassServer; client: Client; native: NativeConnection; close(): Promise<void> }> => {
      const server = await HourglassServer.start({ port: 0, dbFilename });
      const connection = await Connection.connect({ address: server.address });
      const native = await NativeConnection.connect({ address: server.address });
      const client = new Client({ connection, namespace });
      return {
        server,
        client,
        native,
        close: async () => {
          await native.close();
          await connection.close();
          await server.close();
        },
      };
    };
    const workerOn = async (native: NativeConnection): Promise<Worker> =>
      Worker.create({ connection: native, namespace, taskQueue, workflowBundle: await workflowBundle(), activities });
    try {
      const first = await open();
      let newRunId = '';
      const worker = await workerOn(first.native);
      await worker.runUntil(async () => {
        const handle = await first.client.workflow.start(resetProbe, { taskQueue, workflowId: taskQueue, args: [2] });
        await handle.signal(resetMessageSignal, 'before');
        const events = await waitFor('a completed workflow task', async () => {
          const h = await historyOf(handle);
          return h.some(isCompletedTask) ? h : undefined;
        });
        newRunId = await reset(first.client, namespace, {
          workflowExecution: { workflowId: taskQueue },
          workflowTaskFinishEventId: Long.fromNumber(firstCompletedTaskId(events)),
        });
      });
      await first.close();

      const second = await open();
      try {
        const resumed = await (
          await workerOn(second.native)
        ).runUntil(async () => {
          const latest = second.client.workflow.getHandle<typeof resetProbe>(taskQueue);
          await latest.signal(resetMessageSignal, 'after');
          return latest.result();
        });
        assert.equal(resumed.runId, newRunId);
        assert.deepEqual(resumed.messages, ['before', 'after']);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
