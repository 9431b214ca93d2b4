/**
 * A storage fault (disk full, I/O error) in the store: every commit of the group fails with Temporal's UNAVAILABLE,
 * nothing of the group is written, the mutable-state cache keeps only what the database holds, and once the fault is
 * gone the same commits succeed. The COMMIT statement's two failure modes are checked on TransactionRunner itself.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceError } from '../../../src/common/errors';
import { CachedStore } from '../../../src/store/cached-store';

import { TransactionRunner, type NativeConnection } from '../../../src/store/sqlite/driver';
import { openDatabase } from '../../../src/store/sqlite/open-database';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { StorageFaults, type StorageFaultPoint } from '../../../src/store/sqlite/storage-faults';
import { cancelRequestChange, committedRun, newRun, seal, T0 } from '../fixtures';

function newStore(): { store: CachedStore; faults: StorageFaults } {
  const faults = new StorageFaults();
  return { store: new CachedStore(new SqliteStore({ faults })), faults };
}

function unavailable(message: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof ServiceError && err.code === 'UNAVAILABLE' && message.test(err.message);
}

const POINTS: [StorageFaultPoint, RegExp][] = [
  ['write', /^UpdateWorkflowExecution operation failed\. Error: database or disk is full$/],
  ['commit-left-open', /^UpdateWorkflowExecution operation failed\. Failed to commit transaction\. Error: database or disk is full$/],
  ['commit-rolled-back', /^UpdateWorkflowExecution operation failed\. Failed to commit transaction\. Error: database or disk is full$/],
];

describe('a storage fault in a group commit', () => {
  for (const [point, message] of POINTS) {
    test(`at ${point}: every commit of the group fails with UNAVAILABLE, none is written, and they succeed once the fault is gone`, async () => {
      const { store, faults } = newStore();
      const runs = await Promise.all(['a', 'b', 'c'].map((id) => committedRun(store, id)));
      faults.inject('SQLITE_FULL', point);
      // Issued in one turn of the event loop: one group, one SQLite transaction.
      const results = await Promise.allSettled(runs.map((ms) => store.commit({ runs: [cancelRequestChange(ms)] })));
      for (const r of results) {
        assert.ok(
          r.status === 'rejected' && unavailable(message)(r.reason),
          `rejected with UNAVAILABLE: ${r.status === 'rejected' ? String(r.reason) : 'fulfilled'}`,
        );
      }
      assert.ok(faults.failures >= 1);
      for (const ms of runs) {
        const loaded = await store.getMutableState(ms.namespaceId, ms.workflowId, ms.runId);
        assert.equal(loaded?.cancelRequested, false, 'the failed change is neither in the database nor in the cache');
        assert.equal(loaded?.dbVersion, ms.dbVersion);
      }
      faults.clear();
      await Promise.all(runs.map((ms) => store.commit({ runs: [cancelRequestChange(ms)] })));
      for (const ms of runs) assert.equal((await store.getMutableState(ms.namespaceId, ms.workflowId, ms.runId))?.cancelRequested, true);
      await store.close();
    });
  }

  test('a new run whose commit failed is not there: its start can be made again', async () => {
    const { store, faults } = newStore();
    faults.inject('SQLITE_IOERR');
    const mutation = seal(newRun({ workflowId: 'new' }));
    await assert.rejects(
      store.commit({ runs: [mutation], current: undefined }),
      unavailable(/^CreateWorkflowExecution operation failed\. Error: disk I\/O error$/),
    );
    const { namespaceId, workflowId, runId } = mutation.mutableState;
    assert.equal(await store.getMutableState(namespaceId, workflowId, runId), undefined);
    assert.deepEqual(await store.readHistory(runId, 1, 100, 100), []);
    faults.clear();
    await store.commit({ runs: [mutation] });
    assert.equal((await store.getMutableState(namespaceId, workflowId, runId))?.dbVersion, mutation.mutableState.dbVersion);
    await store.close();
  });

  test('schedule and namespace writes fail with UNAVAILABLE too, named after their operation', async () => {
    const { store, faults } = newStore();
    faults.inject('SQLITE_FULL');
    const ns = { id: 'n2', name: 'n2', description: '', ownerEmail: '', retentionMs: 0, data: {}, state: 1, createdTime: T0 };
    await assert.rejects(store.createNamespace(ns), unavailable(/^CreateNamespace operation failed/));
    assert.deepEqual(await store.listNamespaces(), []);
    await assert.rejects(store.deleteSchedule('ns', 's'), unavailable(/^DeleteSchedule operation failed/));
    await store.close();
  });
});

/** A connection whose COMMIT fails, after which SQLite either kept the transaction open or had already rolled it back. */
class FailingCommitConnection implements NativeConnection {
  readonly log: string[] = [];
  private inTransaction = false;
  constructor(private readonly rolledBack: boolean) {}
  exec(sql: string): void {
    this.log.push(sql);
  }
  prepare(sql: string): { run(): unknown } {
    return {
      run: () => {
        this.log.push(sql);
        if (sql === 'BEGIN') this.inTransaction = true;
        if (sql === 'COMMIT') {
          if (this.rolledBack) this.inTransaction = false;
          throw new Error('disk I/O error');
        }
        if (sql === 'ROLLBACK') {
          if (!this.inTransaction) throw new Error('cannot rollback - no transaction is active');
          this.inTransaction = false;
        }
        return undefined;
      },
    };
  }
}

describe('a COMMIT that fails', () => {
  for (const rolledBack of [false, true]) {
    test(`${rolledBack ? 'after SQLite rolled the transaction back' : 'leaving the transaction open'}: the COMMIT's error is thrown and the next transaction begins afresh`, () => {
      const conn = new FailingCommitConnection(rolledBack);
      const runner = new TransactionRunner(conn);
      assert.throws(() => runner.run(() => runner.run(() => 'written')), /disk I\/O error/);
      assert.deepEqual(conn.log, ['BEGIN', 'SAVEPOINT "hourglass"', 'RELEASE "hourglass"', 'COMMIT', 'ROLLBACK']);
      conn.log.length = 0;
      assert.throws(() => runner.run(() => 1), /disk I\/O error/);
      assert.equal(conn.log[0], 'BEGIN', 'the runner is back at depth 0: a new transaction, not a savepoint');
    });
  }

  test('a savepoint SQLite already discarded with its transaction: the original error is thrown, not the failed ROLLBACK TO', () => {
    const conn: NativeConnection = {
      exec: () => undefined,
      prepare: (sql) => ({
        run: () => {
          if (sql.startsWith('ROLLBACK TO')) throw new Error('no such savepoint: hourglass');
          return undefined;
        },
      }),
    };
    const runner = new TransactionRunner(conn);
    assert.throws(
      () =>
        runner.run(() =>
          runner.run(() => {
            throw new Error('database or disk is full');
          }),
        ),
      /database or disk is full/,
    );
  });
});

describe('a real SQLITE_FULL (a database at its max_page_count)', () => {
  test('is reported as SQLITE_FULL by the driver, and a savepoint failing with it is rolled back with its transaction', () => {
    const db = openDatabase(':memory:');
    db.exec('CREATE TABLE t (x BLOB)');
    const pages = db.prepare<[], { page_count: number }>('PRAGMA page_count').get()?.page_count ?? 0;
    db.pragma(`max_page_count = ${pages + 2}`);
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    let caught: unknown;
    try {
      db.transaction(() => {
        insert.run(Buffer.alloc(10));
        db.transaction(() => insert.run(Buffer.alloc(64 * 1024)));
      });
    } catch (err) {
      caught = err;
    }
    assert.equal(db.resultCode(caught), 'SQLITE_FULL', String(caught));
    assert.equal(db.isConstraintViolation(caught), false);
    assert.equal(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM t').get()?.n, 0);
    db.transaction(() => insert.run(Buffer.alloc(10)));
    assert.equal(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM t').get()?.n, 1, 'the connection works on once there is room');
    db.close();
  });
});
