/**
 * The SQLite schema text: migrations already applied to a database are never re-run, so a released
 * migration's SQL must not change, even when it is built from constants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrations } from '../src/store/sqlite/migrations';

test('migration 1 indexes open runs with the literal status of RUNNING (1), as released', () => {
  const first = migrations.find((m) => m.version === 1);
  assert.ok(first);
  assert.ok(first.sql.includes('CREATE INDEX executions_open ON executions (status) WHERE status = 1;'), first.sql);
});
