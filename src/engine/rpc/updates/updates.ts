import { workflowAlreadyCompleted, workflowNotFound } from '../../../common/errors';
import type { temporal } from '../../../common/proto';
import { enums, type workflowservice } from '../../../common/proto';
import type { MutableState, NamespaceRecord } from '../../../store/records';
import { readEvent, type HistoryStore } from '../../history-reader';
import { isRunning } from '../../state/status';
import { scheduleWorkflowTask } from '../../state/workflow-task-state';
import type { RunTransactions } from '../../transactions';
import { abortedByWorkflowClosing, acceptedUpdateCompletedWorkflowFailure, updateNotFound, workflowClosing } from './update-failures';
import type { InFlightUpdate, UpdateRegistry } from './update-registry';

export interface UpdateHost {
  transactions: RunTransactions;
  store: HistoryStore;
  registry: UpdateRegistry;
  /** How long one wait for a stage is held (the history long-poll period). */
  longPollTimeoutMs: number;
  /** Time-skipping mode: time may skip while a caller waits for an update (as while it awaits a result). */
  unlockedWhile?: <T>(fn: () => Promise<T>) => Promise<T>;
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
    const workflowId = req.workflowExecution?.workflowId ?? '';
    const updateId = req.request?.meta?.updateId ?? '';
    const found = await this.host.transactions.withWorkflowLock(ns.id, workflowId, async () => {
      const ms = await this.host.transactions.load(ns.id, workflowId, req.workflowExecution?.runId ?? '');
      if (req.firstExecutionRunId && ms.firstExecutionRunId !== req.firstExecutionRunId) throw workflowNotFound(workflowId, req.firstExecutionRunId);
      if (ms.updates[updateId]) return { ms };
      const inFlight = this.host.registry.get(ms.runId, updateId);
      if (inFlight) return { ms, inFlight };
      if (!isRunning(ms.status)) throw workflowAlreadyCompleted();
      return { ms, inFlight: this.host.registry.admit(ms.runId, updateId, req.request ?? {}), admitted: true };
    });
    if (found.admitted) {
      await this.host.transactions.update(found.ms, (m) => scheduleWorkflowTask(m));
    }
    const wait = (): Promise<workflowservice.IUpdateWorkflowExecutionResponse> =>
      this.awaitUpdate(ns, found.ms, updateId, found.inFlight, req.waitPolicy?.lifecycleStage, signal);
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
    const wait = (): Promise<workflowservice.IUpdateWorkflowExecutionResponse> =>
      this.awaitUpdate(ns, ms, updateId, inFlight, req.waitPolicy?.lifecycleStage, signal);
    const { stage, outcome } = await (this.host.unlockedWhile ? this.host.unlockedWhile(wait) : wait());
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
      if (stage >= want || remaining <= 0 || signal?.aborted) return { updateRef, stage };
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
