/**
 * Storage faults, with the official SDK against an in-process server on an SQLite file: a commit that fails on a full
 * or failing disk answers UNAVAILABLE and acknowledges nothing (nothing in memory moves on: tasks, updates and schedule
 * actions wait for the disk), the SDK retries through the fault, and the workflows complete with well-formed histories
 * that read back the same after a restart. The files a server refuses at start: storage-files.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection, ScheduleOverlapPolicy, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { HourglassServer } from '../src/server';
import { StorageFaults } from '../src/store/sqlite/storage-faults';
import {
  activities,
  countEvents,
  delay,
  EventType,
  grpcCode,
  grpcDetails,
  type HistoryEvent,
  installQuietRuntime,
  needsInProcessServer,
  rejectionOf,
  uniqueName,
  waitFor,
  workflowBundle,
} from './helpers';
import { addItemUpdate, cart, closeCartSignal, countSignals, incrementSignal, itemsQuery, returnValue, sequentialActivities } from './workflows';

const UNAVAILABLE = 14;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-storage-faults-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = (name = 'db'): string => path.join(dir, `${name}-${++files}.db`);

/** The gRPC status message under the SDK's wrapping errors (e.g. WorkflowStartError's cause). */
function statusMessage(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    if (typeof (e as { code?: unknown }).code === 'number') return grpcDetails(e);
    e = (e as { cause?: unknown }).cause;
  }
  return String(err);
}

/** Event ids 1..n in order, one start and one close, and each activity scheduled, started and closed exactly once. */
function assertWellFormed(events: HistoryEvent[]): void {
  assert.deepEqual(
    events.map((e) => Number(e.eventId)),
    events.map((_, i) => i + 1),
  );
  assert.equal(countEvents(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED), 1);
  assert.equal(events.at(-1)?.eventType, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
  const scheduled = countEvents(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
  assert.equal(countEvents(events, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED), scheduled);
  assert.equal(countEvents(events, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED), scheduled);
  const wfScheduled = countEvents(events, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  assert.equal(countEvents(events, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED), wfScheduled);
}

describe('a commit that fails on a full or failing disk', needsInProcessServer('injects storage faults into the in-process store'), () => {
  const db = newFile();
  const faults = new StorageFaults();
  let server: HourglassServer;
  let connection: Connection;
  /** Without the SDK's retry interceptor, so a spec sees the status the server answered. */
  let once: Client;
  let client: Client;
  let nativeConnection: NativeConnection;
  const histories = new Map<string, HistoryEvent[]>();

  before(async () => {
    installQuietRuntime();
    server = await HourglassServer.start({ port: 0, dbFilename: db, storageFaults: faults });
    connection = await Connection.connect({ address: server.address });
    once = new Client({ connection: await Connection.connect({ address: server.address, interceptors: [] }) });
    client = new Client({ connection });
    nativeConnection = await NativeConnection.connect({ address: server.address });
    await workflowBundle();
  });

  after(async () => {
    faults.clear();
    await nativeConnection.close();
    await once.connection.close();
    await connection.close();
    await server.close();
  });

  const worker = async (taskQueue: string): Promise<Worker> =>
    Worker.create({ connection: nativeConnection, namespace: 'default', taskQueue, workflowBundle: await workflowBundle(), activities });

  test("StartWorkflowExecution answers UNAVAILABLE with Temporal's persistence message, starts nothing, and succeeds once the disk has room", async (t) => {
    const taskQueue = uniqueName(t);
    faults.inject('SQLITE_FULL');
    const err = await rejectionOf(once.workflow.start(returnValue, { taskQueue, workflowId: taskQueue, args: ['x'] }));
    faults.clear();
    assert.equal(grpcCode(err), UNAVAILABLE);
    assert.match(statusMessage(err), /^CreateWorkflowExecution operation failed\. Error: database or disk is full$/);
    assert.ok((await rejectionOf(client.workflow.getHandle(taskQueue).describe())) instanceof WorkflowNotFoundError);
    assert.equal((await client.workflow.count(`WorkflowId = '${taskQueue}'`)).count, 0);

    const handle = await once.workflow.start(returnValue, { taskQueue, workflowId: taskQueue, args: ['x'] });
    const w = await worker(taskQueue);
    assert.equal(await w.runUntil(handle.result()), 'x');
  });

  for (const point of ['commit-left-open', 'commit-rolled-back'] as const) {
    test(`a signal whose COMMIT fails (${point === 'commit-left-open' ? 'transaction left open' : 'rolled back by SQLite'}) is not delivered; the ones after the fault are, once each`, async (t) => {
      const taskQueue = uniqueName(t);
      const handle = await client.workflow.start(countSignals, { taskQueue, workflowId: taskQueue, args: [2] });
      faults.inject('SQLITE_IOERR', point);
      const err = await rejectionOf(once.workflow.getHandle(taskQueue).signal(incrementSignal, 100));
      faults.clear();
      assert.equal(grpcCode(err), UNAVAILABLE);
      assert.match(statusMessage(err), /^UpdateWorkflowExecution operation failed\. Failed to commit transaction\. Error: disk I\/O error$/);
      const { events = [] } = await handle.fetchHistory();
      assert.equal(countEvents(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 0);

      await handle.signal(incrementSignal, 1);
      await handle.signal(incrementSignal, 2);
      const w = await worker(taskQueue);
      assert.deepEqual(await w.runUntil(handle.result()), { count: 2, sum: 3 });
      const history = (await handle.fetchHistory()).events ?? [];
      assert.equal(countEvents(history, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 2);
      histories.set(taskQueue, history);
    });
  }

  test('a worker keeps running through a fault window: the SDK retries UNAVAILABLE and the workflows complete with their results and well-formed histories', async (t) => {
    const taskQueue = uniqueName(t);
    const w = await worker(taskQueue);
    await w.runUntil(async () => {
      const running = await client.workflow.start(sequentialActivities, { taskQueue, workflowId: `${taskQueue}-a`, args: [['a', 'b', 'c', 'd', 'e']] });
      await waitFor('the first activity to complete', async () => {
        const { events } = await running.fetchHistory();
        return countEvents(events, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) >= 1 || undefined;
      });
      const failuresBefore = faults.failures;
      faults.inject('SQLITE_IOERR', 'commit-rolled-back');
      // Started during the fault: the client's own retries carry it over.
      const startedDuringFault = client.workflow.start(sequentialActivities, { taskQueue, workflowId: `${taskQueue}-b`, args: [['x', 'y']] });
      await delay(1500);
      faults.clear();
      assert.ok(faults.failures > failuresBefore, 'the fault window failed some commits');
      const late = await startedDuringFault;
      assert.deepEqual(await running.result(), ['A', 'B', 'C', 'D', 'E']);
      assert.deepEqual(await late.result(), ['X', 'Y']);
      for (const handle of [running, late]) {
        const events = (await handle.fetchHistory()).events ?? [];
        assertWellFormed(events);
        histories.set(handle.workflowId, events);
      }
    });
  });

  test('a task polled while its start cannot be recorded stays queued: the worker gets it once the disk recovers', async (t) => {
    const taskQueue = uniqueName(t);
    // No worker yet: the workflow task waits in the queue, and the activity task will too.
    const handle = await client.workflow.start(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['p']] });
    faults.inject('SQLITE_FULL');
    const failuresBefore = faults.failures;
    const w = await worker(taskQueue);
    const result = w.runUntil(async () => {
      await waitFor('a poll to fail on the fault', () => faults.failures > failuresBefore || undefined, 10_000);
      faults.clear();
      return handle.result();
    });
    assert.deepEqual(await result, ['P']);
    const events = (await handle.fetchHistory()).events ?? [];
    assertWellFormed(events);
    histories.set(taskQueue, events);
  });

  test('an update whose delivery cannot be recorded is not admitted: the same update, sent again once the disk recovers, completes', async (t) => {
    const taskQueue = uniqueName(t);
    const w = await worker(taskQueue);
    await w.runUntil(async () => {
      const handle = await client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      await handle.query(itemsQuery); // the first workflow task is done: the run is idle
      faults.inject('SQLITE_FULL');
      const err = await rejectionOf(once.workflow.getHandle(taskQueue).executeUpdate(addItemUpdate, { args: [5], updateId: 'add-5' }));
      faults.clear();
      assert.equal(grpcCode(err), UNAVAILABLE);
      const total = handle.executeUpdate(addItemUpdate, { args: [5], updateId: 'add-5' });
      assert.equal(await Promise.race([total, delay(10_000).then(() => 'the update was not delivered within 10s')]), 5);
      await handle.signal(closeCartSignal);
      assert.deepEqual(await handle.result(), [5]);
    });
  });

  test('a schedule whose wake-up or start fails on the fault acts again once the disk recovers', async (t) => {
    const taskQueue = uniqueName(t);
    const schedule = await client.schedule.create({
      scheduleId: taskQueue,
      spec: { intervals: [{ every: '1s' }] },
      action: { type: 'startWorkflow', workflowType: returnValue, args: ['tick'], taskQueue, workflowId: taskQueue },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    });
    try {
      await waitFor('a first action', async () => ((await schedule.describe()).info.numActionsTaken >= 1 ? true : undefined), 10_000);
      const failuresBefore = faults.failures;
      faults.inject('SQLITE_FULL');
      await waitFor('a wake-up to fail on the fault', () => faults.failures > failuresBefore || undefined, 10_000);
      await delay(1200);
      faults.clear();
      const taken = (await schedule.describe()).info.numActionsTaken;
      await waitFor('two more actions', async () => ((await schedule.describe()).info.numActionsTaken >= taken + 2 ? true : undefined), 10_000);
    } finally {
      await schedule.delete();
    }
  });

  test('the file holds exactly what the server answered: after a restart on it, every history reads back the same', async () => {
    assert.ok(histories.size >= 4);
    await server.close();
    server = await HourglassServer.start({ port: 0, dbFilename: db });
    const restarted = new Client({ connection: await Connection.connect({ address: server.address }) });
    try {
      for (const [workflowId, events] of histories) {
        const reread = (await restarted.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
        assert.deepEqual(
          reread.map((e) => [Number(e.eventId), e.eventType]),
          events.map((e) => [Number(e.eventId), e.eventType]),
          workflowId,
        );
      }
    } finally {
      await restarted.connection.close();
    }
  });
});
