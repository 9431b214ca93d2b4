import { randomUUID } from 'node:crypto';
import { ServiceError, invalidArgument, notFound, taskNotFound, workflowAlreadyStarted, workflowNotFound } from '../common/errors';
import type { Logger } from '../common/logger';
import type {
  workflowservice} from '../common/proto';
import {
  decodePayloads,
  durationToMs,
  encodePayloads,
  enums,
  int64,
  msToDuration,
  msToTimestamp,
  temporal,
  toNumber,
  type history,
  type IFailure,
  type IPayloads,
} from '../common/proto';
import type { ActivityInfo, CurrentExecution, MutableState, NamespaceRecord } from '../store/records';
import { ConditionFailedError, type Store } from '../store/store';
import { cancelActivity, completeActivity, failActivityAttempt, isStarted, retryPolicyToProto, startActivityAttempt } from './activity';
import type { Clock } from './clock';
import { BadCommandError, applyCommands } from './commands';
import { addSignal, isDuplicateRequest, isRunning, terminateExecution } from './execution';
import { HistoryNotifier } from './history-notifier';
import { KeyedMutex } from './keyed-mutex';
import { Matching } from './matching';
import { RunMutator, decodeEvent } from './mutator';
import { busyUntil, dispatchableTasks, nextDeadline, type DispatchTask } from './task-generator';
import { decodeActivityTaskToken, decodeQueryTaskToken, decodeWorkflowTaskToken, encodeTaskToken } from './task-token';
import { fireDueTimeouts } from './timeouts';
import { TimerQueue } from './timer-queue';
import type { NamespaceRegistry } from './namespaces';
import { TransferTasks } from './transfer-tasks';
import type { SearchAttributeRegistry } from './search-attributes';
import { describeExecution, visibilityRecord } from './visibility';
import { decodePageToken, encodePageToken } from './history-pages';
import { reuseDecision } from './id-reuse';
import { createRun } from './run-factory';
import { cronBackoffMs, successorSpec } from './successor';
import type { TimeSkipper } from './time-skipping';
import { QueryRegistry, queryRejection } from './query-registry';
import { UpdateRegistry, type InFlightUpdate } from './update-registry';
import { UpdateProtocol } from './update-protocol';
import {
  completeWorkflowTask,
  failWorkflowTask,
  retryWorkflowTask,
  scheduleWorkflowTask,
  startWorkflowTask,
  transientWorkflowTaskEvents,
} from './workflow-task';


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

type Reply<T> = { value: T } | { error: ServiceError };

/**
 * The history engine: owns every run's mutable state. Each operation takes the workflow's lock,
 * applies one change through a RunMutator, commits it in one transaction, and only then updates the
 * derived indexes (matching, timer queue) and wakes history long polls.
 */
export class HistoryEngine {
  readonly matching = new Matching();
  private readonly store: Store;
  private readonly namespaces: NamespaceRegistry;
  private readonly searchAttributes: SearchAttributeRegistry;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly locks = new KeyedMutex();
  private readonly notifier = new HistoryNotifier();
  private readonly timers: TimerQueue;
  private readonly longPollTimeoutMs: number;
  private readonly historyLongPollTimeoutMs: number;
  /** Server-side cap on a query's wait, since the SDK's query call has no deadline. */
  private readonly queryTimeoutMs: number;
  private readonly runs = new Map<string, RunRef>();
  private readonly queries = new QueryRegistry();
  private readonly updates = new UpdateRegistry();
  /** Time-skipping mode: per run, until when its work in flight holds the clock (see `busyUntil`). */
  private readonly busy = new Map<string, number>();
  private timerCallbacksInFlight = 0;
  private readonly timeSkipper: TimeSkipper | undefined;
  private readonly transfers: TransferTasks;
  private readonly activityGraceMs: number;
  /** Counters tests and operators can read. */
  readonly stats = { fullHistoryWorkflowTasks: 0 };

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
      busyUntil: () => (this.timerCallbacksInFlight > 0 ? Infinity : Math.max(0, ...this.busy.values())),
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
    return this.locks.run(`${ns.id}/${workflowId}`, async () => {
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

  async describeWorkflowExecution(ns: NamespaceRecord, execution: { workflowId?: string | null; runId?: string | null }): Promise<workflowservice.IDescribeWorkflowExecutionResponse> {
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
    if (current && isRunning(current.status) && conflict !== Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING && conflict !== Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL) {
      const signaled = await this.tryUpdate(current, (m) => {
        if (!m.isRunning()) return undefined;
        if (!isDuplicateRequest(m, req.requestId)) signal(m);
        return true;
      });
      if (signaled?.value) return { runId: current.runId, started: false };
    }
    return this.startWorkflowExecution(ns, { ...req, input: req.input, workflowIdConflictPolicy: conflict || Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL }, signal);
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

  // ---------------------------------------------------------------- queries

  /**
   * Answers a query through a worker: attached to the run's pending workflow task when there is one
   * (so the answer reflects its events), else as a query task of its own. History is never touched.
   */
  async queryWorkflow(ns: NamespaceRecord, req: workflowservice.IQueryWorkflowRequest, signal?: AbortSignal): Promise<workflowservice.IQueryWorkflowResponse> {
    const workflowId = req.execution?.workflowId ?? '';
    const registered = await this.locks.run(`${ns.id}/${workflowId}`, async () => {
      const ms = await this.load(ns.id, workflowId, req.execution?.runId ?? '');
      const rejected = queryRejection(ms, req.queryRejectCondition);
      if (rejected !== undefined) return { rejected };
      if (ms.lastCompletedWorkflowTaskStartedEventId === 0 && !isRunning(ms.status)) {
        throw new ServiceError('FAILED_PRECONDITION', 'workflow closed before a workflow task completed', { type: 'WorkflowNotReady' });
      }
      const pending = this.queries.add(ms.runId, req.query ?? {}, 'buffered');
      if (!isRunning(ms.status) || !ms.workflowTask) this.dispatchBufferedQueries(ms);
      return { pending };
    });
    if ('rejected' in registered) return { queryRejected: { status: registered.rejected } };
    const { query, outcome } = registered.pending;
    const timeout = new Promise<'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), this.queryTimeoutMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve('timeout');
      });
      void outcome.then(() => clearTimeout(timer));
    });
    const result = await Promise.race([outcome, timeout]);
    if (result === 'timeout') {
      this.queries.remove(query.id);
      throw new ServiceError('DEADLINE_EXCEEDED', 'query timed out: no worker answered; is a worker polling the task queue?');
    }
    if ('failed' in result) throw new ServiceError('INVALID_ARGUMENT', result.failed, { type: 'QueryFailed', failure: result.failure ?? null });
    return { queryResult: result.answered ?? { payloads: [] } };
  }

  respondQueryTaskCompleted(req: workflowservice.IRespondQueryTaskCompletedRequest): void {
    const token = decodeQueryTaskToken(req.taskToken);
    const q = this.queries.get(token.queryId);
    if (!q) throw taskNotFound('Query task');
    if (req.completedType === enums.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) q.settle({ answered: req.queryResult });
    else q.settle({ failed: req.errorMessage || req.failure?.message || 'query failed', failure: req.failure });
  }

  // ---------------------------------------------------------------- updates

  /** Admits an update (a workflow task carries it to the worker) and waits for the requested stage. */
  async updateWorkflowExecution(
    ns: NamespaceRecord,
    req: workflowservice.IUpdateWorkflowExecutionRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IUpdateWorkflowExecutionResponse> {
    const workflowId = req.workflowExecution?.workflowId ?? '';
    const updateId = req.request?.meta?.updateId ?? '';
    const found = await this.locks.run(`${ns.id}/${workflowId}`, async () => {
      const ms = await this.load(ns.id, workflowId, req.workflowExecution?.runId ?? '');
      if (req.firstExecutionRunId && ms.firstExecutionRunId !== req.firstExecutionRunId) throw workflowNotFound(workflowId, req.firstExecutionRunId);
      if (ms.updates[updateId]) return { ms };
      const inFlight = this.updates.get(ms.runId, updateId);
      if (inFlight) return { ms, inFlight };
      if (!isRunning(ms.status)) throw new ServiceError('NOT_FOUND', 'workflow execution already completed');
      return { ms, inFlight: this.updates.admit(ms.runId, updateId, req.request ?? {}), admitted: true };
    });
    if (found.admitted) {
      await this.update(found.ms, (m) => scheduleWorkflowTask(m));
    }
    const wait = (): Promise<workflowservice.IUpdateWorkflowExecutionResponse> => this.awaitUpdate(ns, found.ms, updateId, found.inFlight, req.waitPolicy?.lifecycleStage, signal);
    return this.timeSkipper ? this.timeSkipper.unlockedWhile(wait) : wait();
  }

  async pollWorkflowExecutionUpdate(
    ns: NamespaceRecord,
    req: workflowservice.IPollWorkflowExecutionUpdateRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IPollWorkflowExecutionUpdateResponse> {
    const ref = req.updateRef;
    const ms = await this.load(ns.id, ref?.workflowExecution?.workflowId ?? '', ref?.workflowExecution?.runId ?? '');
    const updateId = ref?.updateId ?? '';
    const inFlight = this.updates.get(ms.runId, updateId);
    if (!ms.updates[updateId] && !inFlight) throw notFound(`update ${updateId} not found`);
    const wait = (): Promise<workflowservice.IUpdateWorkflowExecutionResponse> => this.awaitUpdate(ns, ms, updateId, inFlight, req.waitPolicy?.lifecycleStage, signal);
    const { stage, outcome } = await (this.timeSkipper ? this.timeSkipper.unlockedWhile(wait) : wait());
    return { stage, outcome, updateRef: { workflowExecution: { workflowId: ms.workflowId, runId: ms.runId }, updateId } };
  }

  /**
   * Waits (at most one long-poll period) for an update to reach the wanted stage. An in-flight update
   * is followed through its registry entry, which keeps the outcome even after it leaves the
   * registry; an update known only from history is read from there.
   */
  private async awaitUpdate(
    ns: NamespaceRecord,
    ms: MutableState,
    updateId: string,
    inFlight: InFlightUpdate | undefined,
    wanted: enums.UpdateWorkflowExecutionLifecycleStage | null | undefined,
    signal?: AbortSignal,
  ): Promise<workflowservice.IUpdateWorkflowExecutionResponse> {
    const Stage = enums.UpdateWorkflowExecutionLifecycleStage;
    const want = wanted || Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED;
    const updateRef = { workflowExecution: { workflowId: ms.workflowId, runId: ms.runId }, updateId };
    const deadline = this.clock.now() + this.historyLongPollTimeoutMs;
    for (;;) {
      let stage: enums.UpdateWorkflowExecutionLifecycleStage;
      if (inFlight) {
        if (inFlight.error) throw inFlight.error;
        if (inFlight.stage === 'completed') return { updateRef, stage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED, outcome: inFlight.outcome ?? null };
        stage = inFlight.stage === 'accepted' ? Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED : Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED;
      } else {
        const outcome = await this.readUpdateOutcome(ns, ms, updateId);
        if (outcome) return { updateRef, stage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED, outcome };
        // Accepted before a restart: its completion will come with a later task; the caller polls again.
        return { updateRef, stage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED };
      }
      const remaining = deadline - this.clock.now();
      if (stage >= want || remaining <= 0 || signal?.aborted) return { updateRef, stage };
      await this.updates.waitForChange(inFlight, remaining, signal);
    }
  }

  /** The outcome of an update that history holds as completed. */
  private async readUpdateOutcome(ns: NamespaceRecord, ms: MutableState, updateId: string): Promise<temporal.api.update.v1.IOutcome | undefined> {
    const fresh = await this.load(ns.id, ms.workflowId, ms.runId);
    const completedEventId = fresh.updates[updateId]?.completedEventId;
    if (!completedEventId) return undefined;
    const [row] = await this.store.readHistory(ms.runId, completedEventId, completedEventId + 1, 1);
    return row ? (decodeEvent(row).workflowExecutionUpdateCompletedEventAttributes?.outcome ?? undefined) : undefined;
  }

  // ---------------------------------------------------------------- deletion and retention

  /** Deletes a run with its history and visibility; a running one is terminated first, as in Temporal. */
  async deleteWorkflowExecution(ns: NamespaceRecord, execution: { workflowId?: string | null; runId?: string | null }): Promise<void> {
    const ms = await this.load(ns.id, execution.workflowId ?? '', execution.runId ?? '');
    await this.locks.run(`${ns.id}/${ms.workflowId}`, async () => {
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
        await this.locks.run(`${ns.id}/${run.workflowId}`, () => this.store.deleteExecution(ns.id, run.workflowId, run.runId));
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
  ): Promise<workflowservice.IGetWorkflowExecutionHistoryResponse> {
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
          return { history: { events: [] }, nextPageToken: encodePageToken(ms.runId, closeOnly ? 1 : token), archived: false };
        }
        await this.notifier.wait(ms.runId, remaining, signal);
        ms = await this.load(ns.id, workflowId, ms.runId);
      }
    }
    if (closeOnly) {
      const last = await this.store.readHistoryReverse(ms.runId, ms.nextEventId - 1, 1);
      return { history: { events: last.map(decodeEvent) }, nextPageToken: new Uint8Array(), archived: false };
    }
    const pageSize = req.maximumPageSize && req.maximumPageSize > 0 ? req.maximumPageSize : 1000;
    const rows = await this.store.readHistory(ms.runId, token, ms.nextEventId, pageSize);
    const events = rows.map(decodeEvent);
    const lastId = events.length > 0 ? toNumber(events[events.length - 1]?.eventId) : token - 1;
    const more = lastId + 1 < ms.nextEventId;
    return { history: { events }, nextPageToken: more ? encodePageToken(ms.runId, lastId + 1) : new Uint8Array(), archived: false };
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

  // ---------------------------------------------------------------- workflow tasks

  async pollWorkflowTaskQueue(
    ns: NamespaceRecord,
    req: workflowservice.IPollWorkflowTaskQueueRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IPollWorkflowTaskQueueResponse> {
    const queue = req.taskQueue?.name ?? '';
    const deadline = this.clock.now() + this.longPollTimeoutMs;
    for (;;) {
      const task = await this.matching.poll(ns.id, 'workflow', queue, Math.max(0, deadline - this.clock.now()), signal);
      if (!task) return {};
      if (signal?.aborted) {
        this.matching.offer(task); // the poller left: the task must not be lost with it
        return {};
      }
      const response = task.queryId ? await this.queryTaskResponse(task) : await this.recordWorkflowTaskStarted(task, req);
      if (response) return response;
    }
  }

  private async recordWorkflowTaskStarted(
    task: DispatchTask,
    req: workflowservice.IPollWorkflowTaskQueueRequest,
  ): Promise<workflowservice.IPollWorkflowTaskQueueResponse | undefined> {
    const result = await this.tryUpdate(task, (m) => {
      const wt = m.ms.workflowTask;
      if (!m.isRunning() || !wt || wt.startedEventId !== undefined || wt.attempt !== task.attempt || wt.scheduledEventId !== task.scheduledEventId) {
        return undefined;
      }
      return startWorkflowTask(m, randomUUID(), req.identity ?? '');
    });
    if (!result) return undefined;
    const { ms, value: wt } = result;
    if (!wt || wt.startedEventId === undefined) return undefined;
    // A sticky worker has the run cached up to its last task: it gets only what is new.
    const firstEventId = wt.sticky ? ms.lastCompletedWorkflowTaskStartedEventId + 1 : 1;
    if (firstEventId === 1) this.stats.fullHistoryWorkflowTasks++;
    const persisted = (await this.store.readHistory(ms.runId, firstEventId, ms.nextEventId, Number.MAX_SAFE_INTEGER)).map(decodeEvent);
    const events: history.IHistoryEvent[] = [...persisted, ...transientWorkflowTaskEvents({ ms }, wt)];
    const queries: Record<string, temporal.api.query.v1.IWorkflowQuery> = {};
    for (const q of this.queries.forRun(ms.runId, 'buffered')) {
      q.state = 'attached';
      queries[q.id] = q.query;
    }
    const messages = this.updates.forRun(ms.runId, 'admitted').map((u) => {
      u.stage = 'sent';
      return {
        id: `${u.updateId}/request`,
        protocolInstanceId: u.updateId,
        eventId: int64(wt.startedEventId! - 1),
        body: { type_url: 'type.googleapis.com/temporal.api.update.v1.Request', value: temporal.api.update.v1.Request.encode(u.request).finish() },
      };
    });
    return {
      ...this.workflowTaskIdentity(ms),
      taskToken: encodeTaskToken({
        kind: 'workflow',
        namespaceId: ms.namespaceId,
        workflowId: ms.workflowId,
        runId: ms.runId,
        scheduledEventId: wt.scheduledEventId,
        attempt: wt.attempt,
        startedEventId: wt.startedEventId,
      }),
      startedEventId: int64(wt.startedEventId),
      attempt: wt.attempt,
      history: { events },
      scheduledTime: msToTimestamp(wt.scheduledTime),
      startedTime: msToTimestamp(wt.startedTime ?? wt.scheduledTime),
      queries,
      messages,
    };
  }

  /** The fields a workflow task and a query task share. */
  private workflowTaskIdentity(ms: MutableState): workflowservice.IPollWorkflowTaskQueueResponse {
    return {
      workflowExecution: { workflowId: ms.workflowId, runId: ms.runId },
      workflowType: { name: ms.workflowType },
      previousStartedEventId: int64(ms.lastCompletedWorkflowTaskStartedEventId),
      backlogCountHint: int64(0),
      nextPageToken: new Uint8Array(),
      workflowExecutionTaskQueue: { name: ms.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    };
  }

  /** A legacy query task: full history, `query` set, its own token; answered by RespondQueryTaskCompleted. */
  private async queryTaskResponse(task: DispatchTask): Promise<workflowservice.IPollWorkflowTaskQueueResponse | undefined> {
    const q = this.queries.get(task.queryId ?? '');
    if (!q || q.state !== 'dispatched') return undefined;
    const ms = await this.store.getMutableState(task.namespaceId, task.workflowId, task.runId);
    if (!ms) return undefined;
    const events = (await this.store.readHistory(ms.runId, 1, ms.nextEventId, Number.MAX_SAFE_INTEGER)).map(decodeEvent);
    this.stats.fullHistoryWorkflowTasks++;
    return {
      ...this.workflowTaskIdentity(ms),
      taskToken: encodeTaskToken({ kind: 'query', namespaceId: ms.namespaceId, queryId: q.id }),
      startedEventId: int64(0),
      attempt: 1,
      history: { events },
      query: q.query,
    };
  }

  async respondWorkflowTaskCompleted(
    req: workflowservice.IRespondWorkflowTaskCompletedRequest,
  ): Promise<workflowservice.IRespondWorkflowTaskCompletedResponse> {
    const token = decodeWorkflowTaskToken(req.taskToken);
    const identity = req.identity ?? '';
    const reply = await this.update<Reply<workflowservice.IRespondWorkflowTaskCompletedResponse>>(token, (m) => {
      const wt = requireStartedWorkflowTask(m, token);
      const commands = req.commands ?? [];
      const closes = commands.some((c) => CLOSE_COMMANDS.has(c.commandType ?? 0));
      if (closes && m.hasBufferedEvents()) {
        // New events arrived while the worker decided to close: it must see them first.
        return this.rejectCompletion(m, wt.attempt, enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND, 'UnhandledCommand', identity);
      }
      const completedId = completeWorkflowTask(m, {
        identity,
        binaryChecksum: req.binaryChecksum,
        sdkMetadata: req.sdkMetadata,
        meteringMetadata: req.meteringMetadata,
        workerVersion: req.workerVersionStamp,
      });
      const stickyQueue = req.stickyAttributes?.workerTaskQueue?.name;
      m.ms.stickyTaskQueue = stickyQueue || undefined;
      m.ms.stickyScheduleToStartTimeoutMs = stickyQueue ? durationToMs(req.stickyAttributes?.scheduleToStartTimeout) || 10_000 : undefined;
      const protocol = new UpdateProtocol(m, this.updates, req.messages ?? []);
      const outcome = applyCommands(m, commands, completedId, (id) => protocol.apply(id));
      protocol.applyRemaining();
      if (outcome.needsWorkflowTask || req.forceCreateNewWorkflowTask || this.updates.forRun(m.ms.runId, 'admitted').length > 0) {
        m.flushBuffer();
        scheduleWorkflowTask(m);
      }
      m.onCommit(() => protocol.commit(!req.forceCreateNewWorkflowTask));
      return { value: {} };
    }).catch(async (err: unknown) => {
      if (!(err instanceof BadCommandError)) throw err;
      // A rejected command rolls back the whole completion: only the task failure is written.
      return this.update<Reply<workflowservice.IRespondWorkflowTaskCompletedResponse>>(token, (m) => {
        const wt = requireStartedWorkflowTask(m, token);
        return this.rejectCompletion(m, wt.attempt, err.failedCause, err.message, identity);
      });
    });
    this.answerQueries(req.queryResults);
    if ('error' in reply) {
      this.afterTaskFailure(token.runId);
      throw reply.error;
    }
    return reply.value;
  }

  /** Answers queries that rode on the completed task. */
  private answerQueries(results: workflowservice.IRespondWorkflowTaskCompletedRequest['queryResults']): void {
    for (const [id, result] of Object.entries(results ?? {})) {
      const q = this.queries.get(id);
      if (!q) continue;
      if (result.resultType === enums.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) q.settle({ answered: result.answer });
      else q.settle({ failed: result.errorMessage ?? 'query failed', failure: result.failure });
    }
  }

  /** Queries and updates that rode on a failed task wait for the next attempt. */
  private afterTaskFailure(runId: string): void {
    this.queries.detach(runId);
    for (const u of this.updates.forRun(runId, 'sent')) u.stage = 'admitted';
  }

  /**
   * Fails the task for a completion the server will not apply. Attempt 1 writes WorkflowTaskFailed
   * and a new task follows; later attempts are left to time out, as Temporal does.
   */
  private rejectCompletion(m: RunMutator, attempt: number, cause: enums.WorkflowTaskFailedCause, message: string, identity: string): Reply<never> {
    if (attempt === 1 || m.hasBufferedEvents()) {
      const next = failWorkflowTask(m, cause, { message, source: 'Hourglass' }, identity);
      retryWorkflowTask(m, next);
    }
    return { error: invalidArgument(message) };
  }

  async respondWorkflowTaskFailed(req: workflowservice.IRespondWorkflowTaskFailedRequest): Promise<void> {
    const token = decodeWorkflowTaskToken(req.taskToken);
    await this.update(token, (m) => {
      requireStartedWorkflowTask(m, token);
      const cause = req.cause ?? enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED;
      retryWorkflowTask(m, failWorkflowTask(m, cause, req.failure, req.identity ?? ''));
    });
    this.afterTaskFailure(token.runId);
  }

  // ---------------------------------------------------------------- activity tasks

  async pollActivityTaskQueue(
    ns: NamespaceRecord,
    req: workflowservice.IPollActivityTaskQueueRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IPollActivityTaskQueueResponse> {
    const queue = req.taskQueue?.name ?? '';
    const deadline = this.clock.now() + this.longPollTimeoutMs;
    for (;;) {
      const task = await this.matching.poll(ns.id, 'activity', queue, Math.max(0, deadline - this.clock.now()), signal);
      if (!task) return {};
      if (signal?.aborted) {
        this.matching.offer(task);
        return {};
      }
      const response = await this.recordActivityTaskStarted(ns, task, req.identity ?? '');
      if (response) return response;
    }
  }

  private async recordActivityTaskStarted(
    ns: NamespaceRecord,
    task: DispatchTask,
    identity: string,
  ): Promise<workflowservice.IPollActivityTaskQueueResponse | undefined> {
    const result = await this.tryUpdate(task, (m) => {
      const a = m.ms.activities[String(task.scheduledEventId)];
      if (!m.isRunning() || !a || isStarted(a) || a.cancelRequested || a.attempt !== task.attempt) return undefined;
      startActivityAttempt(m, a, randomUUID(), identity);
      return { ...a };
    });
    const a = result?.value;
    if (!result || !a || a.startedTime === undefined) return undefined;
    const { ms } = result;
    const [scheduledRow] = await this.store.readHistory(ms.runId, a.scheduledEventId, a.scheduledEventId + 1, 1);
    const scheduled = scheduledRow ? decodeEvent(scheduledRow).activityTaskScheduledEventAttributes : undefined;
    return {
      taskToken: encodeTaskToken({
        kind: 'activity',
        namespaceId: ms.namespaceId,
        workflowId: ms.workflowId,
        runId: ms.runId,
        scheduledEventId: a.scheduledEventId,
        attempt: a.attempt,
        activityId: a.activityId,
      }),
      workflowNamespace: ns.name,
      workflowType: { name: ms.workflowType },
      workflowExecution: { workflowId: ms.workflowId, runId: ms.runId },
      activityType: { name: a.activityType },
      activityId: a.activityId,
      header: scheduled?.header ?? null,
      input: scheduled?.input ?? null,
      heartbeatDetails: decodePayloads(a.heartbeatDetails) ?? null,
      scheduledTime: msToTimestamp(a.scheduledTime),
      currentAttemptScheduledTime: msToTimestamp(a.currentAttemptScheduledTime),
      startedTime: msToTimestamp(a.startedTime),
      attempt: a.attempt,
      scheduleToCloseTimeout: msToDuration(a.scheduleToCloseMs),
      startToCloseTimeout: msToDuration(a.startToCloseMs),
      heartbeatTimeout: msToDuration(a.heartbeatMs),
      retryPolicy: retryPolicyToProto(a.retryPolicy),
      priority: scheduled?.priority ?? null,
    };
  }

  respondActivityTaskCompleted(taskToken: Uint8Array | null | undefined, result: IPayloads | null | undefined, identity: string): Promise<void> {
    return this.updateActivity(taskToken, (m, a) => completeActivity(m, a, result, identity));
  }

  respondActivityTaskFailed(taskToken: Uint8Array | null | undefined, failure: IFailure | null | undefined, lastHeartbeatDetails: IPayloads | null | undefined, identity: string): Promise<void> {
    return this.updateActivity(taskToken, (m, a) => {
      if (lastHeartbeatDetails?.payloads?.length) a.heartbeatDetails = encodePayloads(lastHeartbeatDetails);
      failActivityAttempt(m, a, failure ?? { message: 'activity failed' }, identity);
    });
  }

  respondActivityTaskCanceled(taskToken: Uint8Array | null | undefined, details: IPayloads | null | undefined, identity: string): Promise<void> {
    return this.updateActivity(taskToken, (m, a) => cancelActivity(m, a, details, identity));
  }

  /** Records progress and tells the worker whether the activity was asked to cancel. */
  async recordActivityTaskHeartbeat(taskToken: Uint8Array | null | undefined, details: IPayloads | null | undefined): Promise<{ cancelRequested: boolean }> {
    let cancelRequested = false;
    await this.updateActivity(taskToken, (m, a) => {
      a.lastHeartbeatTime = m.now;
      if (details) a.heartbeatDetails = encodePayloads(details);
      cancelRequested = a.cancelRequested;
    });
    return { cancelRequested };
  }

  /** The *ById variants address the activity by workflow and activity id instead of a token. */
  async activityTokenById(ns: NamespaceRecord, workflowId: string, runId: string, activityId: string, identity: string): Promise<Uint8Array> {
    const ms = await this.load(ns.id, workflowId, runId);
    const a = Object.values(ms.activities).find((x) => x.activityId === activityId);
    if (!a) throw taskNotFound('Activity task');
    if (!isStarted(a)) {
      // Completing a never-started activity by id: record it as started by the caller first.
      await this.update(ms, (m) => {
        const pending = m.ms.activities[String(a.scheduledEventId)];
        if (pending && !isStarted(pending)) startActivityAttempt(m, pending, randomUUID(), identity);
      });
    }
    return encodeTaskToken({ kind: 'activity', namespaceId: ns.id, workflowId: ms.workflowId, runId: ms.runId, scheduledEventId: a.scheduledEventId, attempt: a.attempt, activityId });
  }

  private async updateActivity(taskToken: Uint8Array | null | undefined, fn: (m: RunMutator, a: ActivityInfo) => void): Promise<void> {
    const token = decodeActivityTaskToken(taskToken);
    await this.update(token, (m) => {
      const a = m.ms.activities[String(token.scheduledEventId)];
      if (!m.isRunning() || !a || a.attempt !== token.attempt || !isStarted(a)) throw taskNotFound('Activity task');
      fn(m, a);
    });
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
  private async update<T>(ref: RunRef, fn: (m: RunMutator) => T): Promise<T> {
    const result = await this.tryUpdate(ref, fn, true);
    if (!result) throw workflowNotFound(ref.workflowId, ref.runId);
    return result.value;
  }

  /** Like update, but a missing run yields undefined, and a fn result of undefined commits nothing. */
  private tryUpdate<T>(ref: RunRef, fn: (m: RunMutator) => T | Promise<T>, commitAlways = false): Promise<{ ms: MutableState; value: T } | undefined> {
    return this.locks.run(`${ref.namespaceId}/${ref.workflowId}`, async () => {
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

  private mutate(ms: MutableState): RunMutator {
    const m = new RunMutator(ms, this.clock.now());
    m.namespaceName = this.namespaces.nameOf(ms.namespaceId);
    return m;
  }

  /**
   * Commits the mutators as one transaction, with the successor runs they planned (continue-as-new,
   * retry, cron) created in it and the current-run pointer moved to them; then updates the indexes.
   * Returns the committed states, in order.
   */
  private async commitRuns(mutators: RunMutator[], current?: CurrentExecution): Promise<MutableState[]> {
    const all = [...mutators];
    let currentRow = current;
    for (const m of mutators) {
      this.finishTransaction(m);
      const plan = m.successor;
      if (!plan) continue;
      const [firstRow] = await this.store.readHistory(m.ms.runId, 1, 2, 1);
      const started = firstRow ? decodeEvent(firstRow).workflowExecutionStartedEventAttributes : undefined;
      const next = createRun(successorSpec(m.ms, plan, started ?? {}), m.now);
      next.namespaceName = m.namespaceName;
      m.ms.newExecutionRunId = plan.runId;
      all.push(next);
      currentRow = { namespaceId: next.ms.namespaceId, workflowId: next.ms.workflowId, runId: next.ms.runId, startRequestId: next.ms.startRequestId, status: next.ms.status };
    }
    const mutations = await Promise.all(
      all.map(async (m) => {
        const mutation = m.toRunMutation();
        mutation.visibility = visibilityRecord(mutation.mutableState, await this.searchAttributes.all(mutation.mutableState.namespaceId));
        return mutation;
      }),
    );
    await this.store.commit({ runs: mutations, current: currentRow });
    for (const m of all) m.runCommitHooks();
    all.forEach((m, i) => {
      const state = mutations[i]?.mutableState;
      if (state) this.afterCommit(state, m.wasRunning && !isRunning(state.status));
    });
    return mutations.map((x) => x.mutableState);
  }

  /** The end of every transaction: buffered events are written (unless a task is started) and a task follows them. */
  private finishTransaction(m: RunMutator): void {
    if (m.flushBuffer() > 0) scheduleWorkflowTask(m);
  }

  private afterCommit(ms: MutableState, justClosed: boolean): void {
    this.index(ms);
    this.notifier.notify(ms.runId);
    if (justClosed) this.transfers.afterClose(ms);
  }

  /** Brings matching, the timer queue, and in-flight queries and updates in line with the run's state. */
  private index(ms: MutableState): void {
    if (this.timeSkipper) {
      this.busy.set(ms.runId, isRunning(ms.status) ? busyUntil(ms, this.clock.now(), this.activityGraceMs) : 0);
      if (!isRunning(ms.status)) this.busy.delete(ms.runId);
      this.timeSkipper.poke();
    }
    if (!isRunning(ms.status)) {
      this.runs.delete(ms.runId);
      this.timers.set(ms.runId, undefined);
      this.abortUpdates(ms);
      this.dispatchBufferedQueries(ms);
      return;
    }
    this.runs.set(ms.runId, { namespaceId: ms.namespaceId, workflowId: ms.workflowId, runId: ms.runId });
    this.transfers.dispatch(ms);
    for (const task of dispatchableTasks(ms, this.clock.now())) this.matching.offer(task);
    const wt = ms.workflowTask;
    const stickyGone = wt?.sticky && wt.startedEventId === undefined && !this.matching.isLive(ms.namespaceId, 'workflow', wt.taskQueue);
    this.timers.set(ms.runId, stickyGone ? this.clock.now() : nextDeadline(ms));
    if (!wt) this.dispatchBufferedQueries(ms);
  }

  /** With no workflow task to ride on, buffered queries go to a worker as query tasks. */
  private dispatchBufferedQueries(ms: MutableState): void {
    for (const q of this.queries.forRun(ms.runId, 'buffered')) {
      q.state = 'dispatched';
      this.matching.offer({
        kind: 'workflow',
        namespaceId: ms.namespaceId,
        taskQueue: ms.taskQueue,
        workflowId: ms.workflowId,
        runId: ms.runId,
        scheduledEventId: 0,
        attempt: 0,
        queryId: q.id,
      });
    }
  }

  /** A closed run will never accept what it was sent: callers get an error, as from Temporal. */
  private abortUpdates(ms: MutableState): void {
    for (const u of this.updates.forRun(ms.runId)) {
      if (u.stage === 'accepted') {
        this.updates.advance(u, 'completed', { failure: { message: 'Workflow Update failed because the Workflow completed before the Update completed.', source: 'Hourglass' } });
      } else {
        this.updates.advance(u, 'completed', undefined, new ServiceError('NOT_FOUND', 'workflow execution already completed'));
      }
    }
  }
}

const CLOSE_COMMANDS = new Set<number>([
  enums.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  enums.CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
  enums.CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
  enums.CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
]);

function requireStartedWorkflowTask(m: RunMutator, token: { scheduledEventId: number; attempt: number; startedEventId: number }): NonNullable<MutableState['workflowTask']> {
  const wt = m.ms.workflowTask;
  if (!m.isRunning() || !wt || wt.startedEventId !== token.startedEventId || wt.attempt !== token.attempt || wt.scheduledEventId !== token.scheduledEventId) {
    throw taskNotFound('Workflow task');
  }
  return wt;
}

