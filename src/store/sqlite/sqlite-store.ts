import { namespaceAlreadyExists } from '../../common/errors';
import { enums } from '../../common/proto';
import {
  encodeStoredState,
  rememberStoredState,
  type CurrentExecution,
  type MutableState,
  type NamespaceRecord,
  type Transaction,
  type VisibilityQuery,
} from '../records';
import type { SearchAttributeType } from '../../visibility/search-attribute-type';
import { ConditionFailedError, type Store } from '../store';
import type { ScheduleRecord } from '../schedule-records';
import type { SqliteDatabase, SqliteDriverName } from './driver';
import { GroupCommit } from './group-commit';
import { guarded, guardedQuery } from './persistence-errors';
import { ScheduleTable } from './schedule-table';
import type { StorageFaults } from './storage-faults';
import { openStoreDatabase, type OwnSyncs } from './store-database';
import { HistoryTable } from './history-table';
import type { WalSync } from './wal-sync';

/** Interpolated into the SQL as a literal, so open-run queries match the partial index `executions_open`. */
const RUNNING = enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;

export interface SqliteStoreOptions {
  /** A file path; absent means an in-memory database that lives as long as the store. */
  filename?: string;
  /**
   * `journal_mode` and `synchronous` (the Temporal CLI's `--sqlite-pragma`). The default is WAL
   * with synchronous=FULL: every acknowledged change survives a power loss, not only a crash (the
   * store then fsyncs the WAL itself, off the event loop: see GroupCommit). synchronous=NORMAL skips
   * the fsync per commit; a crash of the process still loses nothing, but a power loss or OS crash
   * may lose the last changes acknowledged before it.
   */
  pragmas?: Record<string, string>;
  /** The SQLite driver; absent: HOURGLASS_SQLITE_DRIVER, else node:sqlite where this Node has it, else better-sqlite3. */
  driver?: SqliteDriverName;
  /** @internal The WAL size, in frames, at which the store checkpoints (specs make it small). */
  checkpointWalFrames?: number;
  /** @internal Storage faults a spec injects (disk full, I/O error). */
  faults?: StorageFaults;
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

/**
 * SQLite behind the Store interface. Commits go through GroupCommit (one transaction and one sync per group); every
 * other write is answered once durable too.
 */
export class SqliteStore implements Store {
  private readonly db: SqliteDatabase;
  private readonly stmt;
  private readonly writes: GroupCommit;
  private readonly wal: OwnSyncs | undefined;
  private readonly schedules: ScheduleTable;
  private readonly release: () => void;
  private readonly history: HistoryTable;

  /**
   * Opens the database (see openStoreDatabase: a file in use, damaged, not Hourglass's or newer than this build is
   * refused with a DatabaseFileError, untouched).
   */
  constructor(options: SqliteStoreOptions = {}) {
    ({ db: this.db, release: this.release, wal: this.wal } = openStoreDatabase(options));
    this.writes = new GroupCommit(this.db, (txn) => this.write(txn), this.wal);
    this.schedules = new ScheduleTable(this.db, (operation, fn) => this.writes.write(operation, fn));
    this.history = new HistoryTable(this.db);
    this.stmt = {
      insertNamespace: this.db.prepare('INSERT INTO namespaces (id, name, data) VALUES (?, ?, ?)'),
      updateNamespace: this.db.prepare('UPDATE namespaces SET name = ?, data = ? WHERE id = ?'),
      namespaceByName: this.db.prepare<[string], NamespaceRow>('SELECT data FROM namespaces WHERE name = ?'),
      namespaceById: this.db.prepare<[string], NamespaceRow>('SELECT data FROM namespaces WHERE id = ?'),
      listNamespaces: this.db.prepare<[], NamespaceRow>('SELECT data FROM namespaces ORDER BY name'),
      current: this.db.prepare<[string, string], CurrentRow>('SELECT * FROM current_executions WHERE namespace_id = ? AND workflow_id = ?'),
      upsertCurrent: this.db.prepare(
        `INSERT INTO current_executions (namespace_id, workflow_id, run_id, start_request_id, status)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (namespace_id, workflow_id) DO UPDATE SET
           run_id = excluded.run_id, start_request_id = excluded.start_request_id, status = excluded.status`,
      ),
      updateCurrentStatus: this.db.prepare('UPDATE current_executions SET status = ? WHERE namespace_id = ? AND workflow_id = ? AND run_id = ?'),
      state: this.db.prepare<[string, string, string], StateRow>('SELECT state FROM executions WHERE run_id = ? AND namespace_id = ? AND workflow_id = ?'),
      openStates: this.db.prepare<[], StateRow>(`SELECT state FROM executions WHERE status = ${RUNNING}`),
      insertExecution: this.db.prepare('INSERT INTO executions (run_id, namespace_id, workflow_id, status, db_version, state) VALUES (?, ?, ?, ?, ?, ?)'),
      updateExecution: this.db.prepare('UPDATE executions SET status = ?, db_version = ?, state = ? WHERE run_id = ? AND db_version = ?'),
      activities: this.db.prepare<[string], { data: string }>('SELECT data FROM activity_infos WHERE run_id = ?'),
      openActivities: this.db.prepare<[], { run_id: string; data: string }>(
        `SELECT a.run_id, a.data FROM activity_infos a JOIN executions e ON e.run_id = a.run_id WHERE e.status = ${RUNNING}`,
      ),
      upsertActivity: this.db.prepare('INSERT OR REPLACE INTO activity_infos (run_id, scheduled_event_id, data) VALUES (?, ?, ?)'),
      deleteActivity: this.db.prepare('DELETE FROM activity_infos WHERE run_id = ? AND scheduled_event_id = ?'),
      deleteActivities: this.db.prepare('DELETE FROM activity_infos WHERE run_id = ?'),
      upsertVisibility: this.db.prepare(
        `INSERT INTO executions_visibility (namespace_id, run_id, workflow_id, workflow_type, status, task_queue, start_time,
           execution_time, close_time, execution_duration, history_length, history_size_bytes, state_transition_count,
           parent_workflow_id, parent_run_id, root_workflow_id, root_run_id, search_attributes, info)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET status = excluded.status, close_time = excluded.close_time,
           execution_duration = excluded.execution_duration, history_length = excluded.history_length,
           history_size_bytes = excluded.history_size_bytes, state_transition_count = excluded.state_transition_count,
           task_queue = excluded.task_queue, execution_time = excluded.execution_time,
           search_attributes = excluded.search_attributes, info = excluded.info`,
      ),
      searchAttributes: this.db.prepare<[string], { name: string; type: string }>('SELECT name, type FROM search_attributes WHERE namespace_id = ?'),
      addSearchAttribute: this.db.prepare('INSERT OR REPLACE INTO search_attributes (namespace_id, name, type) VALUES (?, ?, ?)'),
      removeSearchAttribute: this.db.prepare('DELETE FROM search_attributes WHERE namespace_id = ? AND name = ?'),
      deleteExecution: this.db.prepare('DELETE FROM executions WHERE run_id = ?'),
      deleteVisibility: this.db.prepare('DELETE FROM executions_visibility WHERE run_id = ?'),
      deleteCurrent: this.db.prepare('DELETE FROM current_executions WHERE namespace_id = ? AND workflow_id = ? AND run_id = ?'),
      closedBefore: this.db.prepare<[string, number, number], { workflow_id: string; run_id: string }>(
        'SELECT workflow_id, run_id FROM executions_visibility WHERE namespace_id = ? AND close_time IS NOT NULL AND close_time < ? LIMIT ?',
      ),
    };
  }

  createNamespace(ns: NamespaceRecord): Promise<void> {
    return this.writes.write('CreateNamespace', () => {
      try {
        this.stmt.insertNamespace.run(ns.id, ns.name, JSON.stringify(ns));
      } catch (err) {
        throw this.db.isConstraintViolation(err) ? namespaceAlreadyExists(ns.name) : err;
      }
    });
  }

  updateNamespace(ns: NamespaceRecord): Promise<void> {
    return this.writes.write('UpdateNamespace', () => void this.stmt.updateNamespace.run(ns.name, JSON.stringify(ns), ns.id));
  }

  getNamespaceByName(name: string): Promise<NamespaceRecord | undefined> {
    return guarded(this.db, 'GetNamespace', () => parseRow<NamespaceRecord>(this.stmt.namespaceByName.get(name)?.data));
  }

  getNamespaceById(id: string): Promise<NamespaceRecord | undefined> {
    return guarded(this.db, 'GetNamespace', () => parseRow<NamespaceRecord>(this.stmt.namespaceById.get(id)?.data));
  }

  listNamespaces(): Promise<NamespaceRecord[]> {
    return guarded(this.db, 'ListNamespaces', () => this.stmt.listNamespaces.all().map((r) => JSON.parse(r.data) as NamespaceRecord));
  }

  getCurrentExecution(namespaceId: string, workflowId: string): Promise<CurrentExecution | undefined> {
    return guarded(this.db, 'GetCurrentExecution', () => {
      const row = this.stmt.current.get(namespaceId, workflowId);
      return (
        row && {
          namespaceId: row.namespace_id,
          workflowId: row.workflow_id,
          runId: row.run_id,
          startRequestId: row.start_request_id,
          status: row.status,
        }
      );
    });
  }

  getMutableState(namespaceId: string, workflowId: string, runId: string): Promise<MutableState | undefined> {
    return guarded(this.db, 'GetWorkflowExecution', () => {
      const json = this.stmt.state.get(runId, namespaceId, workflowId)?.state;
      const ms = parseRow<MutableState>(json);
      if (ms && json !== undefined) {
        ms.activities = activityMap(this.stmt.activities.all(runId).map((r) => r.data));
        rememberStoredState(ms, json);
      }
      return ms;
    });
  }

  listOpenMutableStates(): Promise<MutableState[]> {
    return guarded(this.db, 'ListConcreteExecutions', () => this.openMutableStates());
  }

  private openMutableStates(): MutableState[] {
    const byRun = new Map<string, string[]>();
    for (const row of this.stmt.openActivities.all()) {
      const rows = byRun.get(row.run_id);
      if (rows) rows.push(row.data);
      else byRun.set(row.run_id, [row.data]);
    }
    return this.stmt.openStates.all().map((r) => {
      const ms = JSON.parse(r.state) as MutableState;
      ms.activities = activityMap(byRun.get(ms.runId) ?? []);
      rememberStoredState(ms, r.state);
      return ms;
    });
  }

  commit(txn: Transaction): Promise<void> {
    return this.writes.commit(txn);
  }

  /** @internal How many fdatasyncs of the WAL the store started (0 when SQLite syncs, or nothing does). */
  get walSyncs(): number {
    return this.writes.syncs;
  }

  /** @internal How many checkpoints the store ran itself (0 when SQLite checkpoints). */
  get checkpoints(): number {
    return this.writes.checkpoints;
  }

  /** @internal The WAL the store fsyncs itself; absent when SQLite syncs (or nothing does). */
  get walSync(): WalSync | undefined {
    return this.wal?.sync;
  }

  private write(txn: Transaction): void {
    for (const run of txn.runs) {
      const ms = run.mutableState;
      // Activities live in their own rows; only the ones this change touched are written.
      const state = encodeStoredState(ms);
      if (run.expectedDbVersion === 0) {
        this.stmt.insertExecution.run(ms.runId, ms.namespaceId, ms.workflowId, ms.status, ms.dbVersion, state);
      } else {
        const result = this.stmt.updateExecution.run(ms.status, ms.dbVersion, state, ms.runId, run.expectedDbVersion);
        if (result.changes !== 1) throw new ConditionFailedError(`run ${ms.runId} changed concurrently`);
        if (run.previousStatus !== ms.status) this.stmt.updateCurrentStatus.run(ms.status, ms.namespaceId, ms.workflowId, ms.runId);
      }
      if (run.newEvents.length > 0) this.history.append(ms.runId, run.newEvents);
      for (const change of run.activityChanges) {
        if (change.info) this.stmt.upsertActivity.run(ms.runId, change.scheduledEventId, JSON.stringify(change.info));
        else this.stmt.deleteActivity.run(ms.runId, change.scheduledEventId);
      }
      const v = run.visibility;
      if (v) {
        // Positional, in column order: node:sqlite binds named parameters at about twice the cost of positional ones.
        this.stmt.upsertVisibility.run(
          v.namespaceId,
          v.runId,
          v.workflowId,
          v.workflowType,
          v.status,
          v.taskQueue,
          v.startTime,
          v.executionTime,
          v.closeTime ?? null,
          v.executionDurationMs ?? null,
          v.historyLength,
          v.historySizeBytes,
          v.stateTransitionCount,
          v.parentWorkflowId ?? null,
          v.parentRunId ?? null,
          v.rootWorkflowId ?? null,
          v.rootRunId ?? null,
          JSON.stringify(v.searchAttributes),
          v.info,
        );
      }
    }
    const c = txn.current;
    if (c) {
      this.stmt.upsertCurrent.run(c.namespaceId, c.workflowId, c.runId, c.startRequestId, c.status);
    }
  }

  readHistory(runId: string, firstEventId: number, nextEventId: number, limit: number): Promise<Uint8Array[]> {
    return guarded(this.db, 'ReadHistoryBranch', () => this.history.read(runId, firstEventId, nextEventId, limit));
  }

  readHistoryReverse(runId: string, lastEventId: number, limit: number): Promise<Uint8Array[]> {
    return guarded(this.db, 'ReadHistoryBranchReverse', () => this.history.readReverse(runId, lastEventId, limit));
  }

  listExecutions(query: VisibilityQuery, offset: number, limit: number): Promise<Uint8Array[]> {
    const sql = `SELECT info FROM executions_visibility WHERE namespace_id = ? AND (${query.where})
      ORDER BY COALESCE(close_time, 9223372036854775807) DESC, start_time DESC, run_id LIMIT ? OFFSET ?`;
    return guardedQuery(this.db, 'ListWorkflowExecutions', () =>
      this.db
        .prepare<unknown[], { info: Uint8Array }>(sql)
        .all(query.namespaceId, ...query.params, limit, offset)
        .map((r) => r.info),
    );
  }

  countExecutions(query: VisibilityQuery): Promise<number> {
    const sql = `SELECT COUNT(*) AS n FROM executions_visibility WHERE namespace_id = ? AND (${query.where})`;
    return guardedQuery(
      this.db,
      'CountWorkflowExecutions',
      () => this.db.prepare<unknown[], { n: number }>(sql).get(query.namespaceId, ...query.params)?.n ?? 0,
    );
  }

  countExecutionsByStatus(query: VisibilityQuery): Promise<{ status: number; count: number }[]> {
    const sql = `SELECT status, COUNT(*) AS count FROM executions_visibility WHERE namespace_id = ? AND (${query.where}) GROUP BY status ORDER BY status`;
    return guardedQuery(this.db, 'CountWorkflowExecutions', () =>
      this.db
        .prepare<unknown[], { status: number; count: number }>(sql)
        .all(query.namespaceId, ...query.params)
        .map((r) => ({ status: r.status, count: r.count })),
    );
  }

  listSearchAttributes(namespaceId: string): Promise<Map<string, SearchAttributeType>> {
    return guarded(
      this.db,
      'GetSearchAttributes',
      () => new Map(this.stmt.searchAttributes.all(namespaceId).map((r) => [r.name, r.type as SearchAttributeType])),
    );
  }

  addSearchAttributes(namespaceId: string, attributes: Map<string, SearchAttributeType>): Promise<void> {
    return this.writes.write('AddSearchAttributes', () =>
      this.db.transaction(() => {
        for (const [name, type] of attributes) this.stmt.addSearchAttribute.run(namespaceId, name, type);
      }),
    );
  }

  removeSearchAttributes(namespaceId: string, names: string[]): Promise<void> {
    return this.writes.write('RemoveSearchAttributes', () =>
      this.db.transaction(() => {
        for (const name of names) this.stmt.removeSearchAttribute.run(namespaceId, name);
      }),
    );
  }

  deleteExecution(namespaceId: string, workflowId: string, runId: string): Promise<void> {
    return this.writes.write('DeleteWorkflowExecution', () =>
      this.db.transaction(() => {
        this.stmt.deleteExecution.run(runId);
        this.history.delete(runId);
        this.stmt.deleteActivities.run(runId);
        this.stmt.deleteVisibility.run(runId);
        this.stmt.deleteCurrent.run(namespaceId, workflowId, runId);
      }),
    );
  }

  listClosedBefore(namespaceId: string, closedBefore: number, limit: number): Promise<{ workflowId: string; runId: string }[]> {
    return guarded(this.db, 'ListClosedWorkflowExecutions', () =>
      this.stmt.closedBefore.all(namespaceId, closedBefore, limit).map((r) => ({ workflowId: r.workflow_id, runId: r.run_id })),
    );
  }

  getSchedule(namespaceId: string, scheduleId: string): Promise<ScheduleRecord | undefined> {
    return this.schedules.getSchedule(namespaceId, scheduleId);
  }
  createSchedule(record: ScheduleRecord): Promise<void> {
    return this.schedules.createSchedule(record);
  }
  updateSchedule(record: ScheduleRecord, expectedDbVersion: number): Promise<void> {
    return this.schedules.updateSchedule(record, expectedDbVersion);
  }
  deleteSchedule(namespaceId: string, scheduleId: string): Promise<boolean> {
    return this.schedules.deleteSchedule(namespaceId, scheduleId);
  }
  listSchedules(namespaceId: string, afterScheduleId: string, limit: number): Promise<ScheduleRecord[]> {
    return this.schedules.listSchedules(namespaceId, afterScheduleId, limit);
  }
  listAllSchedules(): Promise<ScheduleRecord[]> {
    return this.schedules.listAllSchedules();
  }

  get driver(): SqliteDriverName {
    return this.db.driver;
  }

  /** Settles every commit made (once durable), then closes: SQLite checkpoints the WAL into the file and deletes it. */
  async close(): Promise<void> {
    await this.writes.close();
    if (this.db.open) {
      this.wal?.checkpoint.beforeClose();
      this.db.close();
      this.wal?.checkpoint.close();
      this.wal?.sync.close();
      this.release();
    }
  }
}

function parseRow<T>(json: string | undefined): T | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as T);
}

function activityMap(rows: string[]): MutableState['activities'] {
  const activities: MutableState['activities'] = {};
  for (const data of rows) {
    const a = JSON.parse(data) as MutableState['activities'][string];
    activities[String(a.scheduledEventId)] = a;
  }
  return activities;
}
