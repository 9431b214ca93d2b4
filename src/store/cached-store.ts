import { enums } from '../common/proto';
import type { CurrentExecution, MutableState, NamespaceRecord, Transaction, VisibilityQuery } from './records';
import type { ScheduleRecord } from './schedule-records';
import type { SearchAttributeType } from '../visibility/search-attribute-type';
import type { Store } from './store';

const RUNNING = enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;

/**
 * A Store that keeps the mutable states of recently used open runs in memory (Temporal's mutable-state cache), so
 * the hot path — load, change, commit — does not parse the run's state back out of the database
 * on every task. The cache is filled only from what the inner store returned or durably
 * committed, so it never runs ahead of the database.
 *
 * Cached states are shared: callers treat a loaded MutableState as read-only (RunMutator copies
 * before changing anything), which is what makes sharing safe.
 */
export class CachedStore implements Store {
  private readonly states = new Map<string, MutableState>();

  constructor(
    private readonly inner: Store,
    /** Runs kept; the least recently used are dropped beyond it. */
    private readonly capacity = 4096,
  ) {}

  async getMutableState(namespaceId: string, workflowId: string, runId: string): Promise<MutableState | undefined> {
    const hit = this.states.get(runId);
    if (hit && hit.namespaceId === namespaceId && hit.workflowId === workflowId) {
      this.remember(hit);
      return hit;
    }
    const ms = await this.inner.getMutableState(namespaceId, workflowId, runId);
    if (ms) this.remember(ms);
    return ms;
  }

  async commit(txn: Transaction): Promise<void> {
    try {
      await this.inner.commit(txn);
    } catch (err) {
      // Someone else moved these runs (a conflict), or the database may not hold what was last read (a storage fault):
      // either way the next load reads the database, never a state that was not committed.
      for (const run of txn.runs) this.states.delete(run.mutableState.runId);
      throw err;
    }
    for (const run of txn.runs) this.remember(run.mutableState);
  }

  async deleteExecution(namespaceId: string, workflowId: string, runId: string): Promise<void> {
    this.states.delete(runId);
    await this.inner.deleteExecution(namespaceId, workflowId, runId);
  }

  private remember(ms: MutableState): void {
    // Map iteration order is insertion order: re-inserting makes this run the most recently used.
    this.states.delete(ms.runId);
    // Only open runs are worth holding: a closed run is read rarely (describe, a late poll) and never written again.
    if (ms.status !== RUNNING) return;
    this.states.set(ms.runId, ms);
    if (this.states.size > this.capacity) {
      const oldest = this.states.keys().next();
      if (!oldest.done) this.states.delete(oldest.value);
    }
  }

  // Everything else goes straight to the inner store.
  createNamespace(ns: NamespaceRecord): Promise<void> {
    return this.inner.createNamespace(ns);
  }
  updateNamespace(ns: NamespaceRecord): Promise<void> {
    return this.inner.updateNamespace(ns);
  }
  getNamespaceByName(name: string): Promise<NamespaceRecord | undefined> {
    return this.inner.getNamespaceByName(name);
  }
  getNamespaceById(id: string): Promise<NamespaceRecord | undefined> {
    return this.inner.getNamespaceById(id);
  }
  listNamespaces(): Promise<NamespaceRecord[]> {
    return this.inner.listNamespaces();
  }
  getCurrentExecution(namespaceId: string, workflowId: string): Promise<CurrentExecution | undefined> {
    return this.inner.getCurrentExecution(namespaceId, workflowId);
  }
  listOpenMutableStates(): Promise<MutableState[]> {
    return this.inner.listOpenMutableStates();
  }
  readHistory(runId: string, firstEventId: number, nextEventId: number, limit: number): Promise<Uint8Array[]> {
    return this.inner.readHistory(runId, firstEventId, nextEventId, limit);
  }
  readHistoryReverse(runId: string, lastEventId: number, limit: number): Promise<Uint8Array[]> {
    return this.inner.readHistoryReverse(runId, lastEventId, limit);
  }
  listExecutions(query: VisibilityQuery, offset: number, limit: number): Promise<Uint8Array[]> {
    return this.inner.listExecutions(query, offset, limit);
  }
  countExecutions(query: VisibilityQuery): Promise<number> {
    return this.inner.countExecutions(query);
  }
  countExecutionsByStatus(query: VisibilityQuery): Promise<{ status: number; count: number }[]> {
    return this.inner.countExecutionsByStatus(query);
  }
  listSearchAttributes(namespaceId: string): Promise<Map<string, SearchAttributeType>> {
    return this.inner.listSearchAttributes(namespaceId);
  }
  addSearchAttributes(namespaceId: string, attributes: Map<string, SearchAttributeType>): Promise<void> {
    return this.inner.addSearchAttributes(namespaceId, attributes);
  }
  removeSearchAttributes(namespaceId: string, names: string[]): Promise<void> {
    return this.inner.removeSearchAttributes(namespaceId, names);
  }
  listClosedBefore(namespaceId: string, closedBefore: number, limit: number): Promise<{ workflowId: string; runId: string }[]> {
    return this.inner.listClosedBefore(namespaceId, closedBefore, limit);
  }
  getSchedule(namespaceId: string, scheduleId: string): Promise<ScheduleRecord | undefined> {
    return this.inner.getSchedule(namespaceId, scheduleId);
  }
  createSchedule(record: ScheduleRecord): Promise<void> {
    return this.inner.createSchedule(record);
  }
  updateSchedule(record: ScheduleRecord, expectedDbVersion: number): Promise<void> {
    return this.inner.updateSchedule(record, expectedDbVersion);
  }
  deleteSchedule(namespaceId: string, scheduleId: string): Promise<boolean> {
    return this.inner.deleteSchedule(namespaceId, scheduleId);
  }
  listSchedules(namespaceId: string, afterScheduleId: string, limit: number): Promise<ScheduleRecord[]> {
    return this.inner.listSchedules(namespaceId, afterScheduleId, limit);
  }
  listAllSchedules(): Promise<ScheduleRecord[]> {
    return this.inner.listAllSchedules();
  }
  close(): Promise<void> {
    this.states.clear();
    return this.inner.close();
  }
}
