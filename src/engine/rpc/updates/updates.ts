import { workflowAlreadyCompleted, workflowNotFound } from '../../../common/errors';
import type { temporal } from '../../../common/proto';
import { enums, type workflowservice } from '../../../common/proto';
import type { MutableState, NamespaceRecord } from '../../../store/records';
import { readEvent, type HistoryStore } from '../../history-reader';
import { isRunning } from '../../state/status';
import { scheduleWorkflowTask } from '../../state/workflow-task-state';
import type { RunTransactions } from '../../transactions';
import { abortedByWorkflowClosing, acceptedUpdateCompletedWorkflowFailure, updateNotFound, workflowClosing } from './update-failures';
import { updateLimitError, type UpdateLimits } from './update-limits';
import type { InFlightUpdate, UpdateRegistry } from './update-registry';

export interface UpdateHost {
  transactions: RunTransactions;
  store: HistoryStore;
  registry: UpdateRegistry;
  limits: UpdateLimits;
  /** How long one wait for a stage is held (the history long-poll period). */
  longPollTimeoutMs: number;
  /** Time-skipping mode: time may skip while a caller waits for an update (as while it awaits a result). */
  unlockedWhile?: <T>(fn: () => Promise<T>) => Promise<T>;
}

/** An update as found or admitted on a run. */
export interface UpdateAdmission {
  ms: MutableState;
  updateId: string;
  /** Its registry entry; absent when history holds it (accepted before a restart, or completed). */
  inFlight?: InFlightUpdate;
  /** This call admitted it: a workflow task must carry it to the worker. */
  admitted?: boolean;
}

/** Updates: admission, delivery as protocol messages in workflow tasks, and waiting for a stage. */
export class UpdateHandling {
  constructor(private readonly host: UpdateHost) {}

  /** Admits an update (a workflow task carries it to the worker) and waits for the requested stage. */
  async updateWorkflowExecution(
    ns: NamespaceRecord,
    req: workflowservice.IUpdateWorkflowExecutionRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IUpdateWorkflowExecutionResponse> {
    const { transactions } = this.host;
    const workflowId = req.workflowExecution?.workflowId ?? '';
    const admission = await transactions.withWorkflowLock(ns.id, workflowId, async () => {
      const ms = await transactions.load(ns.id, workflowId, req.workflowExecution?.runId ?? '');
      if (req.firstExecutionRunId && ms.firstExecutionRunId !== req.firstExecutionRunId) throw workflowNotFound(workflowId, req.firstExecutionRunId);
      return this.admit(ms, req.request ?? {});
    });
    await this.scheduleDelivery(admission);
    return this.awaitStage(ns, admission, req.waitPolicy?.lifecycleStage, signal);
  }

  /**
   * Finds the update on the run or admits it, for a caller holding the workflow lock (Temporal's Updater.ApplyRequest):
   * a closed run takes no new update, nor one past the run's update limits.
   */
  admit(ms: MutableState, request: temporal.api.update.v1.IRequest): UpdateAdmission {
    const { registry, limits } = this.host;
    const updateId = request.meta?.updateId ?? '';
    if (ms.updates[updateId]) return { ms, updateId };
    const inFlight = registry.get(ms.runId, updateId);
    if (inFlight) return { ms, updateId, inFlight };
    if (!isRunning(ms.status)) throw workflowAlreadyCompleted();
    const limitError = updateLimitError(
      ms,
      registry.forRun(ms.runId).map((u) => u.updateId),
      limits,
    );
    if (limitError) throw limitError;
    return { ms, updateId, inFlight: registry.admit(ms.runId, updateId, request), admitted: true };
  }

  /**
   * A newly admitted update rides on the next workflow task: one is scheduled unless the run has one already. If that
   * cannot be committed (e.g. UNAVAILABLE on a storage fault) the admission is withdrawn, so the client's retry admits
   * the update again and schedules its delivery, instead of finding it in flight with no task to carry it.
   */
  async scheduleDelivery(admission: UpdateAdmission): Promise<void> {
    if (!admission.admitted) return;
    try {
      await this.host.transactions.update(admission.ms, (m) => scheduleWorkflowTask(m));
    } catch (err) {
      this.withdraw(admission);
      throw err;
    }
  }

  /** An admission whose transaction did not commit: the update was never admitted. */
  withdraw(admission: UpdateAdmission): void {
    if (admission.admitted && admission.inFlight) this.host.registry.withdraw(admission.inFlight);
  }

  /** Waits (at most one long-poll period; time may skip meanwhile) for the update to reach `wanted` (default COMPLETED). */
  awaitStage(
    ns: NamespaceRecord,
    admission: UpdateAdmission,
    wanted: enums.UpdateWorkflowExecutionLifecycleStage | null | undefined,
    signal?: AbortSignal,
  ): Promise<workflowservice.IUpdateWorkflowExecutionResponse> {
    const { ms, updateId, inFlight } = admission;
    const wait = (): Promise<workflowservice.IUpdateWorkflowExecutionResponse> => this.awaitUpdate(ns, ms, updateId, inFlight, wanted, signal);
    return this.host.unlockedWhile ? this.host.unlockedWhile(wait) : wait();
  }

  async pollWorkflowExecutionUpdate(
    ns: NamespaceRecord,
    req: workflowservice.IPollWorkflowExecutionUpdateRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IPollWorkflowExecutionUpdateResponse> {
    const ref = req.updateRef;
    const ms = await this.host.transactions.load(ns.id, ref?.workflowExecution?.workflowId ?? '', ref?.workflowExecution?.runId ?? '');
    const updateId = ref?.updateId ?? '';
    const inFlight = this.host.registry.get(ms.runId, updateId);
    if (!ms.updates[updateId] && !inFlight) throw updateNotFound(updateId);
    const { stage, outcome } = await this.awaitStage(ns, { ms, updateId, inFlight }, req.waitPolicy?.lifecycleStage, signal);
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
    const deadline = this.host.transactions.now() + this.host.longPollTimeoutMs;
    for (;;) {
      let stage: enums.UpdateWorkflowExecutionLifecycleStage;
      if (inFlight) {
        if (inFlight.error) throw inFlight.error;
        if (inFlight.stage === 'completed') {
          return { updateRef, stage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED, outcome: inFlight.outcome ?? null };
        }
        stage =
          inFlight.stage === 'accepted' ? Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED : Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED;
      } else {
        const outcome = await this.readUpdateOutcome(ns, ms, updateId);
        if (outcome) return { updateRef, stage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED, outcome };
        // Accepted before a restart: its completion will come with a later task; the caller polls again.
        return { updateRef, stage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED };
      }
      const remaining = deadline - this.host.transactions.now();
      // At shutdown the caller gets the stage reached so far, as at the end of the poll period, and polls again.
      if (stage >= want || remaining <= 0 || signal?.aborted || this.host.registry.isStopped) return { updateRef, stage };
      await this.host.registry.waitForChange(inFlight, remaining, signal);
    }
  }
  /**
   * The outcome of an update history holds as completed; for one accepted by a run that then closed,
   * Temporal's abort failure (its registry aborts such updates when it loads a closed run).
   */
  private async readUpdateOutcome(ns: NamespaceRecord, ms: MutableState, updateId: string): Promise<temporal.api.update.v1.IOutcome | undefined> {
    const fresh = await this.host.transactions.load(ns.id, ms.workflowId, ms.runId);
    const completedEventId = fresh.updates[updateId]?.completedEventId;
    if (!completedEventId) return isRunning(fresh.status) ? undefined : { failure: acceptedUpdateCompletedWorkflowFailure() };
    return (await readEvent(this.host.store, ms.runId, completedEventId))?.workflowExecutionUpdateCompletedEventAttributes?.outcome ?? undefined;
  }
  /**
   * A closed run will never finish its updates; as in Temporal (respondworkflowtaskcompleted/api.go,
   * abort_reason.go), accepted ones complete with the AcceptedUpdateCompletedWorkflow failure, and the
   * callers of the others get an error: retryable when the run closed into a successor, so the SDK
   * client sends the update again to the new run, and NOT_FOUND otherwise. (Updates the closing
   * workflow task carried but left unanswered were already rejected as unprocessed.)
   */
  abortUpdates(ms: MutableState): void {
    for (const u of this.host.registry.forRun(ms.runId)) {
      if (u.stage === 'accepted') {
        this.host.registry.advance(u, 'completed', { failure: acceptedUpdateCompletedWorkflowFailure() });
      } else {
        this.host.registry.advance(u, 'completed', undefined, ms.newExecutionRunId ? workflowClosing() : abortedByWorkflowClosing());
      }
    }
  }
}
