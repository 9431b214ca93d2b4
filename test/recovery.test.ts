import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activities, EventType, countEvents, eventNames, freePort, installQuietRuntime, uniqueName, waitFor, workflowBundle } from './helpers';
import { sleeper, slowActivityWorkflow } from './workflows';
import { kill, startCli } from './dev-server-process';

describe('crash recovery', () => {
  test('workflows with a pending timer and a running activity complete after the server is SIGKILLed and restarted on the same database', async (t) => {
    installQuietRuntime();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-recovery-'));
    const db = path.join(dir, 'x.db');
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const taskQueue = uniqueName(t);
    const timerId = `${taskQueue}-timer`;
    const activityId = `${taskQueue}-activity`;

    let server = await startCli(port, db);

    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities,
    });
    let connection = await Connection.connect({ address });
    let client = new Client({ connection });

    try {
      await worker.runUntil(async () => {
        await client.workflow.start(sleeper, { taskQueue, workflowId: timerId, args: [3000] });
        await client.workflow.start(slowActivityWorkflow, { taskQueue, workflowId: activityId, args: [activityId, 2000] });

        // Crash once the timer is on the server and the activity is running in the worker.
        await waitFor('the timer to start', async () => {
          const h = await client.workflow.getHandle(timerId).fetchHistory();
          return countEvents(h.events, EventType.EVENT_TYPE_TIMER_STARTED) === 1 ? true : undefined;
        });
        await waitFor('the activity to start executing', () => (activities.executions.get(activityId) === 1 ? true : undefined));
        await kill(server.child);
        await connection.close().catch(() => undefined);

        server = await startCli(port, db);
        connection = await Connection.connect({ address });
        client = new Client({ connection });

        const [slept, activityResult] = await Promise.all([
          client.workflow.getHandle<typeof sleeper>(timerId).result(),
          client.workflow.getHandle<typeof slowActivityWorkflow>(activityId).result(),
        ]);
        assert.equal(slept, 'slept 3000ms');
        assert.match(activityResult, /^done after \d execution\(s\)$/);
      });
    } finally {
      await connection.close().catch(() => undefined);
      await nativeConnection.close().catch(() => undefined);
    }

    const connection2 = await Connection.connect({ address });
    try {
      const client2 = new Client({ connection: connection2 });
      const timerHistory = (await client2.workflow.getHandle(timerId).fetchHistory()).events ?? [];
      const timerNames = eventNames(timerHistory).join(', ');
      assert.equal(countEvents(timerHistory, EventType.EVENT_TYPE_TIMER_STARTED), 1, `timer workflow history: ${timerNames}`);
      assert.equal(countEvents(timerHistory, EventType.EVENT_TYPE_TIMER_FIRED), 1, `timer workflow history: ${timerNames}`);
      assert.equal(countEvents(timerHistory, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED), 1, `timer workflow history: ${timerNames}`);

      const activityHistory = (await client2.workflow.getHandle(activityId).fetchHistory()).events ?? [];
      const activityNames = eventNames(activityHistory).join(', ');
      assert.equal(countEvents(activityHistory, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 1, `activity workflow history: ${activityNames}`);
      assert.equal(countEvents(activityHistory, EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED), 1, `activity workflow history: ${activityNames}`);
      assert.equal(countEvents(activityHistory, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED), 1, `activity workflow history: ${activityNames}`);
      assert.equal(countEvents(activityHistory, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED), 1, `activity workflow history: ${activityNames}`);

      for (const events of [timerHistory, activityHistory]) {
        const ids = events.map((e) => Number(e.eventId));
        assert.deepEqual(
          ids,
          ids.map((_, i) => i + 1),
          'event IDs must be contiguous from 1 with no duplicates',
        );
      }
      // At-least-once: a lost completion may re-run the activity, but never more than once per attempt the server made.
      const runs = activities.executions.get(activityId) ?? 0;
      t.diagnostic(`activity executions across the crash: ${runs}`);
      assert.ok(runs >= 1 && runs <= 2, `activity ran ${runs} times`);
    } finally {
      await connection2.close();
      await kill(server.child);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
