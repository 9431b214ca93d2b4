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
      CREATE INDEX executions_open ON executions (status) WHERE status = 1;
      CREATE TABLE history_events (
        run_id TEXT NOT NULL,
        event_id INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (run_id, event_id)
      ) WITHOUT ROWID;
    `,
  },
];
