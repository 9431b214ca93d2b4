import { workflowAlreadyCompleted, workflowNotFound } from '../../common/errors';
import type { workflowservice } from '../../common/proto';
import type { NamespaceRecord } from '../../store/records';
import { addSignal, isDuplicateRequest, requireSignalCapacity, terminateExecution } from '../state/execution';
import type { RunMutator } from '../state/mutator';
import type { RunTransactions } from '../transactions';

/** SignalWorkflowExecution, RequestCancelWorkflowExecution and TerminateWorkflowExecution: requests from outside the run. */
export class ExecutionControl {
  constructor(private readonly transactions: RunTransactions) {}

  async signalWorkflowExecution(ns: NamespaceRecord, req: workflowservice.ISignalWorkflowExecutionRequest): Promise<void> {
    await this.updateRunning(ns, req.workflowExecution, undefined, (m) => {
      if (isDuplicateRequest(m, req.requestId)) return;
      requireSignalCapacity(m);
      addSignal(m, req.signalName ?? '', req.input, req.header, req.identity ?? '');
    });
  }

  async requestCancelWorkflowExecution(ns: NamespaceRecord, req: workflowservice.IRequestCancelWorkflowExecutionRequest): Promise<void> {
    await this.updateRunning(ns, req.workflowExecution, req.firstExecutionRunId, (m) => {
      // A repeated request is a no-op, as in current Temporal.
      if (m.ms.cancelRequested || isDuplicateRequest(m, req.requestId)) return;
      m.ms.cancelRequested = true;
      m.add({ workflowExecutionCancelRequestedEventAttributes: { cause: req.reason ?? '', identity: req.identity ?? '' } });
    });
  }

  async terminateWorkflowExecution(ns: NamespaceRecord, req: workflowservice.ITerminateWorkflowExecutionRequest): Promise<void> {
    await this.updateRunning(ns, req.workflowExecution, req.firstExecutionRunId, (m) => {
      terminateExecution(m, req.reason ?? '', req.details, req.identity ?? '');
    });
  }

  /** Applies `fn` to the addressed run if it is still running; a closed run answers NOT_FOUND, as in Temporal. */
  private async updateRunning(
    ns: NamespaceRecord,
    execution: { workflowId?: string | null; runId?: string | null } | null | undefined,
    firstExecutionRunId: string | null | undefined,
    fn: (m: RunMutator) => void,
  ): Promise<void> {
    const ms = await this.transactions.load(ns.id, execution?.workflowId ?? '', execution?.runId ?? '');
    if (firstExecutionRunId && ms.firstExecutionRunId !== firstExecutionRunId) throw workflowNotFound(ms.workflowId, firstExecutionRunId);
    await this.transactions.update(ms, (m) => {
      if (!m.isRunning()) throw workflowAlreadyCompleted();
      fn(m);
    });
  }
}
