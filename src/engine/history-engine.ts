import type { Logger } from '../common/logger';
import type { MutableState } from '../store/records';
import type { ExecutionStore } from '../store/store';
import { HistoryNotifier } from './dispatch/history-notifier';
import { Matching } from './dispatch/matching';
import { busyUntil, dispatchableTasks, hasStartedActivity, nextDeadline } from './dispatch/task-generator';
import { TaskPoller } from './dispatch/task-poller';
import { TimerTasks } from './dispatch/timer-tasks';
import { TransferTasks } from './dispatch/transfer-tasks';
import type { NamespaceRegistry } from './namespaces';
import { ActivityControls } from './rpc/activity-controls';
import { ActivityTasks } from './rpc/activity-tasks';
import { Deletion } from './rpc/deletion';
import type { EngineStats } from './rpc/engine-stats';
import { ExecutionControl } from './rpc/execution-control';
import { HistoryReads } from './rpc/history';
import { QueryHandling } from './rpc/queries/queries';
import { QueryRegistry } from './rpc/queries/query-registry';
import { WorkflowResets } from './rpc/reset/reset-workflow';
import { WorkflowStarts } from './rpc/start-workflow';
import { TaskQueues } from './rpc/task-queues';
import { DEFAULT_UPDATE_LIMITS } from './rpc/updates/update-limits';
import { UpdateRegistry } from './rpc/updates/update-registry';
import { UpdateWithStart } from './rpc/updates/update-with-start';
import { UpdateHandling } from './rpc/updates/updates';
import { WorkflowTasks } from './rpc/workflow-tasks';
import type { SearchAttributeRegistry } from '../visibility/search-attributes';
import type { RunLimits } from './state/run-limits';
import { isRunning } from './state/status';
import type { Clock } from './time/clock';
import type { TimeSkipper } from './time/time-skipping';
import { WorkInFlight } from './time/work-in-flight';
import { Transactions } from './transactions';

export interface EngineOptions {
  store: ExecutionStore;
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
  /** Dynamic config limits applied to every change of a run (suggest continue-as-new, command blob sizes). Default: Temporal's. */
  runLimits?: RunLimits;
  /** `limit.historyMaxPageSize`: history events per workflow task poll response. Default 256, Temporal's. */
  historyPageSize?: number;
  /** `system.enableActivityEagerExecution`: hand eagerly requested activities back in the completion. Default true. */
  activityEagerExecution?: boolean;
  /** `history.maxInFlightUpdates` / `history.maxTotalUpdates` (0: no limit). */
  updateLimits?: { maxInFlight: number; maxTotal: number };
  /** Told after the commit that closes a run (schedules watch the runs they started). */
  onRunClosed?: (ms: MutableState) => void;
}

/**
 * The history engine: wiring. Every RPC group is a module of `rpc/` given a narrow host; every
 * change of a run goes through `Transactions` (lock → load → mutate → commit), and only after the
 * commit are the derived indexes (matching, timer queue, transfer tasks) brought in line here.
 */
export class HistoryEngine {
  readonly stats: EngineStats = { fullHistoryWorkflowTasks: 0, eagerActivityTasks: 0 };
  readonly starts: WorkflowStarts;
  readonly control: ExecutionControl;
  readonly history: HistoryReads;
  readonly deletion: Deletion;
  readonly resets: WorkflowResets;
  readonly workflowTasks: WorkflowTasks;
  readonly activityTasks: ActivityTasks;
  readonly activityControls: ActivityControls;
  readonly queries: QueryHandling;
  readonly updates: UpdateHandling;
  readonly updateWithStart: UpdateWithStart;
  readonly taskQueues: TaskQueues;

  private readonly matching = new Matching();
  private readonly notifier = new HistoryNotifier();
  private readonly queryRegistry = new QueryRegistry();
  private readonly updateRegistry = new UpdateRegistry();
  private readonly transactions: Transactions;
  private readonly timers: TimerTasks;
  private readonly transfers: TransferTasks;
  private readonly inFlight: WorkInFlight;

  constructor(private readonly options: EngineOptions) {
    const { store, clock, logger, namespaces, timeSkipper } = options;
    const now = (): number => clock.now();
    this.inFlight = new WorkInFlight(timeSkipper, () => this.transfers.busy, options.activityGraceMs ?? 1000);
    const transactions = new Transactions({
      store,
      namespaces,
      searchAttributes: options.searchAttributes,
      matching: this.matching,
      now,
      limits: options.runLimits,
      afterCommit: (ms, justClosed) => this.afterCommit(ms, justClosed),
    });
    this.transactions = transactions;
    const onWorkflowTaskFailure = (runId: string): void => this.onWorkflowTaskFailure(runId);
    this.timers = new TimerTasks({ transactions, matching: this.matching, logger, clock, inFlight: this.inFlight, onWorkflowTaskFailure });
    this.transfers = new TransferTasks({ transactions, store, logger, namespaces, settled: () => this.inFlight.settled() });
    const poller = new TaskPoller(this.matching, now, options.longPollTimeoutMs ?? 60_000);
    const historyLongPollTimeoutMs = options.historyLongPollTimeoutMs ?? 20_000;
    const historyPageSize = Math.max(1, options.historyPageSize ?? 256);
    this.starts = new WorkflowStarts({
      transactions,
      store,
      workflowTaskResponse: (ms, wt) => this.workflowTasks.startedWorkflowTaskResponse(ms, wt),
    });
    this.control = new ExecutionControl(transactions);
    this.resets = new WorkflowResets({ transactions, store });
    this.history = new HistoryReads({ transactions, store, notifier: this.notifier, historyLongPollTimeoutMs });
    this.deletion = new Deletion({ transactions, store, namespaces, logger, onDeleted: (ref) => this.timers.schedule(ref, undefined) });
    this.taskQueues = new TaskQueues({ matching: this.matching });
    this.activityTasks = new ActivityTasks({ transactions, store, poller, stats: this.stats, eagerExecution: options.activityEagerExecution ?? true });
    this.activityControls = new ActivityControls({ transactions, store, random: Math.random });
    this.queries = new QueryHandling({
      transactions,
      store,
      matching: this.matching,
      registry: this.queryRegistry,
      stats: this.stats,
      historyPageSize,
      queryTimeoutMs: options.queryTimeoutMs ?? 30_000,
    });
    this.updates = new UpdateHandling({
      transactions,
      store,
      registry: this.updateRegistry,
      limits: options.updateLimits ?? DEFAULT_UPDATE_LIMITS,
      longPollTimeoutMs: historyLongPollTimeoutMs,
      unlockedWhile: timeSkipper && ((fn) => timeSkipper.unlockedWhile(fn)),
    });
    this.updateWithStart = new UpdateWithStart({ transactions, store, registry: this.updateRegistry, starts: this.starts, updates: this.updates });
    this.workflowTasks = new WorkflowTasks({
      transactions,
      store,
      poller,
      matching: this.matching,
      queries: this.queries,
      updates: this.updateRegistry,
      stats: this.stats,
      historyPageSize,
      searchAttributes: options.searchAttributes,
      startEagerActivities: (m, commands, identity) => this.activityTasks.startEagerActivities(m, commands, identity),
      onWorkflowTaskFailure,
      onStickyTaskOrphaned: (task) => this.timers.schedule(task, now()),
    });
    timeSkipper?.attach({
      nextDeadline: () => this.timers.queue.peek(),
      busyUntil: (resumedAt) => this.inFlight.busyUntil(resumedAt),
      fireDue: () => this.timers.queue.fireDue(),
    });
  }

  /** Rebuilds matching and the timer queue from every open run (start-up and crash recovery). */
  async recover(): Promise<void> {
    const open = await this.options.store.listOpenMutableStates();
    for (const ms of open) {
      this.index(ms);
      await this.transfers.recoverChildren(ms);
    }
    if (open.length > 0) this.options.logger.info('resumed open workflows', { count: open.length });
  }

  /**
   * Shutdown: timers and transfer tasks stop firing (what they owe is rebuilt from mutable state at the next start),
   * open task polls answer empty and history and update long polls answer with what they have, as at the end of
   * their poll period. Changes already under way carry on: {@link idle} tells when they are done.
   */
  close(): void {
    this.options.timeSkipper?.close();
    this.timers.close();
    this.transfers.close();
    this.matching.close();
    this.notifier.stop();
    this.updateRegistry.stop();
  }

  /**
   * Resolves once no change of a run is under way, nor any transfer task, or once `signal` aborts (checked every few
   * ms: only shutdown waits for it).
   */
  async idle(signal?: AbortSignal): Promise<void> {
    while ((this.transactions.busy || this.transfers.busy) && !signal?.aborted) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** Queries and updates that rode on a failed task wait for the next attempt. */
  private onWorkflowTaskFailure(runId: string): void {
    this.queryRegistry.detach(runId);
    for (const u of this.updateRegistry.forRun(runId, 'sent')) u.stage = 'admitted';
  }

  private afterCommit(ms: MutableState, justClosed: boolean): void {
    this.index(ms);
    this.notifier.notify(ms.runId);
    if (justClosed) {
      this.transfers.afterClose(ms);
      this.options.onRunClosed?.(ms);
    }
  }

  /** Brings matching, the timer queue, and in-flight queries and updates in line with the run's state. */
  private index(ms: MutableState): void {
    const now = this.transactions.now();
    if (!isRunning(ms.status)) {
      this.inFlight.track(ms.runId, undefined);
      this.timers.schedule(ms, undefined);
      this.updates.abortUpdates(ms);
      this.queries.dispatchBufferedQueries(ms);
      return;
    }
    const graceMs = this.options.activityGraceMs ?? 1000;
    if (this.inFlight.enabled) this.inFlight.track(ms.runId, { until: busyUntil(ms, now, graceMs), activityStarted: hasStartedActivity(ms) });
    this.transfers.dispatch(ms);
    for (const task of dispatchableTasks(ms, now)) this.matching.offer(task);
    const wt = ms.workflowTask;
    const stickyGone = wt?.sticky && wt.startedEventId === undefined && !this.matching.isLive(ms.namespaceId, 'workflow', wt.taskQueue);
    this.timers.schedule(ms, stickyGone ? now : nextDeadline(ms));
    if (!wt) this.queries.dispatchBufferedQueries(ms);
  }
}
