import type { SqliteDatabase } from '../src/store/sqlite/driver';
import { migrate } from '../src/store/sqlite/migrations';
import { openDatabase } from '../src/store/sqlite/open-database';

/** The columns a list filter can reach; the rest get fixed values, as they never decide a match in these specs. */
export interface VisibilityRow {
  run_id: string;
  workflow_id: string;
  workflow_type: string;
  status: number;
  start_time: number;
  close_time: number | null;
  execution_duration: number | null;
  search_attributes: Record<string, unknown>;
  namespace_id?: string;
}

/**
 * An in-memory database with the server's own schema (the real migrations), holding `rows`. Building it
 * from the migrations rather than a copy of the DDL makes a schema change that breaks compiled filters
 * fail here.
 */
export function openVisibilityDatabase(rows: readonly VisibilityRow[]): SqliteDatabase {
  const db = openDatabase(':memory:');
  migrate(db);
  const insert = db.prepare(
    `INSERT INTO executions_visibility (namespace_id, run_id, workflow_id, workflow_type, status, task_queue, start_time, execution_time,
       close_time, execution_duration, history_length, history_size_bytes, state_transition_count, parent_workflow_id, parent_run_id,
       root_workflow_id, root_run_id, search_attributes, info)
     VALUES (@namespace_id, @run_id, @workflow_id, @workflow_type, @status, 'tq', @start_time, @start_time, @close_time, @execution_duration,
       10, 1000, 12, NULL, NULL, @workflow_id, @run_id, @search_attributes, x'')`,
  );
  for (const row of rows) {
    insert.run({ namespace_id: 'ns', ...row, search_attributes: JSON.stringify(row.search_attributes) });
  }
  return db;
}

/** Run ids in namespace `ns` matching a compiled filter, sorted. */
export function matchingRunIds(db: SqliteDatabase, compiled: { where: string; params: (string | number)[] }): string[] {
  const sql = `SELECT run_id FROM executions_visibility WHERE namespace_id = ? AND (${compiled.where}) ORDER BY run_id`;
  return db
    .prepare<unknown[], { run_id: string }>(sql)
    .all('ns', ...compiled.params)
    .map((r) => r.run_id);
}
