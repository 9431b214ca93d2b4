/**
 * At synchronous=FULL on a WAL file the store makes commits durable itself: SQLite runs at NORMAL and each group commit
 * is answered after an fdatasync of the WAL on the threadpool, shared by the groups that commit while one runs. A failed
 * fdatasync answers UNAVAILABLE for what it covered, and the store then refuses writes until it is reopened.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ServiceError } from '../../../src/common/errors';
import type { NamespaceRecord } from '../../../src/store/records';
import { SqliteStore, type SqliteStoreOptions } from '../../../src/store/sqlite/sqlite-store';
import { StorageFaults } from '../../../src/store/sqlite/storage-faults';
import { cancelRequestChange, committedRun, newRun, seal, T0 } from '../fixtures';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-wal-sync-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = (): string => path.join(dir, `db-${++files}.db`);

function namespace(name: string, description = ''): NamespaceRecord {
  return { id: `id-${name}`, name, description, ownerEmail: '', retentionMs: 0, data: {}, state: 1, createdTime: T0 };
}

function unavailable(message: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof ServiceError && err.code === 'UNAVAILABLE' && message.test(err.message);
}

describe('the store syncing its write-ahead log', () => {
  test('by default (WAL, synchronous=FULL) commits issued together share fdatasyncs and all settle once synced', async () => {
    const filename = newFile();
    const store = new SqliteStore({ filename });
    assert.ok(store.walSync, 'the store syncs the WAL itself');
    const before = store.walSyncs;
    // Waves of commits, each issued while the previous wave's fdatasync may still run.
    const waves = await Promise.all(
      Array.from({ length: 5 }, async (_, w) => {
        await new Promise((resolve) => setImmediate(resolve, w));
        return Promise.all(Array.from({ length: 20 }, (_, i) => committedRun(store, `wf-${w}-${i}`)));
      }),
    );
    const commits = waves.flat().length;
    const syncs = store.walSyncs - before;
    assert.ok(syncs >= 1 && syncs < commits, `${commits} commits, ${syncs} fdatasyncs`);
    await store.close();
    const reopened = new SqliteStore({ filename });
    for (const ms of waves.flat()) assert.ok(await reopened.getMutableState(ms.namespaceId, ms.workflowId, ms.runId));
    await reopened.close();
  });

  test('keeps syncing the file SQLite writes: checkpoints reuse the WAL in place, never recreate it', async () => {
    const store = new SqliteStore({ filename: newFile() });
    const wal = store.walSync;
    assert.ok(wal);
    // About 8 MB: past the store's checkpoint size (1,000 frames) twice, so the WAL is checkpointed and reused.
    const big = 'x'.repeat(200_000);
    for (let i = 0; i < 40; i++) await store.createNamespace(namespace(`ns-${i}`, big));
    assert.ok(wal.isCurrent(), 'the -wal path still names the file the store fdatasyncs');
    assert.ok(fs.statSync(wal.walPath).size < 8_000_000, 'the WAL was checkpointed and reused');
    await store.close();
  });

  const sqliteSyncs: [string, SqliteStoreOptions][] = [
    ['synchronous=NORMAL', { filename: newFile(), pragmas: { synchronous: 'NORMAL' } }],
    ['synchronous=OFF', { filename: newFile(), pragmas: { synchronous: 'OFF' } }],
    ['synchronous=EXTRA', { filename: newFile(), pragmas: { synchronous: 'EXTRA' } }],
    ['journal_mode=DELETE', { filename: newFile(), pragmas: { journal_mode: 'DELETE' } }],
    ['an in-memory database', {}],
  ];
  for (const [setting, options] of sqliteSyncs) {
    test(`leaves syncing to SQLite with ${setting}`, async () => {
      const store = new SqliteStore(options);
      assert.equal(store.walSync, undefined);
      await committedRun(store, 'wf');
      assert.equal(store.walSyncs, 0);
      await store.close();
    });
  }

  test('a failed fdatasync fails what it covered with UNAVAILABLE, then every write is refused until the store is reopened', async () => {
    const filename = newFile();
    const faults = new StorageFaults();
    const store = new SqliteStore({ filename, faults });
    const runs = await Promise.all(['a', 'b'].map((id) => committedRun(store, id)));
    faults.inject('SQLITE_IOERR', 'wal-sync');
    const results = await Promise.allSettled(runs.map((ms) => store.commit({ runs: [cancelRequestChange(ms)] })));
    for (const r of results) {
      assert.ok(
        r.status === 'rejected' &&
          unavailable(/^UpdateWorkflowExecution operation failed\. Failed to commit transaction\. Error: EIO: i\/o error, fdatasync '.*-wal'$/)(r.reason),
        r.status === 'rejected' ? String(r.reason) : 'fulfilled',
      );
    }
    faults.clear(); // a later fdatasync could succeed, yet prove nothing about the pages the failed one lost
    const refused =
      /operation failed\. Error: the store accepts no writes since an fsync of its write-ahead log failed \(EIO: i\/o error.*\); restart the server$/;
    await assert.rejects(store.commit({ runs: [seal(newRun({ workflowId: 'c' }))] }), unavailable(refused));
    await assert.rejects(store.createNamespace(namespace('later')), unavailable(refused));
    await assert.rejects(store.deleteSchedule('ns', 's'), unavailable(refused));
    assert.equal(faults.failures, 1, 'one fdatasync failed; none was tried after it');
    await store.close();

    // Reopened, SQLite recovers what the disk holds; with no power lost, the page cache still had the unsynced change.
    const reopened = new SqliteStore({ filename });
    await reopened.commit({ runs: [seal(newRun({ workflowId: 'c' }))] });
    await reopened.createNamespace(namespace('later'));
    await reopened.close();
  });
});
