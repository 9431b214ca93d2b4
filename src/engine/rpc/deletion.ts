import type { Logger } from '../../common/logger';
import type { NamespaceRecord, RunRef } from '../../store/records';
import type { ExecutionStore } from '../../store/store';
import type { NamespaceRegistry } from '../namespaces';
import { terminateExecution } from '../state/execution';
import { isRunning } from '../state/status';
import type { RunTransactions } from '../transactions';

export interface DeletionHost {
  transactions: RunTransactions;
  store: Pick<ExecutionStore, 'getMutableState' | 'deleteExecution' | 'listClosedBefore'>;
  namespaces: Pick<NamespaceRegistry, 'list'>;
  logger: Logger;
  /** The run is gone: nothing may stay armed for it. */
  onDeleted(ref: RunRef): void;
}

/** How many closed runs one retention sweep removes per namespace. */
const RETENTION_BATCH = 500;

/** DeleteWorkflowExecution and the retention sweep: runs leave with their history and visibility. */
export class Deletion {
  constructor(private readonly host: DeletionHost) {}

  /** Deletes a run with its history and visibility; a running one is terminated first, as in Temporal. */
  async deleteWorkflowExecution(ns: NamespaceRecord, execution: { workflowId?: string | null; runId?: string | null }): Promise<void> {
    const { transactions, store } = this.host;
    const ms = await transactions.load(ns.id, execution.workflowId ?? '', execution.runId ?? '');
    await transactions.withWorkflowLock(ns.id, ms.workflowId, async () => {
      const fresh = await store.getMutableState(ns.id, ms.workflowId, ms.runId);
      if (fresh && isRunning(fresh.status)) {
        const m = transactions.mutate(fresh);
        terminateExecution(m, 'Delete workflow execution', null, 'history-service');
        await transactions.commitRuns([m]);
      }
      await store.deleteExecution(ns.id, ms.workflowId, ms.runId);
    });
    this.host.onDeleted(ms);
  }

  /** Removes closed runs older than their namespace's retention period; returns how many. */
  async sweepRetention(): Promise<number> {
    const { transactions, store, namespaces, logger } = this.host;
    let removed = 0;
    for (const ns of await namespaces.list()) {
      const expired = await store.listClosedBefore(ns.id, transactions.now() - ns.retentionMs, RETENTION_BATCH);
      for (const run of expired) {
        await transactions.withWorkflowLock(ns.id, run.workflowId, () => store.deleteExecution(ns.id, run.workflowId, run.runId));
        removed++;
      }
    }
    if (removed > 0) logger.info('retention removed closed workflows', { count: removed });
    return removed;
  }
}
