import { randomUUID } from 'node:crypto';
import { invalidArgument } from '../../../common/errors';
import { toNumber, type workflowservice } from '../../../common/proto';
import type { MutableState, NamespaceRecord } from '../../../store/records';
import { terminateExecution } from '../../state/execution';
import type { RunMutator } from '../../state/mutator';
import { createResetRun, RESETTER_IDENTITY, resetReapplyExcludeTypes } from '../../state/reset';
import { isRunning } from '../../state/status';
import { currentExecutionOf, type RunTransactions } from '../../transactions';
import { readEventsAfterResetPoint, readHistoryBeforeResetPoint, type ResetStore } from './history-copy';

export interface ResetHost {
  transactions: RunTransactions;
  store: ResetStore;
}

/**
 * ResetWorkflowExecution, as Temporal's `service/history/api/resetworkflow/api.go`: a new run from
 * the base run's history up to a workflow task, the current run terminated, both (and the base's
 * link to the new run) in one transaction, and the new run made current.
 */
export class WorkflowResets {
  constructor(private readonly host: ResetHost) {}

  async resetWorkflowExecution(ns: NamespaceRecord, req: workflowservice.IResetWorkflowExecutionRequest): Promise<{ runId: string }> {
    const { transactions } = this.host;
    const workflowId = req.workflowExecution?.workflowId ?? '';
    return transactions.withWorkflowLock(ns.id, workflowId, async () => {
      const base = await transactions.load(ns.id, workflowId, req.workflowExecution?.runId ?? '');
      const finishEventId = toNumber(req.workflowTaskFinishEventId);
      if (finishEventId <= 1 || finishEventId >= base.nextEventId) {
        throw invalidArgument('Workflow task finish ID must be > 1 && <= workflow last event ID.');
      }
      const current = await this.currentRun(base);
      const requestId = req.requestId ?? '';
      // A retried request finds the run it created already current.
      if (current?.lastResetTime !== undefined && current.requestIds.includes(requestId)) return { runId: current.runId };
      const newRunId = randomUUID();
      const changed: RunMutator[] = [];
      let terminated: RunMutator | undefined;
      if (current && isRunning(current.status)) {
        terminated = transactions.mutate(current);
        terminateExecution(terminated, req.reason ?? '', null, RESETTER_IDENTITY);
        changed.push(terminated);
      }
      const baseChange = terminated?.ms.runId === base.runId ? terminated : transactions.mutate(base);
      baseChange.ms.resetRunId = newRunId;
      if (baseChange !== terminated) changed.unshift(baseChange);
      const next = createResetRun(
        await readHistoryBeforeResetPoint(this.host.store, base.runId, finishEventId),
        { namespaceId: ns.id, workflowId, runId: newRunId, startRequestId: base.startRequestId },
        {
          baseRunId: base.runId,
          newRunId,
          reason: req.reason ?? '',
          requestId,
          finishEventId,
          laterEvents: await readEventsAfterResetPoint(this.host.store, base, finishEventId, terminated),
          exclude: resetReapplyExcludeTypes(req.resetReapplyExcludeTypes, req.resetReapplyType),
        },
        transactions.now(),
      );
      next.namespaceName = ns.name;
      await transactions.commitRuns([...changed, next], currentExecutionOf(next.ms));
      return { runId: newRunId };
    });
  }

  /** The run the workflow id points at (the base itself, or a later one); none if it was deleted. */
  private async currentRun(base: MutableState): Promise<MutableState | undefined> {
    const row = await this.host.store.getCurrentExecution(base.namespaceId, base.workflowId);
    if (!row) return undefined;
    if (row.runId === base.runId) return base;
    return this.host.store.getMutableState(base.namespaceId, base.workflowId, row.runId);
  }
}
