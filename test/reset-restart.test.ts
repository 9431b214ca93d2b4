/** A reset run is durable: a server restarted on the same database file resumes it. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import Long from 'long';
import { HourglassServer } from '../src/server';
import { activities, installQuietRuntime, needsInProcessServer, uniqueName, waitFor, workflowBundle } from './helpers';
import { firstCompletedTaskId, historyOf, isCompletedTask, reset } from './reset-fixtures';
import { resetMessageSignal, resetProbe } from './workflows';

describe('ResetWorkflowExecution and restarts', needsInProcessServer('restarts a server of its own on a database file'), () => {
  test('after a restart on the same database the reset run resumes and completes', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-reset-'));
    const dbFilename = path.join(dir, 'reset.db');
    const taskQueue = uniqueName(t);
    const namespace = 'default';
    // Alone in its file, this spec is the first to touch the worker Runtime (NativeConnection.connect below).
    installQuietRuntime();
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
