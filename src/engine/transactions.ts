import { randomUUID } from 'node:crypto';
import { invalidArgument, workflowNotFound, type ServiceError } from '../common/errors';
import type { CurrentExecution, MutableState, RunMutation, RunRef } from '../store/records';
import { ConditionFailedError, type ExecutionStore } from '../store/store';
import type { SearchAttributeRegistry } from '../visibility/search-attributes';
import type { Matching, Waiter } from './dispatch/matching';
import { workflowDispatchTask, type DispatchTask } from './dispatch/task-generator';
import { readStartedAttributes } from './history-reader';
import { KeyedMutex, workflowLockKey } from './locks';
import type { NamespaceRegistry } from './namespaces';
import { isRunning } from './state/status';
import { RunMutator } from './state/mutator';
import { terminateExecution } from './state/execution';
import { DEFAULT_RUN_LIMITS, historyLimitExceeded, type RunLimits } from './state/run-limits';
import { createRun } from './state/run-factory';
import { successorSpec } from './state/successor';
import { scheduleWorkflowTask, startWorkflowTask } from './state/workflow-task-state';
import { visibilityRecord } from '../visibility/record';

/**
 * What every RPC module gets from the engine to change runs: locked read-modify-commit in one
 * transaction. Modules never see the engine itself.
 */
export interface RunTransactions {
  now(): number;
  /** The dynamic config limits every change of a run is made under (a run created outside `mutate` takes them too). */
  readonly limits: RunLimits;
  /** Loads a run (the current one when runId is empty) or throws NOT_FOUND. */
  load(namespaceId: string, workflowId: string, runId: string): Promise<MutableState>;
  /** Runs `fn` under the lock that guards every run of the workflow ID. */
  withWorkflowLock<T>(namespaceId: string, workflowId: string, fn: () => Promise<T>): Promise<T>;
  /** One read-modify-commit of a run under its workflow's lock; NOT_FOUND if the run is missing. */
  update<T>(ref: RunRef, fn: (m: RunMutator) => T): Promise<T>;
  /** Like update, but a missing run yields undefined, and a fn result of undefined commits nothing. */
  tryUpdate<T>(ref: RunRef, fn: (m: RunMutator) => T | Promise<T>, commitAlways?: boolean): Promise<{ ms: MutableState; value: T } | undefined>;
  /** A change to a loaded run, for callers that hold the lock and commit several runs together. */
  mutate(ms: MutableState): RunMutator;
  /** Commits the changes as one transaction (with the successor runs they plan); returns the committed states. */
  commitRuns(mutators: RunMutator[], current?: CurrentExecution): Promise<MutableState[]>;
}

export interface TransactionsOptions {
  store: ExecutionStore;
  namespaces: NamespaceRegistry;
  searchAttributes: SearchAttributeRegistry;
  matching: Matching;
  now(): number;
  /** Default: Temporal's. */
  limits?: RunLimits;
  /** The effects of a durable commit (indexes, notifications, close tasks): run after it, never before. */
  afterCommit(ms: MutableState, justClosed: boolean): void;
}

/** A poller claimed in a transaction, and the workflow task started for it there. */
interface SyncMatch {
  poller: Waiter;
  task: DispatchTask;
}

/** The one transaction helper: load → mutate → commit → effects. */
export class Transactions implements RunTransactions {
  private readonly locks = new KeyedMutex();
  readonly limits: RunLimits;
  /** Changes under a workflow lock now (shutdown waits for them before the store closes). */
  private active = 0;

  constructor(private readonly options: TransactionsOptions) {
    this.limits = options.limits ?? DEFAULT_RUN_LIMITS;
  }

  now(): number {
    return this.options.now();
  }

  withWorkflowLock<T>(namespaceId: string, workflowId: string, fn: () => Promise<T>): Promise<T> {
    this.active++;
    return this.locks.run(workflowLockKey(namespaceId, workflowId), fn).finally(() => this.active--);
  }

  /** Whether a change is under way (holding or waiting for a workflow lock). */
  get busy(): boolean {
    return this.active > 0;
  }

  async load(namespaceId: string, workflowId: string, runId: string): Promise<MutableState> {
    const { store } = this.options;
    let id = runId;
    if (!id) {
      const current = await store.getCurrentExecution(namespaceId, workflowId);
      if (!current) throw workflowNotFound(workflowId);
      id = current.runId;
    }
    const ms = await store.getMutableState(namespaceId, workflowId, id);
    if (!ms) throw workflowNotFound(workflowId, runId);
    return ms;
  }

  async update<T>(ref: RunRef, fn: (m: RunMutator) => T): Promise<T> {
    const result = await this.tryUpdate(ref, fn, true);
    if (!result) throw workflowNotFound(ref.workflowId, ref.runId);
    return result.value;
  }

  tryUpdate<T>(ref: RunRef, fn: (m: RunMutator) => T | Promise<T>, commitAlways = false): Promise<{ ms: MutableState; value: T } | undefined> {
    return this.withWorkflowLock(ref.namespaceId, ref.workflowId, async () => {
      for (let attempt = 0; ; attempt++) {
        const ms = await this.options.store.getMutableState(ref.namespaceId, ref.workflowId, ref.runId);
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

  mutate(ms: MutableState): RunMutator {
    const m = new RunMutator(ms, this.now());
    m.namespaceName = this.options.namespaces.nameOf(ms.namespaceId);
    m.limits = this.limits;
    return m;
  }

  /**
   * Commits the mutators as one transaction, with the successor runs they planned (continue-as-new,
   * retry, cron) created in it and the current-run pointer moved to them; then runs the effects.
   * Returns the committed states, in order.
   */
  async commitRuns(requested: RunMutator[], current?: CurrentExecution): Promise<MutableState[]> {
    const { store, searchAttributes } = this.options;
    const breaches: ServiceError[] = [];
    const mutators = requested.map((m) => this.withinHistoryLimits(m, breaches));
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
        const started = await readStartedAttributes(store, m.ms.runId);
        const next = createRun(successorSpec(m.ms, plan, started ?? {}), m.now);
        next.namespaceName = m.namespaceName;
        next.limits = this.limits;
        m.ms.newExecutionRunId = plan.runId;
        all.push(next);
        currentRow = currentExecutionOf(next.ms);
      }
      mutations = await Promise.all(
        all.map(async (m) => {
          const visible = m.changesVisibility();
          const mutation = m.toRunMutation();
          if (visible) mutation.visibility = visibilityRecord(mutation.mutableState, await searchAttributes.all(mutation.mutableState.namespaceId));
          return mutation;
        }),
      );
      await store.commit({ runs: mutations, current: currentRow });
    } catch (err) {
      for (const { poller } of matches) poller.resolve(undefined); // nothing was started: the poller polls again
      throw err;
    }
    for (const { poller, task } of matches) poller.resolve(task);
    for (const m of all) m.runCommitHooks();
    all.forEach((m, i) => {
      const state = mutations[i]?.mutableState;
      if (state) this.options.afterCommit(state, m.wasRunning && !isRunning(state.status));
    });
    // The caller's change was not made: it learns why, as from Temporal, once the termination is durable.
    if (breaches[0]) throw breaches[0];
    return mutations.map((x) => x.mutableState);
  }

  /**
   * The change, or, when it leaves a running run past `limit.historySize.error` / `limit.historyCount.error`,
   * in its place the run's termination from its stored state (Temporal discards the change and force-terminates).
   */
  private withinHistoryLimits(m: RunMutator, breaches: ServiceError[]): RunMutator {
    const reason = m.isNewRun ? undefined : historyLimitExceeded(m.ms, m.historyLengthAfterFlush(), this.limits.history);
    if (reason === undefined) return m;
    breaches.push(invalidArgument(reason));
    const terminated = this.mutate(m.before);
    terminateExecution(terminated, reason, null, 'history-service');
    return terminated;
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
    const poller = this.options.matching.claim(m.ms.namespaceId, 'workflow', wt.taskQueue);
    if (!poller) return undefined;
    const requestId = randomUUID();
    startWorkflowTask(m, requestId, poller.identity);
    return { poller, task: { ...workflowDispatchTask(m.ms, wt), startedRequestId: requestId } };
  }
}

/** The current-run row that points at a run. */
export function currentExecutionOf(ms: MutableState): CurrentExecution {
  return { namespaceId: ms.namespaceId, workflowId: ms.workflowId, runId: ms.runId, startRequestId: ms.startRequestId, status: ms.status };
}
