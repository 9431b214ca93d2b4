import { persistenceUnavailable } from '../../common/errors';
import type { SqliteDatabase, SqliteResultCode } from './driver';

/**
 * Whether `err` is SQLite failing on its own account (disk full, I/O error, a damaged page, …) rather than on the
 * data (a constraint) or outside SQLite: such a failure may have ended the whole transaction, and a retry later may
 * succeed.
 */
export function isStorageFault(db: SqliteDatabase, err: unknown): boolean {
  return db.resultCode(err) !== undefined && !db.isConstraintViolation(err);
}

/** A storage fault as the UNAVAILABLE Temporal answers (clients retry it); any other error unchanged. */
export function asUnavailable(db: SqliteDatabase, operation: string, err: unknown, atCommit = false): Error {
  const error = err instanceof Error ? err : new Error(String(err));
  return isStorageFault(db, err) ? persistenceUnavailable(operation, error.message, atCommit) : error;
}

/** Runs one synchronous store operation; its storage faults reject as UNAVAILABLE, named after `operation`. */
export function guarded<T>(db: SqliteDatabase, operation: string, fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(asUnavailable(db, operation, err));
  }
}

/** Result codes that say the storage itself failed, whatever the statement asked. */
const STORAGE_FAILURE_CODES: ReadonlySet<SqliteResultCode> = new Set([
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_CANTOPEN',
  'SQLITE_NOMEM',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

/**
 * Like `guarded`, for a read whose SQL is built from a user's list filter: only a failure of the storage itself is
 * UNAVAILABLE (a retry may succeed). Any other SQLite error is the query's own (its shape, its size), and a retry
 * would fail the same way: it is passed on unchanged rather than telling the client to retry forever.
 */
export function guardedQuery<T>(db: SqliteDatabase, operation: string, fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    const code = db.resultCode(err);
    if (code !== undefined && STORAGE_FAILURE_CODES.has(code)) return Promise.reject(asUnavailable(db, operation, err));
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}
