/**
 * The SQLite driver interface the store is written against: each driver this Node can load gives the same results
 * (parameters, integers, blobs, changes, constraint errors, nested transactions), and the choice of driver follows
 * the option, then HOURGLASS_SQLITE_DRIVER, then what this Node has.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { SQLITE_DRIVERS, SQLITE_DRIVER_ENV, type SqliteDatabase, type SqliteDriverName } from '../../../src/store/sqlite/driver';
import { openDatabase, sqliteDriver } from '../../../src/store/sqlite/open-database';

function loads(name: SqliteDriverName): boolean {
  try {
    sqliteDriver(name);
    return true;
  } catch {
    return false;
  }
}

const hasNodeSqlite = loads('node');

afterEach(() => {
  delete process.env[SQLITE_DRIVER_ENV];
});

for (const name of SQLITE_DRIVERS) {
  describe(`the ${name} driver`, { skip: loads(name) ? false : `${name} does not load on Node ${process.version}` }, () => {
    function withDb(fn: (db: SqliteDatabase) => void): void {
      const db = openDatabase(':memory:', name);
      try {
        db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, b BLOB, s TEXT)');
        fn(db);
      } finally {
        db.close();
      }
    }

    test('names itself and reports whether it is open', () => {
      const db = openDatabase(':memory:', name);
      assert.equal(db.driver, name);
      assert.equal(db.open, true);
      db.close();
      assert.equal(db.open, false);
    });

    test('binds positional and named parameters; get is undefined when no row matches; run counts changes', () => {
      withDb((db) => {
        db.prepare('INSERT INTO t (id, n, s) VALUES (?, ?, ?)').run(1, 10, 'a');
        db.prepare('INSERT INTO t (id, n, s) VALUES (@id, @n, @s)').run({ id: 2, n: 20, s: null });
        const row = db.prepare<[number], { n: number; s: string | null }>('SELECT n, s FROM t WHERE id = ?').get(2);
        assert.deepEqual({ ...row }, { n: 20, s: null });
        assert.equal(db.prepare('SELECT 1 FROM t WHERE id = ?').get(99), undefined);
        assert.equal(Number(db.prepare('UPDATE t SET n = n + 1').run().changes), 2);
        assert.deepEqual(
          db
            .prepare<[number], { n: number }>('SELECT n FROM t ORDER BY id LIMIT ?')
            .all(5)
            .map((r) => r.n),
          [11, 21],
        );
      });
    });

    test('JS numbers are stored as INTEGER in an INTEGER column and read back as numbers, up to 2^53', () => {
      withDb((db) => {
        db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').run(1, Number.MAX_SAFE_INTEGER);
        const row = db.prepare<[], { n: number; type: string }>('SELECT n, typeof(n) AS type FROM t').get();
        assert.equal(row?.type, 'integer');
        assert.equal(row?.n, Number.MAX_SAFE_INTEGER);
      });
    });

    test('a BLOB reads back as a Uint8Array with the same bytes', () => {
      withDb((db) => {
        const bytes = new Uint8Array([0, 1, 254, 255]);
        db.prepare('INSERT INTO t (id, n, b) VALUES (1, 0, ?)').run(bytes);
        const b = db.prepare<[], { b: Uint8Array }>('SELECT b FROM t').get()?.b;
        assert.ok(b instanceof Uint8Array);
        assert.deepEqual([...b], [...bytes]);
      });
    });

    test('a duplicate key is a constraint violation; a syntax error is not', () => {
      withDb((db) => {
        const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, ?)');
        insert.run(1, 0);
        assert.throws(
          () => insert.run(1, 0),
          (err) => db.isConstraintViolation(err),
        );
        assert.throws(
          () => db.exec('SELEC 1'),
          (err) => !db.isConstraintViolation(err),
        );
      });
    });

    test('a transaction commits what its function wrote and returns its result; a throw rolls all of it back', () => {
      withDb((db) => {
        const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, 0)');
        assert.equal(
          db.transaction(() => {
            insert.run(1);
            return 'done';
          }),
          'done',
        );
        assert.throws(() =>
          db.transaction(() => {
            insert.run(2);
            throw new Error('boom');
          }),
        );
        assert.deepEqual(
          db
            .prepare<[], { id: number }>('SELECT id FROM t')
            .all()
            .map((r) => r.id),
          [1],
        );
      });
    });

    test('a nested transaction is a savepoint: its failure undoes only its own writes, and the outer one commits', () => {
      withDb((db) => {
        const insert = db.prepare('INSERT INTO t (id, n) VALUES (?, 0)');
        db.transaction(() => {
          insert.run(1);
          assert.throws(() => db.transaction(() => insert.run(1))); // duplicate: rolled back to the savepoint
          db.transaction(() => insert.run(2));
          assert.throws(() =>
            db.transaction(() => {
              insert.run(3);
              db.transaction(() => insert.run(4));
              throw new Error('undo 3 and 4');
            }),
          );
        });
        assert.deepEqual(
          db
            .prepare<[], { id: number }>('SELECT id FROM t ORDER BY id')
            .all()
            .map((r) => r.id),
          [1, 2],
        );
      });
    });
  });
}

test('without an option or HOURGLASS_SQLITE_DRIVER, node:sqlite is chosen where this Node has it, better-sqlite3 elsewhere', () => {
  assert.equal(sqliteDriver().name, hasNodeSqlite ? 'node' : 'better-sqlite3');
});

test('HOURGLASS_SQLITE_DRIVER forces a driver; the option wins over it; any other value is an error naming both', () => {
  const other: SqliteDriverName = hasNodeSqlite ? 'better-sqlite3' : 'node';
  const loadable: SqliteDriverName = hasNodeSqlite ? 'node' : 'better-sqlite3';
  process.env[SQLITE_DRIVER_ENV] = loadable;
  assert.equal(sqliteDriver().name, loadable);
  process.env[SQLITE_DRIVER_ENV] = other;
  assert.equal(sqliteDriver(loadable).name, loadable);
  process.env[SQLITE_DRIVER_ENV] = 'sqlite3';
  assert.throws(() => sqliteDriver(), { message: 'invalid HOURGLASS_SQLITE_DRIVER "sqlite3" (expected node or better-sqlite3)' });
});

test('forcing node:sqlite on a Node without it is an error that says which Node has it', { skip: hasNodeSqlite && 'this Node has node:sqlite' }, () => {
  assert.throws(
    () => sqliteDriver('node'),
    /the SQLite driver "node" needs node:sqlite, which this Node \(v[\d.]+\) does not have: it is built in from Node 22\.5/,
  );
});

test(
  'forcing better-sqlite3 where it does not load is an error that says why and how to install it',
  { skip: loads('better-sqlite3') && 'better-sqlite3 loads here' },
  () => {
    assert.throws(
      () => sqliteDriver('better-sqlite3'),
      /the SQLite driver "better-sqlite3" could not be loaded \(.+\); install it with npm install better-sqlite3/,
    );
  },
);
