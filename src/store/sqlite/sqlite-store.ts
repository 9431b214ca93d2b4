import Database from 'better-sqlite3';
import { namespaceAlreadyExists } from '../../common/errors';
import type { CurrentExecution, MutableState, NamespaceRecord, Transaction } from '../records';
import { ConditionFailedError, type Store } from '../store';
import { migrations } from './migrations';

const RUNNING = 1; // WORKFLOW_EXECUTION_STATUS_RUNNING

export interface SqliteStoreOptions {
  /** A file path; absent means an in-memory database that lives as long as the store. */
  filename?: string;
}

interface NamespaceRow {
  data: string;
}
interface StateRow {
  state: string;
}
interface CurrentRow {
  namespace_id: string;
  workflow_id: string;
  run_id: string;
  start_request_id: string;
  status: number;
}
interface EventRow {
  data: Buffer;
}

/**
 * SQLite behind the Store interface. better-sqlite3 is synchronous, so a commit is durable (WAL,
 * synchronous=FULL) by the time the returned promise settles.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmt;

  constructor(options: SqliteStoreOptions = {}) {
    this.db = new Database(options.filename ?? ':memory:');
    if (options.filename) this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    this.stmt = {
      insertNamespace: this.db.prepare('INSERT INTO namespaces (id, name, data) VALUES (?, ?, ?)'),
      updateNamespace: this.db.prepare('UPDATE namespaces SET name = ?, data = ? WHERE id = ?'),
      namespaceByName: this.db.prepare<[string], NamespaceRow>('SELECT data FROM namespaces WHERE name = ?'),
      namespaceById: this.db.prepare<[string], NamespaceRow>('SELECT data FROM namespaces WHERE id = ?'),
      listNamespaces: this.db.prepare<[], NamespaceRow>('SELECT data FROM namespaces ORDER BY name'),
      current: this.db.prepare<[string, string], CurrentRow>(
        'SELECT * FROM current_executions WHERE namespace_id = ? AND workflow_id = ?',
      ),
      upsertCurrent: this.db.prepare(
        `INSERT INTO current_executions (namespace_id, workflow_id, run_id, start_request_id, status)
         VALUES (@namespaceId, @workflowId, @runId, @startRequestId, @status)
         ON CONFLICT (namespace_id, workflow_id) DO UPDATE SET
           run_id = excluded.run_id, start_request_id = excluded.start_request_id, status = excluded.status`,
      ),
      updateCurrentStatus: this.db.prepare(
        'UPDATE current_executions SET status = ? WHERE namespace_id = ? AND workflow_id = ? AND run_id = ?',
      ),
      state: this.db.prepare<[string, string, string], StateRow>(
        'SELECT state FROM executions WHERE run_id = ? AND namespace_id = ? AND workflow_id = ?',
      ),
      openStates: this.db.prepare<[], StateRow>(`SELECT state FROM executions WHERE status = ${RUNNING}`),
      insertExecution: this.db.prepare(
        'INSERT INTO executions (run_id, namespace_id, workflow_id, status, db_version, state) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      updateExecution: this.db.prepare(
        'UPDATE executions SET status = ?, db_version = ?, state = ? WHERE run_id = ? AND db_version = ?',
      ),
      insertEvent: this.db.prepare('INSERT INTO history_events (run_id, event_id, data) VALUES (?, ?, ?)'),
      history: this.db.prepare<[string, number, number, number], EventRow>(
        'SELECT data FROM history_events WHERE run_id = ? AND event_id >= ? AND event_id < ? ORDER BY event_id LIMIT ?',
      ),
      historyReverse: this.db.prepare<[string, number, number], EventRow>(
        'SELECT data FROM history_events WHERE run_id = ? AND event_id <= ? ORDER BY event_id DESC LIMIT ?',
      ),
    };
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = new Set(
      this.db
        .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
        .all()
        .map((r) => r.version),
    );
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
      })();
    }
  }

  createNamespace(ns: NamespaceRecord): Promise<void> {
    try {
      this.stmt.insertNamespace.run(ns.id, ns.name, JSON.stringify(ns));
    } catch (err) {
      if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_CONSTRAINT')) {
        return Promise.reject(namespaceAlreadyExists(ns.name));
      }
      throw err;
    }
    return Promise.resolve();
  }

  updateNamespace(ns: NamespaceRecord): Promise<void> {
    this.stmt.updateNamespace.run(ns.name, JSON.stringify(ns), ns.id);
    return Promise.resolve();
  }

  getNamespaceByName(name: string): Promise<NamespaceRecord | undefined> {
    return Promise.resolve(parseRow<NamespaceRecord>(this.stmt.namespaceByName.get(name)?.data));
  }

  getNamespaceById(id: string): Promise<NamespaceRecord | undefined> {
    return Promise.resolve(parseRow<NamespaceRecord>(this.stmt.namespaceById.get(id)?.data));
  }

  listNamespaces(): Promise<NamespaceRecord[]> {
    return Promise.resolve(this.stmt.listNamespaces.all().map((r) => JSON.parse(r.data) as NamespaceRecord));
  }

  getCurrentExecution(namespaceId: string, workflowId: string): Promise<CurrentExecution | undefined> {
    const row = this.stmt.current.get(namespaceId, workflowId);
    return Promise.resolve(
      row && {
        namespaceId: row.namespace_id,
        workflowId: row.workflow_id,
        runId: row.run_id,
        startRequestId: row.start_request_id,
        status: row.status,
      },
    );
  }

  getMutableState(namespaceId: string, workflowId: string, runId: string): Promise<MutableState | undefined> {
    return Promise.resolve(parseRow<MutableState>(this.stmt.state.get(runId, namespaceId, workflowId)?.state));
  }

  listOpenMutableStates(): Promise<MutableState[]> {
    return Promise.resolve(this.stmt.openStates.all().map((r) => JSON.parse(r.state) as MutableState));
  }

  commit(txn: Transaction): Promise<void> {
    this.db.transaction(() => {
      for (const run of txn.runs) {
        const ms = run.mutableState;
        const state = JSON.stringify(ms);
        if (run.expectedDbVersion === 0) {
          this.stmt.insertExecution.run(ms.runId, ms.namespaceId, ms.workflowId, ms.status, ms.dbVersion, state);
        } else {
          const result = this.stmt.updateExecution.run(ms.status, ms.dbVersion, state, ms.runId, run.expectedDbVersion);
          if (result.changes !== 1) throw new ConditionFailedError(`run ${ms.runId} changed concurrently`);
          this.stmt.updateCurrentStatus.run(ms.status, ms.namespaceId, ms.workflowId, ms.runId);
        }
        for (const event of run.newEvents) this.stmt.insertEvent.run(ms.runId, event.eventId, event.data);
      }
      if (txn.current) this.stmt.upsertCurrent.run(txn.current);
    })();
    return Promise.resolve();
  }

  readHistory(runId: string, firstEventId: number, nextEventId: number, limit: number): Promise<Uint8Array[]> {
    return Promise.resolve(this.stmt.history.all(runId, firstEventId, nextEventId, limit).map((r) => r.data));
  }

  readHistoryReverse(runId: string, lastEventId: number, limit: number): Promise<Uint8Array[]> {
    return Promise.resolve(this.stmt.historyReverse.all(runId, lastEventId, limit).map((r) => r.data));
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}

function parseRow<T>(json: string | undefined): T | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as T);
}
