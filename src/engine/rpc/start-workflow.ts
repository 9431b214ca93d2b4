import { randomUUID } from 'node:crypto';
import { workflowAlreadyStarted } from '../../common/errors';
import { durationToMs, enums, type workflowservice } from '../../common/proto';
import type { CurrentExecution, NamespaceRecord } from '../../store/records';
import type { ExecutionStore } from '../../store/store';
import { addSignal, isDuplicateRequest, terminateExecution } from '../state/execution';
import { isRunning } from '../state/status';
import { reuseDecision } from '../state/id-reuse';
import type { RunMutator } from '../state/mutator';
import { createRun } from '../state/run-factory';
import { cronBackoffMs } from '../state/successor';
import { currentExecutionOf, type RunTransactions } from '../transactions';

export interface StartHost {
  transactions: RunTransactions;
  store: Pick<ExecutionStore, 'getCurrentExecution' | 'getMutableState'>;
}

/** StartWorkflowExecution and SignalWithStartWorkflowExecution: ID reuse and conflict policies, the first run's events. */
export class WorkflowStarts {
  constructor(private readonly host: StartHost) {}

  startWorkflowExecution(
    ns: NamespaceRecord,
    req: workflowservice.IStartWorkflowExecutionRequest,
    beforeFirstTask?: (m: RunMutator) => void,
  ): Promise<{ runId: string; started: boolean }> {
    const { transactions, store } = this.host;
    const workflowId = req.workflowId ?? '';
    return transactions.withWorkflowLock(ns.id, workflowId, async () => {
      const requestId = req.requestId || randomUUID();
      const current = await store.getCurrentExecution(ns.id, workflowId);
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
      const now = transactions.now();
      const backoffMs = req.cronSchedule ? cronBackoffMs(req.cronSchedule, now) : durationToMs(req.workflowStartDelay);
      const m = createRun({ namespaceId: ns.id, request: req, requestId, firstWorkflowTaskBackoffMs: backoffMs }, now, beforeFirstTask);
      m.namespaceName = ns.name;
      await transactions.commitRuns([...runs, m], currentExecutionOf(m.ms));
      return { runId: m.ms.runId, started: true };
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

  /** Terminates the current run inside the caller's transaction (reuse policy TERMINATE_EXISTING). */
  private async terminateCurrent(current: CurrentExecution, identity: string, reason: string): Promise<RunMutator | undefined> {
    const ms = await this.host.store.getMutableState(current.namespaceId, current.workflowId, current.runId);
    if (!ms || !isRunning(ms.status)) return undefined;
    const m = this.host.transactions.mutate(ms);
    terminateExecution(m, reason, null, identity);
    return m;
  }
}
