/**
 * The thin SQLite driver interface the store is written against, so one store implementation runs on Node's built-in
 * `node:sqlite` (Node >= 22.5: nothing to compile at install) and on `better-sqlite3` (Node 20, an optional dependency).
 *
 * What the two drivers share, and what the store may rely on: positional `?` and named `@name` parameters (named ones
 * bound from an object whose keys are the bare names, with exactly the statement's parameters: node:sqlite rejects an
 * unknown key and binds a missing one as NULL, better-sqlite3 the other way round; on node:sqlite they cost about twice
 * as much as positional ones, so hot statements use `?`); JS numbers bind as REAL and are
 * stored as INTEGER in an INTEGER column; integers read back as numbers; `run` reports `changes`. Where they differ
 * and the store must not care: a BLOB reads back as a Buffer (better-sqlite3) or a plain Uint8Array (node:sqlite), and
 * rows from node:sqlite have a null prototype, so the store maps rows to its records instead of returning them as is.
 */

export const SQLITE_DRIVERS = ['node', 'better-sqlite3'] as const;
export type SqliteDriverName = (typeof SQLITE_DRIVERS)[number];

/** The environment variable that forces a driver (the `driver` option wins over it). */
export const SQLITE_DRIVER_ENV = 'HOURGLASS_SQLITE_DRIVER';

export interface SqliteStatement<P extends unknown[] = unknown[], R = unknown> {
  run(...params: P): { changes: number | bigint };
  get(...params: P): R | undefined;
  all(...params: P): R[];
}

export interface SqliteDatabase {
  readonly driver: SqliteDriverName;
  readonly open: boolean;
  exec(sql: string): void;
  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R>;
  /** Sets a pragma, e.g. `synchronous = FULL`; the caller has validated the text. */
  pragma(setting: string): void;
  /**
   * Runs `fn` in a transaction and returns its result: committed if it returns, rolled back if it throws. Called
   * inside another transaction it is a savepoint, so a nested failure undoes only its own writes (group commit relies
   * on this).
   */
  transaction<T>(fn: () => T): T;
  /** Whether `err`, thrown by this driver, is a constraint violation (a duplicate key). */
  isConstraintViolation(err: unknown): boolean;
  /** SQLite's primary result code (`SQLITE_BUSY`, `SQLITE_FULL`, …) of an error this driver threw; undefined for any other error. */
  resultCode(err: unknown): SqliteResultCode | undefined;
  close(): void;
}

/** SQLite's primary result codes (https://sqlite.org/rescode.html), by the names both drivers' errors carry. */
export const SQLITE_RESULT_CODES = {
  SQLITE_ERROR: 1,
  SQLITE_PERM: 3,
  SQLITE_BUSY: 5,
  SQLITE_LOCKED: 6,
  SQLITE_NOMEM: 7,
  SQLITE_READONLY: 8,
  SQLITE_IOERR: 10,
  SQLITE_CORRUPT: 11,
  SQLITE_FULL: 13,
  SQLITE_CANTOPEN: 14,
  SQLITE_PROTOCOL: 15,
  SQLITE_CONSTRAINT: 19,
  SQLITE_NOTADB: 26,
} as const;
export type SqliteResultCode = keyof typeof SQLITE_RESULT_CODES | 'SQLITE_OTHER';

/** The name of a primary result code, from an extended one (e.g. 778, SQLITE_IOERR_WRITE → SQLITE_IOERR). */
export function resultCodeName(errcode: number): SqliteResultCode {
  const primary = errcode & 0xff;
  for (const [name, code] of Object.entries(SQLITE_RESULT_CODES)) if (code === primary) return name as SqliteResultCode;
  return 'SQLITE_OTHER';
}

/** The primary result code of an extended code's name, as better-sqlite3 reports it (SQLITE_IOERR_WRITE → SQLITE_IOERR). */
export function resultCodeOfName(name: string): SqliteResultCode {
  for (const primary of Object.keys(SQLITE_RESULT_CODES)) if (name === primary || name.startsWith(`${primary}_`)) return primary as SqliteResultCode;
  return 'SQLITE_OTHER';
}

/** A loaded driver: opens connections (a file path, or `:memory:`). */
export interface SqliteDriver {
  readonly name: SqliteDriverName;
  open(filename: string): SqliteDatabase;
}

/** The native connection a driver adapts: what the shared transaction logic needs from it. */
export interface NativeConnection {
  exec(sql: string): void;
  prepare(sql: string): { run(): unknown };
}

/**
 * Transactions and savepoints over any connection, the way better-sqlite3's `db.transaction` does them (BEGIN, then
 * one savepoint name reused at every depth), so both drivers nest and roll back the same way.
 */
export class TransactionRunner {
  private depth = 0;
  private stmt: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', { run(): unknown }> | undefined;

  constructor(private readonly conn: NativeConnection) {}

  run<T>(fn: () => T): T {
    const s = (this.stmt ??= {
      begin: this.conn.prepare('BEGIN'),
      commit: this.conn.prepare('COMMIT'),
      rollback: this.conn.prepare('ROLLBACK'),
      savepoint: this.conn.prepare('SAVEPOINT "hourglass"'),
      release: this.conn.prepare('RELEASE "hourglass"'),
      rollbackTo: this.conn.prepare('ROLLBACK TO "hourglass"'),
    });
    const outermost = this.depth === 0;
    (outermost ? s.begin : s.savepoint).run();
    this.depth += 1;
    try {
      const result = fn();
      (outermost ? s.commit : s.release).run();
      return result;
    } catch (err) {
      if (outermost) {
        // A failed COMMIT may have ended the transaction already (SQLite rolls back on some errors): nothing to undo.
        try {
          s.rollback.run();
        } catch {
          /* no transaction is active */
        }
      } else {
        try {
          s.rollbackTo.run();
          s.release.run();
        } catch {
          // SQLite ended the whole transaction (it may on SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM): the savepoint is gone
          // with it. The original error goes up, so the outermost level learns of it and does not carry on in autocommit.
        }
      }
      throw err;
    } finally {
      this.depth -= 1;
    }
  }
}
