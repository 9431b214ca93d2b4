/**
 * Nothing acknowledged is lost when the server dies mid-burst: many clients start workflows and signal them at once, the
 * `start-dev` process is SIGKILLed while commits (and their fsyncs) are under way, and after a restart on the same file
 * every start and every signal whose RPC was answered OK is there.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { EventType, freePort, uniqueName, waitFor } from './helpers';
import { kill, startCli } from './dev-server-process';

const CLIENTS = 4;
const LOOPS_PER_CLIENT = 8;
const SIGNALS_PER_WORKFLOW = 3;

describe('a server SIGKILLed during a burst of commits', () => {
  test('keeps every workflow start and signal it answered OK, after a restart on the same database', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-burst-'));
    const db = path.join(dir, 'burst.db');
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const prefix = uniqueName(t);
    let server = await startCli(port, db);

    /** Acknowledged: workflow id → the run id its start answered, and the signals answered OK. */
    const acked = new Map<string, { runId: string; signals: string[] }>();
    let killed = false;
    const connections = await Promise.all(Array.from({ length: CLIENTS }, () => Connection.connect({ address })));
    const loop = async (client: Client, loopId: string): Promise<void> => {
      for (let n = 0; !killed; n++) {
        const workflowId = `${prefix}-${loopId}-${n}`;
        const handle = await client.workflow.start('burstWorkflow', { taskQueue: `${prefix}-queue`, workflowId });
        if (killed) return;
        const entry = { runId: handle.firstExecutionRunId, signals: [] as string[] };
        acked.set(workflowId, entry);
        for (let s = 0; s < SIGNALS_PER_WORKFLOW && !killed; s++) {
          const name = `poke-${s}`;
          await handle.signal(name);
          if (!killed) entry.signals.push(name);
        }
      }
    };
    const loops = connections.flatMap((connection, c) =>
      Array.from({ length: LOOPS_PER_CLIENT }, (_, l) => loop(new Client({ connection }), `c${c}l${l}`).catch(() => undefined)),
    );

    try {
      await waitFor('a burst of acknowledged commits', () => (acked.size >= 150 ? true : undefined), 30_000);
      // The flag first: an answer that arrives from here on is not counted, though it was given before the kill.
      killed = true;
      await kill(server.child);
      const signals = [...acked.values()].reduce((sum, e) => sum + e.signals.length, 0);
      t.diagnostic(`acknowledged before the kill: ${acked.size} starts, ${signals} signals`);

      server = await startCli(port, db);
      // The calls cut by the kill are retried by the SDK against the restarted server; each loop then stops. (A channel
      // closed under a retrying call makes the SDK throw outside any promise.)
      await Promise.all(loops);
      await Promise.all(connections.map((c) => c.close()));
      const connection = await Connection.connect({ address });
      try {
        const client = new Client({ connection });
        for (const [workflowId, entry] of acked) {
          const handle = client.workflow.getHandle(workflowId, entry.runId);
          const events = (await handle.fetchHistory()).events ?? [];
          assert.equal(events[0]?.eventType, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, `${workflowId} was started`);
          const received = events
            .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
            .map((e) => e.workflowExecutionSignaledEventAttributes?.signalName);
          for (const name of entry.signals) {
            assert.ok(received.includes(name), `${workflowId} lost its acknowledged signal ${name} (has ${received.join(', ')})`);
          }
        }
      } finally {
        await connection.close();
      }
    } finally {
      killed = true;
      await kill(server.child);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
