import type { SearchAttributeType } from '../visibility/search-attribute-type';
import type { CurrentExecution, MutableState, NamespaceRecord, Transaction, VisibilityQuery } from './records';
import type { ScheduleRecord } from './schedule-records';

/** Namespaces: few, read through NamespaceRegistry's cache. */
export interface NamespaceStore {
  createNamespace(ns: NamespaceRecord): Promise<void>;
  updateNamespace(ns: NamespaceRecord): Promise<void>;
  getNamespaceByName(name: string): Promise<NamespaceRecord | undefined>;
  getNamespaceById(id: string): Promise<NamespaceRecord | undefined>;
  listNamespaces(): Promise<NamespaceRecord[]>;
}

/**
 * Runs: their current pointer, mutable state and history. `commit` must be atomic and durable before
 * it resolves: nothing is acknowledged to a caller that a crash could lose.
 */
export interface ExecutionStore {
  getCurrentExecution(namespaceId: string, workflowId: string): Promise<CurrentExecution | undefined>;
  getMutableState(namespaceId: string, workflowId: string, runId: string): Promise<MutableState | undefined>;
  /** Every run that is still open, for rebuilding timers and task queues at start-up. */
  listOpenMutableStates(): Promise<MutableState[]>;

  /** Atomically writes runs, their events and the current-run pointer. Fails with a conflict if a run's dbVersion moved. */
  commit(txn: Transaction): Promise<void>;

  /** Encoded events with firstEventId <= id < nextEventId, ascending, at most `limit`. */
  readHistory(runId: string, firstEventId: number, nextEventId: number, limit: number): Promise<Uint8Array[]>;
  /** Encoded events with id <= lastEventId, descending, at most `limit`. */
  readHistoryReverse(runId: string, lastEventId: number, limit: number): Promise<Uint8Array[]>;

  /** Removes a run, its history and visibility (and the current pointer if it is the current run). */
  deleteExecution(namespaceId: string, workflowId: string, runId: string): Promise<void>;
  /** Closed runs of the namespace closed before `closedBefore` (retention). */
  listClosedBefore(namespaceId: string, closedBefore: number, limit: number): Promise<{ workflowId: string; runId: string }[]>;
}

/**
 * Visibility reads and search-attribute registrations. Visibility rows are written by
 * ExecutionStore.commit, in the transaction that changes the run, so a list never lags a commit.
 */
export interface VisibilityStore {
  /** Encoded WorkflowExecutionInfo of matching runs, in Temporal's order (open first, newest first). */
  listExecutions(query: VisibilityQuery, offset: number, limit: number): Promise<Uint8Array[]>;
  countExecutions(query: VisibilityQuery): Promise<number>;
  countExecutionsByStatus(query: VisibilityQuery): Promise<{ status: number; count: number }[]>;

  /** Custom search attributes registered per namespace. */
  listSearchAttributes(namespaceId: string): Promise<Map<string, SearchAttributeType>>;
  addSearchAttributes(namespaceId: string, attributes: Map<string, SearchAttributeType>): Promise<void>;
  removeSearchAttributes(namespaceId: string, names: string[]): Promise<void>;
}

/**
 * Schedules: one row each, every change one transaction, durable when the promise resolves. Writes are checked
 * against the record's dbVersion (ConditionFailedError when it moved).
 */
export interface ScheduleStore {
  getSchedule(namespaceId: string, scheduleId: string): Promise<ScheduleRecord | undefined>;
  /** Fails with ConditionFailedError when the id is taken. */
  createSchedule(record: ScheduleRecord): Promise<void>;
  /** Writes `record` (its dbVersion already moved on) if the stored one is still at `expectedDbVersion`. */
  updateSchedule(record: ScheduleRecord, expectedDbVersion: number): Promise<void>;
  /** False when there was no such schedule. */
  deleteSchedule(namespaceId: string, scheduleId: string): Promise<boolean>;
  /** The namespace's schedules in id order, from after `afterScheduleId`. */
  listSchedules(namespaceId: string, afterScheduleId: string, limit: number): Promise<ScheduleRecord[]>;
  /** Every schedule of every namespace, for arming wake-ups at start-up. */
  listAllSchedules(): Promise<ScheduleRecord[]>;
}

/**
 * The whole database, as SqliteStore and CachedStore implement it. Consumers take the narrowest of the
 * parts above, so what each may touch is visible in its constructor.
 */
export interface Store extends ExecutionStore, VisibilityStore, NamespaceStore, ScheduleStore {
  close(): Promise<void>;
}

/** A commit lost an optimistic-concurrency race; the caller reloads and retries. */
export class ConditionFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionFailedError';
  }
}
