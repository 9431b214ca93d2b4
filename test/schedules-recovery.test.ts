/**
 * A schedule survives the server being killed: what came due while it was down runs after the restart (within
 * the catch-up window), and no nominal time is acted on twice.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { kill, startCli } from './dev-server-process';
import { delay, freePort, uniqueName, waitFor } from './helpers';

describe('schedule crash recovery', () => {
  test('after a SIGKILL and a restart on the same database, every nominal time is acted on exactly once, those missed while down included', async (t) => {
    const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-sched-')), 'x.db');
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const id = uniqueName(t);
    const { child: server } = await startCli(port, db);
    let connection = await Connection.connect({ address });
    let client = new Client({ connection });
    // ALLOW_ALL and no worker: every nominal time starts a run that stays open, so each one is visible.
    const handle = await client.schedule.create({
      scheduleId: id,
      spec: { intervals: [{ every: '1s' }] },
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
      action: { type: 'startWorkflow', workflowType: 'returnValue', args: [1], taskQueue: id, workflowId: id },
    });
    await waitFor('two actions before the crash', async () => ((await handle.describe()).info.numActionsTaken >= 2 ? true : undefined));
    await kill(server);
    await connection.close().catch(() => undefined);
    const killedAt = Date.now();
    await delay(2500);

    const { child: restarted } = await startCli(port, db);
    connection = await Connection.connect({ address });
    client = new Client({ connection });
    const again = client.schedule.getHandle(id);
    await waitFor('actions after the restart', async () => {
      const d = await again.describe();
      return d.info.recentActions.some((a) => a.scheduledAt.getTime() > killedAt + 3000) ? true : undefined;
    });
    await again.pause();
    const d = await again.describe();

    const scheduled: number[] = [];
    for await (const wf of client.workflow.list({ query: `TemporalScheduledById = '${id}'` })) {
      scheduled.push(Date.parse(wf.workflowId.slice(id.length + 1)));
    }
    scheduled.sort((a, b) => a - b);
    assert.equal(d.info.numActionsTaken, scheduled.length, 'one run per action taken');
    const first = scheduled[0] ?? 0;
    const expected = Array.from({ length: scheduled.length }, (_, i) => first + i * 1000);
    assert.deepEqual(scheduled, expected, 'one run for every second, the seconds while the server was down included');
    assert.ok(
      scheduled.some((s) => s > killedAt && s < killedAt + 2000),
      'the times missed while down were caught up',
    );
    await again.delete();
    await connection.close();
    await kill(restarted);
  });
});
