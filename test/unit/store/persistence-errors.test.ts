/**
 * Which SQLite failures of a read answer UNAVAILABLE (the client retries) and which pass on unchanged: for a list or
 * count whose SQL comes from a user's filter, only a failure of the storage itself is worth a retry.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceError } from '../../../src/common/errors';
import type { SqliteDatabase, SqliteResultCode } from '../../../src/store/sqlite/driver';
import { guarded, guardedQuery } from '../../../src/store/sqlite/persistence-errors';

class FakeSqliteError extends Error {
  constructor(
    message: string,
    readonly code: SqliteResultCode,
  ) {
    super(message);
  }
}

/** Only the two questions the error mapping asks of a connection. */
const db = {
  resultCode: (err: unknown) => (err instanceof FakeSqliteError ? err.code : undefined),
  isConstraintViolation: (err: unknown) => err instanceof FakeSqliteError && err.code === 'SQLITE_CONSTRAINT',
} as unknown as SqliteDatabase;

function failing(code: SqliteResultCode, message: string): () => never {
  return () => {
    throw new FakeSqliteError(message, code);
  };
}

describe('storage failures of a read', () => {
  for (const [code, message] of [
    ['SQLITE_IOERR', 'disk I/O error'],
    ['SQLITE_CORRUPT', 'database disk image is malformed'],
    ['SQLITE_FULL', 'database or disk is full'],
  ] as const) {
    test(`a list-filter query failing with ${code} answers UNAVAILABLE named after Temporal's operation`, async () => {
      await assert.rejects(guardedQuery(db, 'ListWorkflowExecutions', failing(code, message)), (err) => {
        assert.ok(err instanceof ServiceError);
        assert.equal(err.code, 'UNAVAILABLE');
        assert.equal(err.message, `ListWorkflowExecutions operation failed. Error: ${message}`);
        return true;
      });
    });
  }

  test("a list-filter query's own SQLite error (its shape or size) passes on unchanged: a retry would fail the same way", async () => {
    const own = new FakeSqliteError('too many SQL variables', 'SQLITE_ERROR');
    await assert.rejects(
      guardedQuery(db, 'CountWorkflowExecutions', () => {
        throw own;
      }),
      (err) => err === own,
    );
  });

  test('any other read failing in SQLite answers UNAVAILABLE; an error outside SQLite passes on', async () => {
    await assert.rejects(guarded(db, 'GetCurrentExecution', failing('SQLITE_ERROR', 'no such table: current_executions')), (err) => {
      return err instanceof ServiceError && err.code === 'UNAVAILABLE';
    });
    const outside = new TypeError('not SQLite');
    await assert.rejects(
      guarded(db, 'GetCurrentExecution', () => {
        throw outside;
      }),
      (err) => err === outside,
    );
  });

  test('a read that succeeds resolves with its value', async () => {
    assert.equal(await guardedQuery(db, 'CountWorkflowExecutions', () => 3), 3);
  });
});
