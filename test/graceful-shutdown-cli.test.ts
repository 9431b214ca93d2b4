/**
 * Graceful shutdown of `hourglass server start-dev` under SDK load: SIGTERM drains (Temporal's
 * `frontend.shutdownDrainDuration`, at least 1 s), closes the database and exits 0; every start and signal the client
 * was answered OK for is there after a restart on the same file, and the workflows complete.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activities, delay, freePort, installQuietRuntime, uniqueName, waitFor, workflowBundle } from './helpers';
import { addMessageSignal, collectMessages, doneSignal } from './workflows';
import { kill, startCli, type RunningCli } from './dev-server-process';

/** Generous: the drain is 1 s; the rest is closing the database and the process, on a loaded 2-core machine. */
const EXIT_BOUND_MS = 15_000;
const CLIENTS = 4;
const SIGNALS_PER_WORKFLOW = 3;

/** Resolves with the exit code once `child` exits, and how long after the call that was. */
function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const since = performance.now();
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode, ms: 0 });
    else child.once('exit', (code, signal) => resolve({ code, signal, ms: performance.now() - since }));
  });
}

describe('graceful shutdown of server start-dev (SIGTERM)', () => {
  test('SIGTERM mid-load exits 0 within the bound; every acknowledged start and signal survives the restart and the workflows complete', async (t) => {
    installQuietRuntime();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-shutdown-'));
    const db = path.join(dir, 'x.db');
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const taskQueue = uniqueName(t);

    let server = await startCli(port, db, { logLevel: 'info' });
    const nativeConnection = await NativeConnection.connect({ address });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    const worker = await Worker.create({ connection: nativeConnection, namespace: 'default', taskQueue, workflowBundle: await workflowBundle(), activities });

    /** Workflow id → the signals the client was answered OK for, for every start it was answered OK for. */
    const acknowledged = new Map<string, string[]>();
    let failedCalls = 0;
    let loadOn = true;
    const load = async (client_: number): Promise<void> => {
      for (let n = 0; loadOn; n++) {
        const workflowId = `${taskQueue}-${client_}-${n}`;
        try {
          await client.workflow.start(collectMessages, { taskQueue, workflowId });
        } catch {
          failedCalls++;
          continue;
        }
        const signals: string[] = [];
        acknowledged.set(workflowId, signals);
        for (let s = 0; s < SIGNALS_PER_WORKFLOW && loadOn; s++) {
          const message = `${workflowId}/${s}`;
          try {
            await client.workflow.getHandle(workflowId).signal(addMessageSignal, message);
            signals.push(message);
          } catch {
            failedCalls++;
          }
        }
      }
    };

    try {
      await worker.runUntil(async () => {
        const clients = Array.from({ length: CLIENTS }, (_, i) => load(i));
        await waitFor('some workflows under load', () => (acknowledged.size >= 20 ? true : undefined), 30_000);

        const exit = exited(server.child);
        server.child.kill('SIGTERM');
        const { code, signal, ms } = await exit;
        t.diagnostic(`exit ${code} (${signal}) ${Math.round(ms)} ms after SIGTERM, with ${acknowledged.size} workflows acknowledged`);
        assert.equal(code, 0, server.output());
        assert.ok(ms < EXIT_BOUND_MS, `exited ${Math.round(ms)} ms after SIGTERM`);
        assert.match(server.output(), /INFO shutting down/);
        assert.match(server.output(), /INFO stopped/);
        // SQLite checkpoints its WAL into the file when the last connection closes cleanly.
        assert.ok(!fs.existsSync(`${db}-wal`) || fs.statSync(`${db}-wal`).size === 0, 'the WAL is checkpointed');

        // The client and the worker retry what was refused; they carry on against the restarted server.
        server = await startCli(port, db);
        const before = acknowledged.size;
        await waitFor('new starts after the restart', () => (acknowledged.size > before + CLIENTS ? true : undefined), 30_000);
        loadOn = false;
        await Promise.all(clients);
        t.diagnostic(`${acknowledged.size} workflows acknowledged in all, ${failedCalls} calls failed`);

        await Promise.all(
          [...acknowledged.entries()].map(async ([workflowId, signals]) => {
            const handle = client.workflow.getHandle<typeof collectMessages>(workflowId);
            await handle.signal(doneSignal);
            const received = await handle.result();
            for (const message of signals) assert.ok(received.includes(message), `${workflowId} lost the acknowledged signal ${message}`);
          }),
        );
      });
    } finally {
      loadOn = false;
      await connection.close().catch(() => undefined);
      await nativeConnection.close().catch(() => undefined);
      await kill(server.child);
      await delay(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A CLI server holding a call shutdown cannot end (a query no worker answers); `stop` signals it and waits for the exit. */
  async function withHeldCall(
    t: TestContext,
    args: string[],
    stop: (server: RunningCli) => Promise<{ code: number | null; ms: number }>,
  ): Promise<{ code: number | null; ms: number; output: string; query: unknown }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-shutdown-'));
    const port = await freePort();
    const server = await startCli(port, path.join(dir, 'x.db'), { logLevel: 'info', args });
    const connection = await Connection.connect({ address: `127.0.0.1:${port}`, interceptors: [] });
    try {
      const workflowId = uniqueName(t);
      await new Client({ connection }).workflow.start(collectMessages, { taskQueue: `${workflowId}-nobody-polls`, workflowId });
      const query = connection.workflowService.queryWorkflow({ namespace: 'default', execution: { workflowId }, query: { queryType: 'messages' } }).then(
        () => 'answered',
        (err: unknown) => err,
      );
      await connection.workflowService.getSystemInfo({}); // answered after the query's stream arrived
      const { code, ms } = await stop(server);
      return { code, ms, output: server.output(), query: await query };
    } finally {
      await connection.close().catch(() => undefined);
      await kill(server.child);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('a call still under way at the drain deadline is cut, and the server exits 0 (nothing acknowledged was left)', async (t) => {
    const { code, ms, output, query } = await withHeldCall(t, [], async (server) => {
      const exit = exited(server.child);
      server.child.kill('SIGTERM');
      return exit;
    });
    t.diagnostic(`exit ${code} ${Math.round(ms)} ms after SIGTERM`);
    assert.equal(code, 0, output);
    assert.ok(ms < EXIT_BOUND_MS, `exited ${Math.round(ms)} ms after SIGTERM`);
    assert.match(output, /WARN drain time expired, cutting what is left drainMs=1000 calls=1/);
    assert.match(output, /INFO stopped .*drained=false/);
    assert.notEqual(query, 'answered');
  });

  test('a second SIGTERM while draining exits at once, with 1', async (t) => {
    const { code, ms, output } = await withHeldCall(t, ['--dynamic-config-value', 'frontend.shutdownDrainDuration="60s"'], async (server) => {
      const exit = exited(server.child);
      server.child.kill('SIGTERM');
      await waitFor('the drain to begin', () => (server.output().includes('shutting down') ? true : undefined));
      server.child.kill('SIGTERM');
      return exit;
    });
    t.diagnostic(`exit ${code} ${Math.round(ms)} ms after the first SIGTERM`);
    assert.equal(code, 1, output);
    assert.ok(ms < EXIT_BOUND_MS, `exited ${Math.round(ms)} ms after the first SIGTERM, not after the 60 s drain`);
    assert.match(output, /WARN second signal received, exiting immediately signal=SIGTERM/);
    assert.doesNotMatch(output, /INFO stopped/);
  });
});
