import { workflowLockKey } from './keyed-mutex';
import { ServiceError, notFound, workflowNotFound } from '../common/errors';
import type { temporal } from '../common/proto';
import { enums, type workflowservice } from '../common/proto';
import type { MutableState, NamespaceRecord } from '../store/records';
import { isRunning } from './execution';
import { decodeEvent } from './mutator';
import type { InFlightUpdate } from './update-registry';
import { scheduleWorkflowTask } from './workflow-task';
import type { HistoryEngine } from './history-engine';

/** Updates: admission, delivery as protocol messages in workflow tasks, and waiting for a stage. */
export class UpdateHandling {
  constructor(private readonly engine: HistoryEngine) {}

  /** Admits an update (a workflow task carries it to the worker) and waits for the requested stage. */
  async updateWorkflowExecution(
    ns: NamespaceRecord,
    req: workflowservice.IUpdateWorkflowExecutionRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IUpdateWorkflowExecutionResponse> {
    const workflowId = req.workflowExecution?.workflowId ?? '';
    const updateId = req.request?.meta?.updateId ?? '';
    const found = await this.engine.locks.run(workflowLockKey(ns.id, workflowId), async () => {
      const ms = await this.engine.load(ns.id, workflowId, req.workflowExecution?.runId ?? '');
      if (req.firstExecutionRunId && ms.firstExecutionRunId !== req.firstExecutionRunId) throw workflowNotFound(workflowId, req.firstExecutionRunId);
      if (ms.updates[updateId]) return { ms };
      const inFlight = this.engine.updates.get(ms.runId, updateId);
      if (inFlight) return { ms, inFlight };
      if (!isRunning(ms.status)) throw new ServiceError('NOT_FOUND', 'workflow execution already completed');
      return { ms, inFlight: this.engine.updates.admit(ms.runId, updateId, req.request ?? {}), admitted: true };
    });
    if (found.admitted) {
      await this.engine.update(found.ms, (m) => scheduleWorkflowTask(m));
    }
    const wait = (): Promise<workflowservice.IUpdateWorkflowExecutionResponse> =>
      this.awaitUpdate(ns, found.ms, updateId, found.inFlight, req.waitPolicy?.lifecycleStage, signal);
    return this.engine.timeSkipper ? this.engine.timeSkipper.unlockedWhile(wait) : wait();
  }
  async pollWorkflowExecutionUpdate(
    ns: NamespaceRecord,
    req: workflowservice.IPollWorkflowExecutionUpdateRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IPollWorkflowExecutionUpdateResponse> {
    const ref = req.updateRef;
    const ms = await this.engine.load(ns.id, ref?.workflowExecution?.workflowId ?? '', ref?.workflowExecution?.runId ?? '');
    const updateId = ref?.updateId ?? '';
    const inFlight = this.engine.updates.get(ms.runId, updateId);
    if (!ms.updates[updateId] && !inFlight) throw notFound(`update ${updateId} not found`);
    const wait = (): Promise<workflowservice.IUpdateWorkflowExecutionResponse> =>
      this.awaitUpdate(ns, ms, updateId, inFlight, req.waitPolicy?.lifecycleStage, signal);
    const { stage, outcome } = await (this.engine.timeSkipper ? this.engine.timeSkipper.unlockedWhile(wait) : wait());
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
    const deadline = this.engine.clock.now() + this.engine.historyLongPollTimeoutMs;
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
      const remaining = deadline - this.engine.clock.now();
      if (stage >= want || remaining <= 0 || signal?.aborted) return { updateRef, stage };
      await this.engine.updates.waitForChange(inFlight, remaining, signal);
    }
  }
  /** The outcome of an update that history holds as completed. */
  private async readUpdateOutcome(ns: NamespaceRecord, ms: MutableState, updateId: string): Promise<temporal.api.update.v1.IOutcome | undefined> {
    const fresh = await this.engine.load(ns.id, ms.workflowId, ms.runId);
    const completedEventId = fresh.updates[updateId]?.completedEventId;
    if (!completedEventId) return undefined;
    const [row] = await this.engine.store.readHistory(ms.runId, completedEventId, completedEventId + 1, 1);
    return row ? (decodeEvent(row).workflowExecutionUpdateCompletedEventAttributes?.outcome ?? undefined) : undefined;
  }
  /** A closed run will never accept what it was sent: callers get an error, as from Temporal. */
  abortUpdates(ms: MutableState): void {
    for (const u of this.engine.updates.forRun(ms.runId)) {
      if (u.stage === 'accepted') {
        this.engine.updates.advance(u, 'completed', {
          failure: { message: 'Workflow Update failed because the Workflow completed before the Update completed.', source: 'Hourglass' },
        });
      } else {
        this.engine.updates.advance(u, 'completed', undefined, new ServiceError('NOT_FOUND', 'workflow execution already completed'));
      }
    }
  }
}
