import { persistenceUnavailable } from '../../common/errors';
import type { SqliteDatabase } from './driver';

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
