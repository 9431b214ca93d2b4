import type { CurrentExecution, MutableState, NamespaceRecord, Transaction } from './records';

/**
 * The one persistence interface. Implementations must make `commit` atomic and durable before it
 * resolves: nothing is acknowledged to a caller that a crash could lose.
 */
export interface Store {
  createNamespace(ns: NamespaceRecord): Promise<void>;
  updateNamespace(ns: NamespaceRecord): Promise<void>;
  getNamespaceByName(name: string): Promise<NamespaceRecord | undefined>;
  getNamespaceById(id: string): Promise<NamespaceRecord | undefined>;
  listNamespaces(): Promise<NamespaceRecord[]>;

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

  close(): Promise<void>;
}

/** A commit lost an optimistic-concurrency race; the caller reloads and retries. */
export class ConditionFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionFailedError';
  }
}
