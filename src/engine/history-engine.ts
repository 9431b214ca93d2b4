import { randomUUID } from 'node:crypto';
import { ServiceError, workflowAlreadyStarted, workflowNotFound } from '../common/errors';
import type { Logger } from '../common/logger';
import { ENCODED_HISTORY, type EncodedHistory, durationToMs, enums, toNumber, type workflowservice } from '../common/proto';
import type { CurrentExecution, MutableState, NamespaceRecord, RunMutation } from '../store/records';
import { ConditionFailedError, type Store } from '../store/store';
import type { Clock } from './clock';
import { addSignal, isDuplicateRequest, isRunning, terminateExecution } from './execution';
import { HistoryNotifier } from './history-notifier';
import { KeyedMutex, workflowLockKey } from './keyed-mutex';
import { Matching, type Waiter } from './matching';
import { RunMutator, decodeEvent } from './mutator';
import { busyUntil, dispatchableTasks, nextDeadline, workflowDispatchTask, type DispatchTask } from './task-generator';
import { fireDueTimeouts } from './timeouts';
import { TimerQueue } from './timer-queue';
import type { NamespaceRegistry } from './namespaces';
import { TransferTasks } from './transfer-tasks';
import type { SearchAttributeRegistry } from '../visibility/search-attributes';
import { visibilityRecord } from '../visibility/record';
import { describeExecution } from './describe';
import { decodePageToken, encodePageToken } from './history-pages';
import { reuseDecision } from './id-reuse';
import { createRun } from './run-factory';
import { cronBackoffMs, successorSpec } from './successor';
import type { TimeSkipper } from './time-skipping';
import { QueryRegistry } from './query-registry';
import { UpdateRegistry } from './update-registry';
import { scheduleWorkflowTask, startWorkflowTask } from './workflow-task';
import { WorkflowTasks } from './workflow-tasks';
import { ActivityTasks } from './activity-tasks';
import { QueryHandling } from './queries';
import { UpdateHandling } from './updates';

/** A poller claimed in a transaction, and the workflow task started for it there. */
interface SyncMatch {
  poller: Waiter;
  task: DispatchTask;
}

export interface RunRef {
  namespaceId: string;
  workflowId: string;
  runId: string;
}

export interface EngineOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** How long an empty task poll is held (Temporal: ~60 s). */
  longPollTimeoutMs?: number;
  /** How long a history long poll is held before an empty page (Temporal: ~20 s). */
  historyLongPollTimeoutMs?: number;
  /** How long a query waits for a worker's answer. */
  queryTimeoutMs?: number;
  /** Namespace names and ids (children and external requests may name another namespace). */
  namespaces: NamespaceRegistry;
  searchAttributes: SearchAttributeRegistry;
  /** Time-skipping mode: the engine tells the skipper when it is idle and what is due next. */
  timeSkipper?: TimeSkipper;
  /** Time-skipping mode: how long a started activity holds time still before time may skip past it. */
  activityGraceMs?: number;
}

/**
 * The history engine: owns every run's mutable state. Each operation takes the workflow's lock,
 * applies one change through a RunMutator, commits it in one transaction, and only then updates the
 * derived indexes (matching, timer queue) and wakes history long polls.
 */
export class HistoryEngine {
  readonly matching = new Matching();
  /** @internal */ readonly store: Store;
  /** @internal */ readonly namespaces: NamespaceRegistry;
  /** @internal */ readonly searchAttributes: SearchAttributeRegistry;
  /** @internal */ readonly clock: Clock;
  /** @internal */ readonly logger: Logger;
  /** @internal */ readonly locks = new KeyedMutex();
  /** @internal */ readonly notifier = new HistoryNotifier();
  /** @internal */ readonly timers: TimerQueue;
  /** @internal */ readonly longPollTimeoutMs: number;
  /** @internal */ readonly historyLongPollTimeoutMs: number;
  /** @internal Server-side cap on a query's wait, since the SDK's query call has no deadline. */
  readonly queryTimeoutMs: number;
  /** @internal */ readonly runs = new Map<string, RunRef>();
  /** @internal */ readonly queries = new QueryRegistry();
  /** @internal */ readonly updates = new UpdateRegistry();
  /** Time-skipping mode: per run, until when its work in flight holds the clock (see `busyUntil`). */
  private readonly busy = new Map<string, number>();
  private timerCallbacksInFlight = 0;
  /** @internal */ readonly timeSkipper: TimeSkipper | undefined;
  /** @internal */ readonly transfers: TransferTasks;
  private readonly activityGraceMs: number;
  readonly workflowTasks = new WorkflowTasks(this);
  readonly activityTasks = new ActivityTasks(this);
  readonly queryHandling = new QueryHandling(this);
  readonly updateHandling = new UpdateHandling(this);
  /** Counters tests and operators can read. */
  readonly stats = { fullHistoryWorkflowTasks: 0, eagerActivityTasks: 0 };

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.namespaces = options.namespaces;
    this.searchAttributes = options.searchAttributes;
    this.clock = options.clock;
    this.logger = options.logger;
    this.longPollTimeoutMs = options.longPollTimeoutMs ?? 60_000;
    this.historyLongPollTimeoutMs = options.historyLongPollTimeoutMs ?? 20_000;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
    this.timers = new TimerQueue(this.clock, (runId) => void this.onTimer(runId));
    this.timeSkipper = options.timeSkipper;
    this.transfers = new TransferTasks({
      store: this.store,
      logger: this.logger,
      namespaces: this.namespaces,
      locks: this.locks,
      now: () => this.clock.now(),
      settled: () => this.timeSkipper?.poke(),
      mutate: (ms) => this.mutate(ms),
      commitRuns: (mutators, current) => this.commitRuns(mutators, current),
      updateRun: async (ref, fn) => (await this.tryUpdate(ref, fn))?.value,
      signal: async (namespaceId, workflowId, runId, apply) => {
        const target = await this.load(namespaceId, workflowId, runId);
        const done = await this.tryUpdate(target, (m) => {
          if (!m.isRunning()) return false;
          apply(m);
          return true;
        });
        return done?.value === true;
      },
    });
    this.activityGraceMs = options.activityGraceMs ?? 1000;
    this.timeSkipper?.attach({
      nextDeadline: () => this.timers.peek(),
      busyUntil: () => {
        if (this.timerCallbacksInFlight > 0 || this.transfers.busy) return Infinity;
        let until = 0;
        for (const value of this.busy.values()) until = Math.max(until, value);
        return until;
      },
      fireDue: () => this.timers.fireDue(),
    });
  }

  /** Rebuilds matching and the timer queue from every open run (start-up and crash recovery). */
  async recover(): Promise<void> {
    const open = await this.store.listOpenMutableStates();
    for (const ms of open) {
      this.index(ms);
      await this.transfers.recoverChildren(ms);
    }
    if (open.length > 0) this.logger.info('resumed open workflows', { count: open.length });
  }

  close(): void {
    this.timeSkipper?.close();
    this.timers.close();
    this.matching.close();
    this.notifier.wakeAll();
  }

  // ---------------------------------------------------------------- workflow executions

  async startWorkflowExecution(
    ns: NamespaceRecord,
    req: workflowservice.IStartWorkflowExecutionRequest,
    beforeFirstTask?: (m: RunMutator) => void,
  ): Promise<{ runId: string; started: boolean }> {
    const workflowId = req.workflowId ?? '';
    return this.locks.run(workflowLockKey(ns.id, workflowId), async () => {
      const requestId = req.requestId || randomUUID();
      const current = await this.store.getCurrentExecution(ns.id, workflowId);
      const runs: RunMutator[] = [];
      if (current) {
        if (current.startRequestId === requestId) return { runId: current.runId, started: true };
        const decision = reuseDecision(current, req);
        if (decision === 'use-existing') return { runId: current.runId, started: false };
        if (decision === 'reject') throw workflowAlreadyStarted(workflowId, current.runId, current.startRequestId);
        if (decision === 'terminate') {
          const terminated = await this.terminateCurrent(current, req.identity ?? '', 'TerminateIfRunning WorkflowIdReusePolicy Policy');
          if (terminated) runs.push(terminated);
        }
      }
      const now = this.clock.now();
      const backoffMs = req.cronSchedule ? cronBackoffMs(req.cronSchedule, now) : durationToMs(req.workflowStartDelay);
      const m = createRun({ namespaceId: ns.id, request: req, requestId, firstWorkflowTaskBackoffMs: backoffMs }, now, beforeFirstTask);
      m.namespaceName = ns.name;
      const currentRow: CurrentExecution = { namespaceId: ns.id, workflowId, runId: m.ms.runId, startRequestId: requestId, status: m.ms.status };
      await this.commitRuns([...runs, m], currentRow);
      return { runId: m.ms.runId, started: true };
    });
  }

  /** Terminates the current run inside the caller's transaction (reuse policy TERMINATE_EXISTING). */
  private async terminateCurrent(current: CurrentExecution, identity: string, reason: string): Promise<RunMutator | undefined> {
    const ms = await this.store.getMutableState(current.namespaceId, current.workflowId, current.runId);
    if (!ms || !isRunning(ms.status)) return undefined;
    const m = this.mutate(ms);
    terminateExecution(m, reason, null, identity);
    return m;
  }

  async terminateWorkflowExecution(ns: NamespaceRecord, req: workflowservice.ITerminateWorkflowExecutionRequest): Promise<void> {
    const ms = await this.load(ns.id, req.workflowExecution?.workflowId ?? '', req.workflowExecution?.runId ?? '');
    if (req.firstExecutionRunId && ms.firstExecutionRunId !== req.firstExecutionRunId) throw workflowNotFound(ms.workflowId, req.firstExecutionRunId);
    await this.update(ms, (m) => {
      if (!m.isRunning()) throw new ServiceError('NOT_FOUND', 'workflow execution already completed');
      terminateExecution(m, req.reason ?? '', req.details, req.identity ?? '');
    });
  }

  async describeWorkflowExecution(
    ns: NamespaceRecord,
    execution: { workflowId?: string | null; runId?: string | null },
  ): Promise<workflowservice.IDescribeWorkflowExecutionResponse> {
    const ms = await this.load(ns.id, execution.workflowId ?? '', execution.runId ?? '');
    return describeExecution(ms, this.clock.now());
  }

  // ---------------------------------------------------------------- signals, cancellation

  async signalWorkflowExecution(ns: NamespaceRecord, req: workflowservice.ISignalWorkflowExecutionRequest): Promise<void> {
    const ms = await this.load(ns.id, req.workflowExecution?.workflowId ?? '', req.workflowExecution?.runId ?? '');
    await this.update(ms, (m) => {
      if (!m.isRunning()) throw new ServiceError('NOT_FOUND', 'workflow execution already completed');
      if (isDuplicateRequest(m, req.requestId)) return;
      addSignal(m, req.signalName ?? '', req.input, req.header, req.identity ?? '');
    });
  }

  /**
   * Signals the running workflow, or starts one with the signal as its first event
   * (Started, Signaled, WorkflowTaskScheduled), in one transaction.
   */
  async signalWithStartWorkflowExecution(
    ns: NamespaceRecord,
    req: workflowservice.ISignalWithStartWorkflowExecutionRequest,
  ): Promise<{ runId: string; started: boolean }> {
    const workflowId = req.workflowId ?? '';
    const signal = (m: RunMutator): void => addSignal(m, req.signalName ?? '', req.signalInput, req.header, req.identity ?? '');
    const current = await this.store.getCurrentExecution(ns.id, workflowId);
    const Conflict = enums.WorkflowIdConflictPolicy;
    const conflict = req.workflowIdConflictPolicy ?? Conflict.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED;
    if (
      current &&
      isRunning(current.status) &&
      conflict !== Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING &&
      conflict !== Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL
    ) {
      const signaled = await this.tryUpdate(current, (m) => {
        if (!m.isRunning()) return undefined;
        if (!isDuplicateRequest(m, req.requestId)) signal(m);
        return true;
      });
      if (signaled?.value) return { runId: current.runId, started: false };
    }
    return this.startWorkflowExecution(
      ns,
      { ...req, input: req.input, workflowIdConflictPolicy: conflict || Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL },
      signal,
    );
  }

  async requestCancelWorkflowExecution(ns: NamespaceRecord, req: workflowservice.IRequestCancelWorkflowExecutionRequest): Promise<void> {
    const ms = await this.load(ns.id, req.workflowExecution?.workflowId ?? '', req.workflowExecution?.runId ?? '');
    if (req.firstExecutionRunId && ms.firstExecutionRunId !== req.firstExecutionRunId) throw workflowNotFound(ms.workflowId, req.firstExecutionRunId);
    await this.update(ms, (m) => {
      if (!m.isRunning()) throw new ServiceError('NOT_FOUND', 'workflow execution already completed');
      // A repeated request is a no-op, as in current Temporal.
      if (m.ms.cancelRequested || isDuplicateRequest(m, req.requestId)) return;
      m.ms.cancelRequested = true;
      m.add({ workflowExecutionCancelRequestedEventAttributes: { cause: req.reason ?? '', identity: req.identity ?? '' } });
    });
  }

  // ---------------------------------------------------------------- sticky queues

  /** A worker went away: its sticky queue is retired and the runs waiting on it move to the normal queue. */
  shutdownWorker(ns: NamespaceRecord, stickyTaskQueue: string): void {
    if (!stickyTaskQueue) return;
    for (const task of this.matching.retire(ns.id, 'workflow', stickyTaskQueue)) this.timers.set(task.runId, this.clock.now());
  }

  async resetStickyTaskQueue(ns: NamespaceRecord, execution: { workflowId?: string | null; runId?: string | null }): Promise<void> {
    const ms = await this.load(ns.id, execution.workflowId ?? '', execution.runId ?? '');
    await this.update(ms, (m) => {
      m.ms.stickyTaskQueue = undefined;
    });
  }

  // ---------------------------------------------------------------- deletion and retention

  /** Deletes a run with its history and visibility; a running one is terminated first, as in Temporal. */
  async deleteWorkflowExecution(ns: NamespaceRecord, execution: { workflowId?: string | null; runId?: string | null }): Promise<void> {
    const ms = await this.load(ns.id, execution.workflowId ?? '', execution.runId ?? '');
    await this.locks.run(workflowLockKey(ns.id, ms.workflowId), async () => {
      const fresh = await this.store.getMutableState(ns.id, ms.workflowId, ms.runId);
      if (fresh && isRunning(fresh.status)) {
        const m = this.mutate(fresh);
        terminateExecution(m, 'Delete workflow execution', null, 'history-service');
        await this.commitRuns([m]);
      }
      await this.store.deleteExecution(ns.id, ms.workflowId, ms.runId);
    });
    this.runs.delete(ms.runId);
    this.timers.set(ms.runId, undefined);
  }

  /** Removes closed runs older than their namespace's retention period. */
  async sweepRetention(): Promise<number> {
    let removed = 0;
    for (const ns of await this.namespaces.list()) {
      const expired = await this.store.listClosedBefore(ns.id, this.clock.now() - ns.retentionMs, 500);
      for (const run of expired) {
        await this.locks.run(workflowLockKey(ns.id, run.workflowId), () => this.store.deleteExecution(ns.id, run.workflowId, run.runId));
        removed++;
      }
    }
    if (removed > 0) this.logger.info('retention removed closed workflows', { count: removed });
    return removed;
  }

  // ---------------------------------------------------------------- history

  async getWorkflowExecutionHistory(
    ns: NamespaceRecord,
    req: workflowservice.IGetWorkflowExecutionHistoryRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IGetWorkflowExecutionHistoryResponse & EncodedHistory> {
    const workflowId = req.execution?.workflowId ?? '';
    let ms = await this.load(ns.id, workflowId, req.execution?.runId ?? '');
    const token = decodePageToken(req.nextPageToken, ms.runId);
    const closeOnly = req.historyEventFilterType === enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;
    if (req.waitNewEvent) {
      // Long poll: until the run closes (close-event filter) or grows past the caller's position.
      const deadline = this.clock.now() + this.historyLongPollTimeoutMs;
      const ready = (s: MutableState): boolean => (closeOnly ? !isRunning(s.status) : s.nextEventId > token);
      while (!ready(ms)) {
        const remaining = deadline - this.clock.now();
        if (remaining <= 0 || signal?.aborted) {
          return { [ENCODED_HISTORY]: [], nextPageToken: encodePageToken(ms.runId, closeOnly ? 1 : token), archived: false };
        }
        await this.notifier.wait(ms.runId, remaining, signal);
        ms = await this.load(ns.id, workflowId, ms.runId);
      }
    }
    if (closeOnly) {
      const last = await this.store.readHistoryReverse(ms.runId, ms.nextEventId - 1, 1);
      return { [ENCODED_HISTORY]: last, nextPageToken: new Uint8Array(), archived: false };
    }
    const pageSize = req.maximumPageSize && req.maximumPageSize > 0 ? req.maximumPageSize : 1000;
    const rows = await this.store.readHistory(ms.runId, token, ms.nextEventId, pageSize);
    const lastId = token + rows.length - 1; // event ids are dense
    const more = lastId + 1 < ms.nextEventId;
    return { [ENCODED_HISTORY]: rows, nextPageToken: more ? encodePageToken(ms.runId, lastId + 1) : new Uint8Array(), archived: false };
  }

  async getWorkflowExecutionHistoryReverse(
    ns: NamespaceRecord,
    req: workflowservice.IGetWorkflowExecutionHistoryReverseRequest,
  ): Promise<workflowservice.IGetWorkflowExecutionHistoryReverseResponse> {
    const ms = await this.load(ns.id, req.execution?.workflowId ?? '', req.execution?.runId ?? '');
    const from = req.nextPageToken && req.nextPageToken.length > 0 ? decodePageToken(req.nextPageToken, ms.runId) : ms.nextEventId - 1;
    const pageSize = req.maximumPageSize && req.maximumPageSize > 0 ? req.maximumPageSize : 1000;
    const events = (await this.store.readHistoryReverse(ms.runId, from, pageSize)).map(decodeEvent);
    const lastId = events.length > 0 ? toNumber(events[events.length - 1]?.eventId) : 1;
    return { history: { events }, nextPageToken: lastId > 1 ? encodePageToken(ms.runId, lastId - 1) : new Uint8Array() };
  }

  /** Queries and updates that rode on a failed task wait for the next attempt. */
  /** @internal */ afterTaskFailure(runId: string): void {
    this.queries.detach(runId);
    for (const u of this.updates.forRun(runId, 'sent')) u.stage = 'admitted';
  }

  // ---------------------------------------------------------------- timers

  private async onTimer(runId: string): Promise<void> {
    const ref = this.runs.get(runId);
    if (!ref) return;
    this.timerCallbacksInFlight++;
    try {
      const timedOutTask = await this.update(ref, (m) => {
        const before = m.ms.workflowTask;
        fireDueTimeouts(m, (queue) => this.matching.isLive(m.ms.namespaceId, 'workflow', queue));
        return before?.startedEventId !== undefined && m.ms.workflowTask !== before;
      });
      if (timedOutTask) this.afterTaskFailure(runId);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'NOT_FOUND') return;
      this.logger.error('timer processing failed', { runId, error: String(err) });
      // Try again shortly rather than lose the deadline.
      this.timers.set(runId, this.clock.now() + 1000);
    } finally {
      this.timerCallbacksInFlight--;
      this.timeSkipper?.poke();
    }
  }

  // ---------------------------------------------------------------- plumbing

  /**
   * A long poll on a task queue: waits for a task, records it as started (`start`), and answers
   * empty when the poll period ends. A task whose start turns out stale is skipped; a task taken
   * by a poller that has just gone away is offered again, never lost.
   * @internal
   */
  async pollTask<R extends object>(
    ns: NamespaceRecord,
    kind: DispatchTask['kind'],
    queue: string,
    identity: string,
    signal: AbortSignal | undefined,
    start: (task: DispatchTask) => Promise<R | undefined>,
  ): Promise<R | Record<string, never>> {
    const deadline = this.clock.now() + this.longPollTimeoutMs;
    for (;;) {
      const task = await this.matching.poll(ns.id, kind, queue, Math.max(0, deadline - this.clock.now()), signal, identity);
      if (!task) return {};
      // A task started for this poller in its scheduling transaction cannot go back: if the poller
      // left meanwhile, the task's start-to-close timeout brings it back, as for a lost response.
      if (signal?.aborted && !task.startedRequestId) {
        this.matching.offer(task);
        return {};
      }
      const response = await start(task);
      if (response) return response;
    }
  }

  /** Loads a run (the current one when runId is empty) or throws NOT_FOUND. */
  async load(namespaceId: string, workflowId: string, runId: string): Promise<MutableState> {
    let id = runId;
    if (!id) {
      const current = await this.store.getCurrentExecution(namespaceId, workflowId);
      if (!current) throw workflowNotFound(workflowId);
      id = current.runId;
    }
    const ms = await this.store.getMutableState(namespaceId, workflowId, id);
    if (!ms) throw workflowNotFound(workflowId, runId);
    return ms;
  }

  /** One read-modify-commit of a run under its workflow's lock. */
  /** @internal */ async update<T>(ref: RunRef, fn: (m: RunMutator) => T): Promise<T> {
    const result = await this.tryUpdate(ref, fn, true);
    if (!result) throw workflowNotFound(ref.workflowId, ref.runId);
    return result.value;
  }

  /** Like update, but a missing run yields undefined, and a fn result of undefined commits nothing. */
  /** @internal */ tryUpdate<T>(ref: RunRef, fn: (m: RunMutator) => T | Promise<T>, commitAlways = false): Promise<{ ms: MutableState; value: T } | undefined> {
    return this.locks.run(workflowLockKey(ref.namespaceId, ref.workflowId), async () => {
      for (let attempt = 0; ; attempt++) {
        const ms = await this.store.getMutableState(ref.namespaceId, ref.workflowId, ref.runId);
        if (!ms) return undefined;
        const m = this.mutate(ms);
        const value = await fn(m);
        if (value === undefined && !commitAlways) return { ms, value };
        try {
          const [committed] = await this.commitRuns([m]);
          return { ms: committed ?? ms, value };
        } catch (err) {
          if (err instanceof ConditionFailedError && attempt < 3) continue;
          throw err;
        }
      }
    });
  }

  /** @internal */ mutate(ms: MutableState): RunMutator {
    const m = new RunMutator(ms, this.clock.now());
    m.namespaceName = this.namespaces.nameOf(ms.namespaceId);
    return m;
  }

  /**
   * Commits the mutators as one transaction, with the successor runs they planned (continue-as-new,
   * retry, cron) created in it and the current-run pointer moved to them; then updates the indexes.
   * Returns the committed states, in order.
   */
  /** @internal */ async commitRuns(mutators: RunMutator[], current?: CurrentExecution): Promise<MutableState[]> {
    const all = [...mutators];
    let currentRow = current;
    const matches: SyncMatch[] = [];
    let mutations: RunMutation[];
    try {
      for (const m of mutators) {
        const match = this.finishTransaction(m);
        if (match) matches.push(match);
        const plan = m.successor;
        if (!plan) continue;
        const [firstRow] = await this.store.readHistory(m.ms.runId, 1, 2, 1);
        const started = firstRow ? decodeEvent(firstRow).workflowExecutionStartedEventAttributes : undefined;
        const next = createRun(successorSpec(m.ms, plan, started ?? {}), m.now);
        next.namespaceName = m.namespaceName;
        m.ms.newExecutionRunId = plan.runId;
        all.push(next);
        currentRow = {
          namespaceId: next.ms.namespaceId,
          workflowId: next.ms.workflowId,
          runId: next.ms.runId,
          startRequestId: next.ms.startRequestId,
          status: next.ms.status,
        };
      }
      mutations = await Promise.all(
        all.map(async (m) => {
          const visible = m.changesVisibility();
          const mutation = m.toRunMutation();
          if (visible) mutation.visibility = visibilityRecord(mutation.mutableState, await this.searchAttributes.all(mutation.mutableState.namespaceId));
          return mutation;
        }),
      );
      await this.store.commit({ runs: mutations, current: currentRow });
    } catch (err) {
      for (const { poller } of matches) poller.resolve(undefined); // nothing was started: the poller polls again
      throw err;
    }
    for (const { poller, task } of matches) poller.resolve(task);
    for (const m of all) m.runCommitHooks();
    all.forEach((m, i) => {
      const state = mutations[i]?.mutableState;
      if (state) this.afterCommit(state, m.wasRunning && !isRunning(state.status));
    });
    return mutations.map((x) => x.mutableState);
  }

  /**
   * The end of every transaction: buffered events are written (unless a task is started) and a
   * task follows them. If a poller is waiting for that workflow task, it is started here, in the
   * same commit (sync match), and handed over once the commit is durable.
   */
  private finishTransaction(m: RunMutator): SyncMatch | undefined {
    if (m.flushBuffer() > 0) scheduleWorkflowTask(m);
    const wt = m.ms.workflowTask;
    if (!m.isRunning() || !wt || wt.startedEventId !== undefined) return undefined;
    const poller = this.matching.claim(m.ms.namespaceId, 'workflow', wt.taskQueue);
    if (!poller) return undefined;
    const requestId = randomUUID();
    startWorkflowTask(m, requestId, poller.identity);
    return { poller, task: { ...workflowDispatchTask(m.ms, wt), startedRequestId: requestId } };
  }

  private afterCommit(ms: MutableState, justClosed: boolean): void {
    this.index(ms);
    this.notifier.notify(ms.runId);
    if (justClosed) this.transfers.afterClose(ms);
  }

  /** Brings matching, the timer queue, and in-flight queries and updates in line with the run's state. */
  /** @internal */ index(ms: MutableState): void {
    if (this.timeSkipper) {
      this.busy.set(ms.runId, isRunning(ms.status) ? busyUntil(ms, this.clock.now(), this.activityGraceMs) : 0);
      if (!isRunning(ms.status)) this.busy.delete(ms.runId);
      this.timeSkipper.poke();
    }
    if (!isRunning(ms.status)) {
      this.runs.delete(ms.runId);
      this.timers.set(ms.runId, undefined);
      this.updateHandling.abortUpdates(ms);
      this.queryHandling.dispatchBufferedQueries(ms);
      return;
    }
    this.runs.set(ms.runId, { namespaceId: ms.namespaceId, workflowId: ms.workflowId, runId: ms.runId });
    this.transfers.dispatch(ms);
    for (const task of dispatchableTasks(ms, this.clock.now())) this.matching.offer(task);
    const wt = ms.workflowTask;
    const stickyGone = wt?.sticky && wt.startedEventId === undefined && !this.matching.isLive(ms.namespaceId, 'workflow', wt.taskQueue);
    this.timers.set(ms.runId, stickyGone ? this.clock.now() : nextDeadline(ms));
    if (!wt) this.queryHandling.dispatchBufferedQueries(ms);
  }
}
