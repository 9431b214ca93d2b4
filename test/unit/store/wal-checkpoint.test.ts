/**
 * When the store syncs its WAL itself (WAL, synchronous=FULL) it checkpoints itself too, so SQLite never fsyncs on the
 * event loop: once the WAL has grown past a size, writes wait while the WAL is made durable, copied into the database
 * file, the database file is fdatasynced on the threadpool, and the WAL is emptied. A failed checkpoint is a storage
 * fault: the store refuses writes until it is reopened.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ServiceError } from '../../../src/common/errors';
import type { MutableState } from '../../../src/store/records';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { StorageFaults } from '../../../src/store/sqlite/storage-faults';
import { committedRun, newRun, seal } from '../fixtures';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-wal-checkpoint-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = (): string => path.join(dir, `db-${++files}.db`);
const SMALL_WAL = 16; // frames

/** Waves of concurrent commits, as a busy server makes them. */
async function commitWaves(store: SqliteStore, waves: number, perWave: number): Promise<MutableState[]> {
  const runs: MutableState[] = [];
  for (let w = 0; w < waves; w++) runs.push(...(await Promise.all(Array.from({ length: perWave }, (_, i) => committedRun(store, `wf-${w}-${i}`)))));
  return runs;
}

describe("the store's own checkpoints", () => {
  test('keep the WAL near its checkpoint size, in the same file, and lose nothing across a reopen', async () => {
    const filename = newFile();
    const store = new SqliteStore({ filename, checkpointWalFrames: SMALL_WAL });
    const wal = store.walSync;
    assert.ok(wal);
    const runs = await commitWaves(store, 40, 25);
    assert.ok(store.checkpoints >= 3, `${store.checkpoints} checkpoints`);
    assert.ok(wal.isCurrent(), 'the -wal path still names the file the store fdatasyncs');
    // Reused in place: its size is the most frames written between two checkpoints, not the 1,000 commits' thousands.
    const frames = (fs.statSync(wal.walPath).size - 32) / (4096 + 24);
    assert.ok(frames < 500, `a WAL of ${frames} frames`);
    await store.close();
    const reopened = new SqliteStore({ filename });
    for (const ms of runs) assert.ok(await reopened.getMutableState(ms.namespaceId, ms.workflowId, ms.runId), ms.workflowId);
    await reopened.close();
  });

  test('commits and single writes made while a checkpoint runs wait for it, then all settle', async () => {
    const store = new SqliteStore({ filename: newFile(), checkpointWalFrames: SMALL_WAL });
    // Each wave may find a checkpoint running; every one of them must settle, none be lost or answered twice.
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, w) => {
        await new Promise((resolve) => setImmediate(resolve));
        const namespace = store.createNamespace({
          id: `id-${w}`,
          name: `ns-${w}`,
          description: '',
          ownerEmail: '',
          retentionMs: 0,
          data: {},
          state: 1,
          createdTime: 0,
        });
        const runs = Promise.all(Array.from({ length: 20 }, (_, i) => committedRun(store, `wave-${w}-${i}`)));
        await namespace;
        return (await runs).length;
      }),
    );
    assert.equal(
      results.reduce((a, b) => a + b, 0),
      600,
    );
    assert.ok(store.checkpoints >= 1);
    assert.equal((await store.listNamespaces()).length, 30);
    await store.close();
  });

  test('SQLite checkpoints as before when it syncs itself (synchronous=NORMAL)', async () => {
    const store = new SqliteStore({ filename: newFile(), pragmas: { synchronous: 'NORMAL' }, checkpointWalFrames: SMALL_WAL });
    await commitWaves(store, 10, 25);
    assert.equal(store.checkpoints, 0);
    await store.close();
  });

  test('a failed fdatasync of the database file in a checkpoint makes the store refuse writes until it is reopened', async () => {
    const filename = newFile();
    const faults = new StorageFaults();
    const store = new SqliteStore({ filename, faults, checkpointWalFrames: SMALL_WAL });
    faults.inject('SQLITE_IOERR', 'database-sync');
    // Commits succeed (their WAL syncs do) until a checkpoint's sync of the database file fails; then every write is refused.
    let refused: unknown;
    for (let w = 0; w < 200 && refused === undefined; w++) {
      const settled = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => committedRun(store, `wf-${w}-${i}`)));
      refused = settled.find((r) => r.status === 'rejected')?.reason;
    }
    assert.ok(
      refused instanceof ServiceError &&
        refused.code === 'UNAVAILABLE' &&
        /the store accepts no writes since a checkpoint of its write-ahead log failed \(EIO: i\/o error, fdatasync '.*\.db'\); restart the server$/.test(
          refused.message,
        ),
      String(refused),
    );
    assert.equal(faults.failures, 1);
    faults.clear();
    await assert.rejects(store.commit({ runs: [seal(newRun({ workflowId: 'later' }))] }), /checkpoint of its write-ahead log failed/);
    await store.close();
    const reopened = new SqliteStore({ filename });
    await reopened.commit({ runs: [seal(newRun({ workflowId: 'later' }))] });
    await reopened.close();
  });
});
