import { ServiceError, multiOperationAborted, multiOperationExecutionFailed } from '../../../common/errors';
import { enums, type temporal, type workflowservice } from '../../../common/proto';
import type { MutableState, NamespaceRecord } from '../../../store/records';
import type { ExecutionStore } from '../../../store/store';
import { isRunning } from '../../state/status';
import type { RunTransactions } from '../../transactions';
import type { WorkflowStarts } from '../start-workflow';
import { isAbortedByWorkflowClosing } from './update-failures';
import type { UpdateRegistry } from './update-registry';
import type { UpdateAdmission, UpdateHandling } from './updates';

export interface UpdateWithStartHost {
  transactions: Pick<RunTransactions, 'withWorkflowLock'>;
  store: Pick<ExecutionStore, 'getCurrentExecution' | 'getMutableState'>;
  registry: Pick<UpdateRegistry, 'get'>;
  starts: Pick<WorkflowStarts, 'startLocked'>;
  updates: Pick<UpdateHandling, 'admit' | 'scheduleDelivery' | 'withdraw' | 'awaitStage'>;
}

export interface UpdateWithStartResult {
  start: workflowservice.IStartWorkflowExecutionResponse;
  update: workflowservice.IUpdateWorkflowExecutionResponse;
}

/** What Temporal's frontend says of every failed update-with-start; the SDK reads the per-operation statuses instead. */
const UPDATE_WITH_START_FAILED = 'Update-with-Start could not be executed.';

/**
 * The failure of an update-with-start, as a status per operation: `undefined` for a start that succeeded. An error
 * that is not a ServiceError (a bug, a store failure) is passed on as it is.
 */
export function updateWithStartFailed(start: unknown, update: unknown): Error {
  for (const err of [start, update]) if (err instanceof Error && !(err instanceof ServiceError)) return err;
  return multiOperationExecutionFailed(UPDATE_WITH_START_FAILED, [operationStatus(start), operationStatus(update)]);
}

function operationStatus(err: unknown): ServiceError | undefined {
  if (err === undefined || err instanceof ServiceError) return err;
  return new ServiceError('INTERNAL', 'internal error: a value that is not an Error was thrown');
}

/** One attempt's decision: the start's answer and the update found or admitted, on a run this call started or not. */
interface Plan {
  start: workflowservice.IStartWorkflowExecutionResponse;
  admission: UpdateAdmission;
  startedHere: boolean;
}

/**
 * ExecuteMultiOperation with [Start, Update] (Temporal's service/history/api/multioperation/api.go). Under the
 * workflow ID's lock: the update goes to the current run when that run has completed it, or — while it runs — when the
 * start is a retry of the one that started it, when the run already knows the update, or when the conflict policy is
 * USE_EXISTING; otherwise the workflow is started (conflict and reuse policies as for a plain start) with the update
 * admitted before the run's first workflow task is committed, so that task carries it.
 */
export class UpdateWithStart {
  constructor(private readonly host: UpdateWithStartHost) {}

  async executeUpdateWithStart(
    ns: NamespaceRecord,
    start: workflowservice.IStartWorkflowExecutionRequest,
    update: workflowservice.IUpdateWorkflowExecutionRequest,
    signal?: AbortSignal,
  ): Promise<UpdateWithStartResult> {
    try {
      return await this.attempt(ns, start, update, signal);
    } catch (err) {
      if (!abortedByClosingRun(err)) throw err;
    }
    // The update met a run that closed before accepting it. Unlike a plain update, this call can start the next run,
    // so Temporal tries once more (history.enableUpdateWithStartRetryOnClosedWorkflowAbort)...
    try {
      return await this.attempt(ns, start, update, signal);
    } catch (err) {
      const ops = abortedByClosingRun(err);
      if (!ops) throw err;
      // ...and after a second such abort answers ABORTED, which the client retries (…RetryableErrorOnClosedWorkflowAbort).
      throw updateWithStartFailed(ops[0], new ServiceError('ABORTED', ops[1]?.message ?? ''));
    }
  }

  private async attempt(
    ns: NamespaceRecord,
    startReq: workflowservice.IStartWorkflowExecutionRequest,
    updateReq: workflowservice.IUpdateWorkflowExecutionRequest,
    signal?: AbortSignal,
  ): Promise<UpdateWithStartResult> {
    const { transactions, updates } = this.host;
    const request = updateReq.request ?? {};
    const plan = await transactions.withWorkflowLock(ns.id, startReq.workflowId ?? '', () => this.startOrReuse(ns, startReq, request));
    // From here the start stands: only the update can fail, and the start's status says whether this call started it.
    const startStatus = plan.startedHere ? undefined : multiOperationAborted();
    try {
      if (!plan.startedHere) await updates.scheduleDelivery(plan.admission);
      return { start: plan.start, update: await updates.awaitStage(ns, plan.admission, updateReq.waitPolicy?.lifecycleStage, signal) };
    } catch (err) {
      throw updateWithStartFailed(startStatus, err);
    }
  }

  /** The decision, made under the workflow lock. */
  private async startOrReuse(
    ns: NamespaceRecord,
    startReq: workflowservice.IStartWorkflowExecutionRequest,
    request: temporal.api.update.v1.IRequest,
  ): Promise<Plan> {
    const { store, starts, updates } = this.host;
    const updateId = request.meta?.updateId ?? '';
    const current = await store.getCurrentExecution(ns.id, startReq.workflowId ?? '');
    const ms = current && (await store.getMutableState(ns.id, current.workflowId, current.runId));
    if (ms && (ms.updates[updateId]?.completedEventId !== undefined || (isRunning(ms.status) && this.reusesRun(ms, startReq, updateId)))) {
      let admission: UpdateAdmission;
      try {
        admission = updates.admit(ms, request);
      } catch (err) {
        throw updateWithStartFailed(multiOperationAborted(), err);
      }
      return { start: { runId: ms.runId, firstExecutionRunId: ms.firstExecutionRunId, started: false, status: ms.status }, admission, startedHere: false };
    }
    let admission: UpdateAdmission | undefined;
    let updateError: unknown;
    const admit = (m: { ms: MutableState }): void => {
      try {
        admission = updates.admit(m.ms, request);
      } catch (err) {
        updateError = err;
        throw err;
      }
    };
    let started: { runId: string; firstExecutionRunId: string };
    try {
      started = await starts.startLocked(ns, startReq, admit);
    } catch (err) {
      if (admission) updates.withdraw(admission);
      throw updateError === undefined ? updateWithStartFailed(err, multiOperationAborted()) : updateWithStartFailed(multiOperationAborted(), updateError);
    }
    // No new run: a retried start of a run that has since closed (Temporal's StartDeduped outcome, 3).
    if (!admission) throw updateWithStartFailed(new ServiceError('UNAVAILABLE', 'Workflow was not started: 3'), multiOperationAborted());
    const status = enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    return { start: { runId: started.runId, firstExecutionRunId: started.firstExecutionRunId, started: true, status }, admission, startedHere: true };
  }

  /** A running run takes the update rather than a new run being started. */
  private reusesRun(ms: MutableState, startReq: workflowservice.IStartWorkflowExecutionRequest, updateId: string): boolean {
    return (
      ms.startRequestId === startReq.requestId ||
      ms.updates[updateId] !== undefined ||
      this.host.registry.get(ms.runId, updateId) !== undefined ||
      startReq.workflowIdConflictPolicy === enums.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
    );
  }
}

/** The operation statuses of an update-with-start whose update was aborted by its run closing, on a run it did not start. */
function abortedByClosingRun(err: unknown): (ServiceError | undefined)[] | undefined {
  if (!(err instanceof ServiceError) || err.detail?.type !== 'MultiOperationExecution') return undefined;
  const [start, update] = err.detail.operations;
  return start !== undefined && isAbortedByWorkflowClosing(update) ? err.detail.operations : undefined;
}
