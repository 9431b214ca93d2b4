import { ServiceError, invalidArgument } from '../../common/errors';
import { enums, int64, toNumber, type history } from '../../common/proto';
import { addSignal } from './execution';
import { attributesOf, decodeEvent, RunMutator } from './mutator';
import { rebuildMutableState, type RebuildIdentity } from './rebuild';
import { failWorkflowTaskForReset, HISTORY_SERVICE_IDENTITY, scheduleWorkflowTask, startWorkflowTask } from './workflow-task-state';

/**
 * ResetWorkflowExecution's new run, as Temporal's workflowResetter builds it
 * (`service/history/ndc/workflow_resetter.go`): the base run's history up to the reset point,
 * its inherited workflow task failed with RESET_WORKFLOW, activities in flight failed, the
 * signals and updates received after the point reapplied, and a new workflow task.
 */

const Exclude = enums.ResetReapplyExcludeType;

/** The identity Temporal writes on the current run's termination by a reset (consts.IdentityResetter). */
export const RESETTER_IDENTITY = 'history-resetter';

export interface ResetSpec {
  baseRunId: string;
  newRunId: string;
  reason: string;
  requestId: string;
  /** The request's workflowTaskFinishEventId: the base's events before it are the new run's. */
  finishEventId: number;
  /** Events after the reset point (the base's, then its continue-as-new successors'), in order. */
  laterEvents: readonly history.IHistoryEvent[];
  exclude: ReadonlySet<enums.ResetReapplyExcludeType>;
}

/**
 * Temporal's GetResetReapplyExcludeTypes: the exclude list plus what the deprecated reapply type
 * leaves out (SIGNAL keeps only signals, NONE keeps nothing). An unknown type is Temporal's Internal error.
 */
export function resetReapplyExcludeTypes(
  excludeTypes: readonly enums.ResetReapplyExcludeType[] | null | undefined,
  reapplyType: enums.ResetReapplyType | null | undefined,
): Set<enums.ResetReapplyExcludeType> {
  const exclude = new Set(excludeTypes ?? []);
  switch (reapplyType ?? enums.ResetReapplyType.RESET_REAPPLY_TYPE_UNSPECIFIED) {
    case enums.ResetReapplyType.RESET_REAPPLY_TYPE_SIGNAL:
      exclude.add(Exclude.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE);
      break;
    case enums.ResetReapplyType.RESET_REAPPLY_TYPE_NONE:
      exclude.add(Exclude.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL);
      exclude.add(Exclude.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE);
      break;
    case enums.ResetReapplyType.RESET_REAPPLY_TYPE_UNSPECIFIED:
    case enums.ResetReapplyType.RESET_REAPPLY_TYPE_ALL_ELIGIBLE:
      break;
    default:
      throw new ServiceError('INTERNAL', `unknown reset reapply type: ${String(reapplyType)}`);
  }
  return exclude;
}

/**
 * Builds the new run from the base's encoded events 1..finishEventId-1 (stored as they are).
 * Throws INVALID_ARGUMENT, with Temporal's message, when no workflow task is pending at that point.
 */
export function createResetRun(rows: { eventId: number; data: Uint8Array }[], who: RebuildIdentity, spec: ResetSpec, now: number): RunMutator {
  const { activities, ...rebuilt } = rebuildMutableState(
    rows.map((r) => decodeEvent(r.data)),
    who,
  );
  if (!rebuilt.workflowTask) {
    throw invalidArgument(`Can only reset workflow to event ID in range [WorkflowTaskScheduled +1, WorkflowTaskStarted + 1]: ${spec.finishEventId}`);
  }
  const m = new RunMutator({ ...rebuilt, activities: {} }, now, true);
  m.carryHistory(rows);
  for (const a of Object.values(activities)) m.addActivity(a);
  m.ms.requestIds.push(spec.requestId);
  m.ms.lastResetTime = now;
  refreshExpirationTimes(m);
  if (!m.hasStartedWorkflowTask()) startWorkflowTask(m, '', HISTORY_SERVICE_IDENTITY);
  failWorkflowTaskForReset(m, spec.reason, spec.baseRunId, spec.newRunId);
  failActivitiesInFlight(m, spec.reason);
  reapplyEvents(m, spec.laterEvents, spec.exclude);
  m.flushBuffer();
  scheduleWorkflowTask(m);
  return m;
}

/** Temporal's RefreshExpirationTimeoutTask: the reset run's timeouts count from the reset. */
function refreshExpirationTimes(m: RunMutator): void {
  const ms = m.ms;
  ms.executionExpirationTime = ms.workflowExecutionTimeoutMs > 0 ? m.now + ms.workflowExecutionTimeoutMs : undefined;
  ms.runExpirationTime = ms.workflowRunTimeoutMs > 0 ? m.now + ms.workflowRunTimeoutMs : undefined;
  if (ms.runExpirationTime !== undefined && ms.executionExpirationTime !== undefined) {
    ms.runExpirationTime = Math.min(ms.runExpirationTime, ms.executionExpirationTime);
  }
}

/**
 * Temporal's failInflightActivity: an activity a worker had started fails for good (its worker
 * belongs to the old run); one only scheduled is scheduled anew from now, with fresh timeouts.
 */
function failActivitiesInFlight(m: RunMutator, reason: string): void {
  for (const key of Object.keys(m.ms.activities)) {
    const a = m.activity(Number(key));
    if (!a) continue;
    if (a.startedTime === undefined) {
      a.scheduledTime = m.now;
      a.currentAttemptScheduledTime = m.now;
      continue;
    }
    m.add({
      activityTaskFailedEventAttributes: {
        scheduledEventId: int64(a.scheduledEventId),
        failure: { message: reason, resetWorkflowFailureInfo: { lastHeartbeatDetails: null } },
        identity: a.startedIdentity ?? '',
        retryState: enums.RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE,
      },
    });
    m.removeActivity(a.scheduledEventId);
  }
}

/**
 * Temporal's reapplyEvents for a reset: signals again as WorkflowExecutionSignaled, updates as
 * WorkflowExecutionUpdateAdmitted (origin REAPPLY) — from an Admitted event, or from an Accepted
 * one that carries its request — unless their type is excluded. Cancel requests and
 * terminations are not reapplied by a reset; the news of children the new run has is (below).
 */
function reapplyEvents(m: RunMutator, events: readonly history.IHistoryEvent[], exclude: ReadonlySet<enums.ResetReapplyExcludeType>): void {
  const signals = !exclude.has(Exclude.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL);
  const updates = !exclude.has(Exclude.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE);
  for (const event of events) {
    if (reapplyChildEvent(m, event)) continue;
    const signaled = event.workflowExecutionSignaledEventAttributes;
    if (signaled && signals) {
      addSignal(m, signaled.signalName ?? '', signaled.input, signaled.header, signaled.identity ?? '');
      continue;
    }
    const request = event.workflowExecutionUpdateAdmittedEventAttributes?.request ?? event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
    if (request && updates) {
      // Signals wait in the buffer; writing it first keeps the events in their original order.
      m.flushBuffer();
      m.add({
        workflowExecutionUpdateAdmittedEventAttributes: { request, origin: enums.UpdateAdmittedEventOrigin.UPDATE_ADMITTED_EVENT_ORIGIN_REAPPLY },
      });
    }
  }
}

/**
 * Temporal's reapplyChildEvents: a child initiated before the reset point is the new run's child
 * too, so its start and its close, if they came after the point, are written again (the close
 * naming the child's started event in the new run). Returns whether `event` was a child's event.
 */
function reapplyChildEvent(m: RunMutator, event: history.IHistoryEvent): boolean {
  const started = event.childWorkflowExecutionStartedEventAttributes;
  const failedToStart = event.startChildWorkflowExecutionFailedEventAttributes;
  const closed =
    event.childWorkflowExecutionCompletedEventAttributes ??
    event.childWorkflowExecutionFailedEventAttributes ??
    event.childWorkflowExecutionCanceledEventAttributes ??
    event.childWorkflowExecutionTimedOutEventAttributes ??
    event.childWorkflowExecutionTerminatedEventAttributes;
  const initiatedEventId = String(toNumber((started ?? failedToStart ?? closed)?.initiatedEventId));
  if (!started && !failedToStart && !closed) return false;
  const child = m.ms.children[initiatedEventId];
  if (!child || (started && child.runId)) return true;
  if (closed) closed.startedEventId = int64(child.startedEventId ?? 0);
  if (started) child.runId = started.workflowExecution?.runId ?? '';
  else delete m.ms.children[initiatedEventId];
  m.add(attributesOf(event));
  // Written now, so a later close of the same child can name this start's event id.
  m.flushBuffer();
  return true;
}
