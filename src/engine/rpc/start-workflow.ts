import { randomUUID } from 'node:crypto';
import { workflowAlreadyStarted } from '../../common/errors';
import { ENCODED_HISTORY, type EncodedHistory, durationToMs, enums, history, type workflowservice } from '../../common/proto';
import type { CurrentExecution, MutableState, NamespaceRecord, WorkflowTaskInfo } from '../../store/records';
import type { ExecutionStore } from '../../store/store';
import { addSignal, isDuplicateRequest, requireSignalCapacity, terminateExecution } from '../state/execution';
import { isRunning } from '../state/status';
import { reuseDecision } from '../state/id-reuse';
import type { RunMutator } from '../state/mutator';
import { createRun } from '../state/run-factory';
import { cronBackoffMs } from '../state/successor';
import { startWorkflowTask } from '../state/workflow-task-state';
import { currentExecutionOf, type RunTransactions } from '../transactions';

export interface StartHost {
  transactions: RunTransactions;
  store: Pick<ExecutionStore, 'getCurrentExecution' | 'getMutableState'>;
  /** The poll response for a started workflow task (what a poller would have been given). */
  workflowTaskResponse(ms: MutableState, wt: WorkflowTaskInfo): Promise<workflowservice.IPollWorkflowTaskQueueResponse & EncodedHistory>;
}

export interface StartResult {
  runId: string;
  /** The first run of the chain `runId` belongs to; the Go SDK's WorkflowRun.GetFirstExecutionRunID reads it. */
  firstExecutionRunId: string;
  started: boolean;
  /** Eager workflow start: the first workflow task, started for the caller in the start's transaction. */
  eagerWorkflowTask?: workflowservice.IPollWorkflowTaskQueueResponse;
}

/** The first workflow task's attempt and started event of a run started eagerly (Temporal's respondToRetriedRequest). */
const EAGER_STARTED_EVENT_ID = 3;

/** StartWorkflowExecution and SignalWithStartWorkflowExecution: ID reuse and conflict policies, the first run's events. */
export class WorkflowStarts {
  constructor(private readonly host: StartHost) {}

  startWorkflowExecution(
    ns: NamespaceRecord,
    req: workflowservice.IStartWorkflowExecutionRequest,
    beforeFirstTask?: (m: RunMutator) => void,
  ): Promise<StartResult> {
    return this.host.transactions.withWorkflowLock(ns.id, req.workflowId ?? '', () => this.startLocked(ns, req, beforeFirstTask));
  }

  /**
   * The start itself, for a caller holding the workflow ID's lock (update-with-start decides under the same lock
   * whether to start at all). `beforeFirstTask` runs only when a new run is created.
   */
  async startLocked(ns: NamespaceRecord, req: workflowservice.IStartWorkflowExecutionRequest, beforeFirstTask?: (m: RunMutator) => void): Promise<StartResult> {
    const { transactions, store } = this.host;
    const workflowId = req.workflowId ?? '';
    const requestId = req.requestId || randomUUID();
    const current = await store.getCurrentExecution(ns.id, workflowId);
    const runs: RunMutator[] = [];
    if (current) {
      if (current.startRequestId === requestId) return this.retriedStart(current, req);
      const decision = reuseDecision(current, req);
      if (decision === 'use-existing') return { ...(await this.currentRun(current)), started: false };
      if (decision === 'reject') throw workflowAlreadyStarted(workflowId, current.runId, current.startRequestId);
      if (decision === 'terminate') {
        const terminated = await this.terminateCurrent(current, req.identity ?? '', 'TerminateIfRunning WorkflowIdReusePolicy Policy');
        if (terminated) runs.push(terminated);
      }
    }
    const now = transactions.now();
    const backoffMs = req.cronSchedule ? cronBackoffMs(req.cronSchedule, now) : durationToMs(req.workflowStartDelay);
    const m = createRun({ namespaceId: ns.id, request: req, requestId, firstWorkflowTaskBackoffMs: backoffMs }, now, beforeFirstTask);
    m.namespaceName = ns.name;
    m.limits = transactions.limits;
    // Eager workflow start (Temporal's Starter): the first task is started for the caller, in this transaction, unless
    // it waits for a backoff (cron, start delay); matching never sees it.
    const eager = req.requestEagerExecution === true && backoffMs <= 0 && m.ms.workflowTask !== undefined;
    const wt = eager ? startWorkflowTask(m, requestId, req.identity ?? '') : undefined;
    const committed = await transactions.commitRuns([...runs, m], currentExecutionOf(m.ms));
    const ms = committed[runs.length];
    const result = { runId: m.ms.runId, firstExecutionRunId: m.ms.firstExecutionRunId, started: true };
    if (!wt || !ms) return result;
    return { ...result, eagerWorkflowTask: await this.eagerTask(ms, wt) };
  }

  /**
   * A start retried with the request ID that started the current run. Asked to start eagerly, it is given the first
   * workflow task again while that task is still the eagerly started one (Temporal's respondToRetriedRequest).
   */
  private async retriedStart(current: CurrentExecution, req: workflowservice.IStartWorkflowExecutionRequest): Promise<StartResult> {
    const ms = await this.host.store.getMutableState(current.namespaceId, current.workflowId, current.runId);
    const result = { runId: current.runId, firstExecutionRunId: ms?.firstExecutionRunId ?? current.runId, started: true };
    if (!req.requestEagerExecution || req.cronSchedule || durationToMs(req.workflowStartDelay) > 0) return result;
    const wt = ms?.workflowTask;
    if (!ms || !isRunning(ms.status) || !wt || wt.startedEventId !== EAGER_STARTED_EVENT_ID || wt.attempt > 1) return result;
    return { ...result, eagerWorkflowTask: await this.eagerTask(ms, wt) };
  }

  /** The current run's ids, for a start answered with the run that already holds the workflow ID. */
  private async currentRun(current: CurrentExecution): Promise<{ runId: string; firstExecutionRunId: string }> {
    const ms = await this.host.store.getMutableState(current.namespaceId, current.workflowId, current.runId);
    return { runId: current.runId, firstExecutionRunId: ms?.firstExecutionRunId ?? current.runId };
  }

  /** The eager task as a poll response, its history decoded (the frontend writes encoded history only at the top level). */
  private async eagerTask(ms: MutableState, wt: WorkflowTaskInfo): Promise<workflowservice.IPollWorkflowTaskQueueResponse> {
    const { [ENCODED_HISTORY]: encoded, ...response } = await this.host.workflowTaskResponse(ms, wt);
    return { ...response, history: { events: (encoded ?? []).map((bytes) => history.HistoryEvent.decode(bytes)) } };
  }

  /**
   * Signals the running workflow, or starts one with the signal as its first event
   * (Started, Signaled, WorkflowTaskScheduled), in one transaction.
   */
  async signalWithStartWorkflowExecution(ns: NamespaceRecord, req: workflowservice.ISignalWithStartWorkflowExecutionRequest): Promise<StartResult> {
    const workflowId = req.workflowId ?? '';
    const signal = (m: RunMutator): void => addSignal(m, req.signalName ?? '', req.signalInput, req.header, req.identity ?? '');
    const current = await this.host.store.getCurrentExecution(ns.id, workflowId);
    const Conflict = enums.WorkflowIdConflictPolicy;
    const conflict = req.workflowIdConflictPolicy ?? Conflict.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED;
    if (
      current &&
      isRunning(current.status) &&
      conflict !== Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING &&
      conflict !== Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL
    ) {
      const signaled = await this.host.transactions.tryUpdate(current, (m) => {
        if (!m.isRunning()) return undefined;
        if (isDuplicateRequest(m, req.requestId)) return m.ms.firstExecutionRunId;
        requireSignalCapacity(m);
        signal(m);
        return m.ms.firstExecutionRunId;
      });
      if (signaled?.value) return { runId: current.runId, firstExecutionRunId: signaled.value, started: false };
    }
    return this.startWorkflowExecution(
      ns,
      { ...req, input: req.input, workflowIdConflictPolicy: conflict || Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL },
      signal,
    );
  }

  /** Terminates the current run inside the caller's transaction (reuse policy TERMINATE_EXISTING). */
  private async terminateCurrent(current: CurrentExecution, identity: string, reason: string): Promise<RunMutator | undefined> {
    const ms = await this.host.store.getMutableState(current.namespaceId, current.workflowId, current.runId);
    if (!ms || !isRunning(ms.status)) return undefined;
    const m = this.host.transactions.mutate(ms);
    terminateExecution(m, reason, null, identity);
    return m;
  }
}
