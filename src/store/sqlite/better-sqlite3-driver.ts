import type BetterSqlite3 from 'better-sqlite3';
import { resultCodeOfName, type SqliteDatabase, type SqliteDriver, type SqliteResultCode, type SqliteStatement, TransactionRunner } from './driver';

/** better-sqlite3, required only when this driver is chosen: on Node >= 22.5 it need not be installed at all. */
export function loadBetterSqlite3(): SqliteDriver {
  // A lazy require, not an import: the package is an optional dependency. Throws when it is missing or was built
  // for another Node ABI.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  // The package loads its native binding on first open: open once now, so a binding built for another Node's ABI
  // fails here, where the driver is chosen, and not at the first store.
  new Database(':memory:').close();
  return { name: 'better-sqlite3', open: (filename) => new BetterSqlite3Database(Database, new Database(filename)) };
}

class BetterSqlite3Database implements SqliteDatabase {
  readonly driver = 'better-sqlite3';
  private readonly transactions: TransactionRunner;

  constructor(
    private readonly Database: typeof BetterSqlite3,
    private readonly db: BetterSqlite3.Database,
  ) {
    this.transactions = new TransactionRunner(db);
  }

  get open(): boolean {
    return this.db.open;
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R> {
    return this.db.prepare<P, R>(sql);
  }

  pragma(setting: string): void {
    this.db.pragma(setting);
  }

  transaction<T>(fn: () => T): T {
    return this.transactions.run(fn);
  }

  isConstraintViolation(err: unknown): boolean {
    return err instanceof this.Database.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT');
  }

  resultCode(err: unknown): SqliteResultCode | undefined {
    return err instanceof this.Database.SqliteError ? resultCodeOfName(err.code) : undefined;
  }

  close(): void {
    this.db.close();
  }
}
