import type { SqliteDatabase, SqliteResultCode, SqliteStatement } from './driver';

/** The storage faults a spec can cause: the disk is full, or the disk fails. */
export type StorageFaultCode = 'SQLITE_FULL' | 'SQLITE_IOERR';

/**
 * Where a fault strikes: every write statement; or the COMMIT of a transaction, after all its statements succeeded,
 * with SQLite either leaving the transaction open (the caller must roll back) or having rolled it back itself — SQLite
 * documents both outcomes for SQLITE_FULL and SQLITE_IOERR; or the store's own fdatasync of the WAL after SQLite
 * committed (`wal-sync`: EIO for SQLITE_IOERR, ENOSPC for SQLITE_FULL, as the OS reports them); or the store's
 * fdatasync of the database file in a checkpoint (`database-sync`, the same errors).
 */
export type StorageFaultPoint = 'write' | 'commit-left-open' | 'commit-rolled-back' | 'wal-sync' | 'database-sync';

/** SQLite's own messages for the codes (sqlite3_errstr). */
const MESSAGES: Record<StorageFaultCode, string> = { SQLITE_FULL: 'database or disk is full', SQLITE_IOERR: 'disk I/O error' };

/** The errno a failing fdatasync reports for each fault, with libuv's message. */
const SYNC_ERRORS: Record<StorageFaultCode, { code: string; errno: number; message: string }> = {
  SQLITE_FULL: { code: 'ENOSPC', errno: -28, message: 'no space left on device' },
  SQLITE_IOERR: { code: 'EIO', errno: -5, message: 'i/o error' },
};

/** What a faulty disk makes SQLite throw; the fault-injecting database reports its result code as the driver would. */
export class InjectedSqliteError extends Error {
  constructor(readonly resultCode: StorageFaultCode) {
    super(MESSAGES[resultCode]);
    this.name = 'SqliteError';
  }
}

/**
 * @internal A test hook (not a user option): while a fault is injected, the store's writes or commits fail as SQLite
 * fails on a full or failing disk. Given to `HourglassServer.start` / `SqliteStore` as `storageFaults`.
 */
export class StorageFaults {
  private fault: { code: StorageFaultCode; point: StorageFaultPoint } | undefined;
  /** How many writes or commits failed because of an injected fault. */
  failures = 0;

  inject(code: StorageFaultCode, point: StorageFaultPoint = 'write'): void {
    this.fault = { code, point };
  }

  /** The disk is healthy again. */
  clear(): void {
    this.fault = undefined;
  }

  /** Throws the injected fault if it strikes at `point`; for a rolled-back commit, rolls `db` back first. */
  strike(point: 'write' | 'commit', db: SqliteDatabase): void {
    const fault = this.fault;
    if (!fault) return;
    if (point === 'write' ? fault.point !== 'write' : fault.point !== 'commit-left-open' && fault.point !== 'commit-rolled-back') return;
    this.failures += 1;
    if (fault.point === 'commit-rolled-back') db.exec('ROLLBACK');
    throw new InjectedSqliteError(fault.code);
  }

  /** Throws what fdatasync would (an errno error, as Node's fs reports it) while a fault is injected on that file's sync. */
  strikeSync(file: 'wal' | 'database', path: string): void {
    if (this.fault?.point !== (file === 'wal' ? 'wal-sync' : 'database-sync')) return;
    this.failures += 1;
    const e = SYNC_ERRORS[this.fault.code];
    throw Object.assign(new Error(`${e.code}: ${e.message}, fdatasync '${path}'`), { code: e.code, errno: e.errno, syscall: 'fdatasync', path });
  }
}

const WRITE_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

/** `db` with `faults` injected into its write statements and outermost commits. */
export function withStorageFaults(db: SqliteDatabase, faults: StorageFaults): SqliteDatabase {
  return new FaultInjectingDatabase(db, faults);
}

class FaultInjectingDatabase implements SqliteDatabase {
  private depth = 0;

  constructor(
    private readonly inner: SqliteDatabase,
    private readonly faults: StorageFaults,
  ) {}

  get driver(): SqliteDatabase['driver'] {
    return this.inner.driver;
  }

  get open(): boolean {
    return this.inner.open;
  }

  exec(sql: string): void {
    this.inner.exec(sql);
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R> {
    const stmt = this.inner.prepare<P, R>(sql);
    if (!WRITE_STATEMENT.test(sql)) return stmt;
    return {
      run: (...params: P) => {
        this.faults.strike('write', this.inner);
        return stmt.run(...params);
      },
      get: (...params: P) => stmt.get(...params),
      all: (...params: P) => stmt.all(...params),
    };
  }

  pragma(setting: string): void {
    this.inner.pragma(setting);
  }

  /**
   * The outermost transaction fails after its last statement, where its COMMIT runs: TransactionRunner handles a
   * throw there and a failing COMMIT in the same way (roll back, tolerating a transaction SQLite already ended).
   */
  transaction<T>(fn: () => T): T {
    const outermost = this.depth === 0;
    this.depth += 1;
    try {
      if (!outermost) return this.inner.transaction(fn);
      return this.inner.transaction(() => {
        const result = fn();
        this.faults.strike('commit', this.inner);
        return result;
      });
    } finally {
      this.depth -= 1;
    }
  }

  isConstraintViolation(err: unknown): boolean {
    return this.inner.isConstraintViolation(err);
  }

  resultCode(err: unknown): SqliteResultCode | undefined {
    return err instanceof InjectedSqliteError ? err.resultCode : this.inner.resultCode(err);
  }

  close(): void {
    this.inner.close();
  }
}
