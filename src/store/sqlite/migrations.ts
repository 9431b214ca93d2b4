import type { SqliteDatabase } from './driver';
import { enums } from '../../common/proto';

/** Written into the DDL as a literal; it is 1, so the text is what it always was and migrated databases are unaffected. */
const RUNNING = enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;

/**
 * SQLite's `application_id` of an Hourglass database ("HGls"): what tells a start-up that a file with tables is ours.
 * Databases created before it was written carry 0 and Hourglass's first migration; migrate() stamps them.
 */
export const HOURGLASS_APPLICATION_ID = 0x48476c73;

/**
 * Versioned schema migrations, applied in order inside one transaction each. Never edit a released
 * migration: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'namespaces, executions, history',
    sql: `
      CREATE TABLE namespaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        data TEXT NOT NULL
      );
      CREATE TABLE current_executions (
        namespace_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        start_request_id TEXT NOT NULL,
        status INTEGER NOT NULL,
        PRIMARY KEY (namespace_id, workflow_id)
      ) WITHOUT ROWID;
      CREATE TABLE executions (
        run_id TEXT PRIMARY KEY,
        namespace_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        status INTEGER NOT NULL,
        db_version INTEGER NOT NULL,
        state TEXT NOT NULL
      );
      CREATE INDEX executions_open ON executions (status) WHERE status = ${RUNNING};
      CREATE TABLE history_events (
        run_id TEXT NOT NULL,
        event_id INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (run_id, event_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'visibility and search attributes',
    sql: `
      CREATE TABLE executions_visibility (
        namespace_id TEXT NOT NULL,
        run_id TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        workflow_type TEXT NOT NULL,
        status INTEGER NOT NULL,
        task_queue TEXT NOT NULL,
        start_time INTEGER NOT NULL,
        execution_time INTEGER NOT NULL,
        close_time INTEGER,
        execution_duration INTEGER,
        history_length INTEGER NOT NULL,
        history_size_bytes INTEGER NOT NULL,
        state_transition_count INTEGER NOT NULL,
        parent_workflow_id TEXT,
        parent_run_id TEXT,
        root_workflow_id TEXT,
        root_run_id TEXT,
        search_attributes TEXT NOT NULL,
        info BLOB NOT NULL
      );
      CREATE INDEX executions_visibility_order
        ON executions_visibility (namespace_id, COALESCE(close_time, 9223372036854775807) DESC, start_time DESC, run_id);
      CREATE INDEX executions_visibility_closed ON executions_visibility (close_time) WHERE close_time IS NOT NULL;
      CREATE TABLE search_attributes (
        namespace_id TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        PRIMARY KEY (namespace_id, name)
      ) WITHOUT ROWID;
    `,
  },
  {
    // Temporal's activity_info_maps: a run's pending activities are rows of their own, so a change
    // to one activity does not rewrite all of them.
    version: 3,
    name: 'pending activities apart from the run state',
    sql: `
      CREATE TABLE activity_infos (
        run_id TEXT NOT NULL,
        scheduled_event_id INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, scheduled_event_id)
      ) WITHOUT ROWID;
      INSERT INTO activity_infos (run_id, scheduled_event_id, data)
        SELECT e.run_id, CAST(a.key AS INTEGER), a.value FROM executions e, json_each(e.state, '$.activities') a;
      UPDATE executions SET state = json_remove(state, '$.activities');
    `,
  },
  {
    version: 4,
    name: 'schedules',
    sql: `
      CREATE TABLE schedules (
        namespace_id TEXT NOT NULL,
        schedule_id TEXT NOT NULL,
        db_version INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (namespace_id, schedule_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    // Temporal's history_node: a transaction's events are one row (see history-table.ts for the format), not a row
    // and a statement per event. An event row becomes a batch of one event, whose format is the event's bytes.
    version: 5,
    name: 'history in batches',
    sql: `
      CREATE TABLE history_batches (
        run_id TEXT NOT NULL,
        first_event_id INTEGER NOT NULL,
        last_event_id INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (run_id, first_event_id)
      ) WITHOUT ROWID;
      INSERT INTO history_batches (run_id, first_event_id, last_event_id, data)
        SELECT run_id, event_id, event_id, data FROM history_events;
      DROP TABLE history_events;
    `,
  },
];

/**
 * Brings a database up to the newest schema, skipping migrations it already has. Exported so that
 * tests build their tables from the same DDL the server runs, not a copy that can drift.
 */
export function migrate(db: SqliteDatabase): void {
  // The marker goes in with the bookkeeping table, before any migration: a crash in between leaves a file that is
  // recognisably Hourglass's.
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applicationId = db.prepare<[], { application_id: number }>('PRAGMA application_id').get()?.application_id;
    if (applicationId !== HOURGLASS_APPLICATION_ID) db.pragma(`application_id = ${HOURGLASS_APPLICATION_ID}`);
  });
  const applied = new Set(
    db
      .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
      .all()
      .map((r) => r.version),
  );
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    });
  }
}
