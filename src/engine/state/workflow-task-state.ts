import { enums, int64, type Long, msToDuration, msToTimestamp, toNumber, type IFailure, type history } from '../../common/proto';
import type { MutableState, WorkflowTaskInfo } from '../../store/records';
import type { EventAttributes, RunMutator } from './mutator';
import { DEFAULT_RUN_LIMITS, type RunLimits } from './run-limits';
import { addResetPointFromCompletion } from './reset-points';

/**
 * The workflow task state machine of one run: at most one task, scheduled or started. Attempts
 * after a failure are "transient": their Scheduled/Started events are synthesised for the poll
 * response and written only if that attempt completes, so a crash-looping workflow does not grow
 * its history.
 */

const E = enums.EventType;

function taskQueueProto(
  normalName: string,
  wt: Pick<WorkflowTaskInfo, 'taskQueue' | 'sticky'>,
): { name: string; kind: enums.TaskQueueKind; normalName: string } {
  return wt.sticky
    ? { name: wt.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName }
    : { name: normalName, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL, normalName: '' };
}

/** WorkflowTaskScheduled's attributes, the same whether written at once, sent as transient, or written on completion. */
function scheduledAttributes(ms: MutableState, wt: WorkflowTaskInfo): history.IWorkflowTaskScheduledEventAttributes {
  return { taskQueue: taskQueueProto(ms.taskQueue, wt), startToCloseTimeout: msToDuration(wt.timeoutMs), attempt: wt.attempt };
}

/**
 * Why a run should continue as new, as Temporal's workflowTaskStateMachine.getHistorySizeInfo:
 * the persisted history size reaching the size limit, and the history count (the next event id
 * when the task starts) reaching the count limit.
 */
export function suggestContinueAsNewReasons(
  historySizeBytes: number,
  historyCount: number,
  limits: RunLimits['suggestContinueAsNew'] = DEFAULT_RUN_LIMITS.suggestContinueAsNew,
): enums.SuggestContinueAsNewReason[] {
  const reasons: enums.SuggestContinueAsNewReason[] = [];
  if (historySizeBytes >= limits.historySizeBytes) reasons.push(enums.SuggestContinueAsNewReason.SUGGEST_CONTINUE_AS_NEW_REASON_HISTORY_SIZE_TOO_LARGE);
  if (historyCount >= limits.historyCount) reasons.push(enums.SuggestContinueAsNewReason.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS);
  return reasons;
}

/**
 * WorkflowTaskStarted's attributes (the task's identity and request id are set when it starts).
 * History size and count are read as the task starts: the bytes of the events already committed
 * and the next event id (the Started event's id, or a transient attempt's Scheduled id). They do
 * not move while the task is started (new events are buffered), so a transient attempt's events
 * are the same when sent and when written on completion.
 */
function startedAttributes(ms: MutableState, wt: WorkflowTaskInfo, limits: RunLimits): history.IWorkflowTaskStartedEventAttributes {
  const historyCount = wt.transient ? wt.scheduledEventId : (wt.startedEventId ?? ms.nextEventId);
  const reasons = suggestContinueAsNewReasons(ms.historySizeBytes, historyCount, limits.suggestContinueAsNew);
  return {
    scheduledEventId: int64(wt.scheduledEventId),
    identity: wt.identity ?? '',
    requestId: wt.requestId ?? '',
    historySizeBytes: int64(ms.historySizeBytes),
    suggestContinueAsNew: reasons.length > 0,
    suggestContinueAsNewReasons: reasons,
  };
}

export function scheduleWorkflowTask(m: RunMutator, attempt = 1): void {
  const ms = m.ms;
  if (ms.workflowTask || !m.isRunning()) return;
  const sticky = ms.stickyTaskQueue !== undefined;
  const info: WorkflowTaskInfo = {
    scheduledEventId: ms.nextEventId,
    attempt,
    scheduledTime: m.now,
    taskQueue: ms.stickyTaskQueue ?? ms.taskQueue,
    sticky,
    timeoutMs: ms.workflowTaskTimeoutMs,
    transient: attempt > 1,
  };
  if (!info.transient) {
    const event = m.add({
      workflowTaskScheduledEventAttributes: scheduledAttributes(ms, info),
    });
    info.scheduledEventId = toNumber(event.eventId);
  }
  ms.workflowTask = info;
}

/** Marks the scheduled task started; for a transient attempt assigns the ids its events will get. */
export function startWorkflowTask(m: RunMutator, requestId: string, identity: string): WorkflowTaskInfo {
  const wt = m.ms.workflowTask;
  if (!wt || wt.startedEventId !== undefined) throw new Error('no scheduled workflow task to start');
  wt.requestId = requestId;
  wt.identity = identity;
  wt.startedTime = m.now;
  if (wt.transient) {
    wt.scheduledEventId = m.ms.nextEventId;
    wt.startedEventId = m.ms.nextEventId + 1;
  } else {
    const event = m.add({
      workflowTaskStartedEventAttributes: startedAttributes(m.ms, wt, m.limits),
    });
    wt.startedEventId = toNumber(event.eventId);
  }
  return wt;
}

/** The Scheduled/Started pair of a transient attempt, as sent to the worker and as written on completion. */
export function transientWorkflowTaskEvents(m: Pick<RunMutator, 'ms' | 'limits'>, wt: WorkflowTaskInfo): history.IHistoryEvent[] {
  if (!wt.transient || wt.startedEventId === undefined) return [];
  return [
    {
      eventId: int64(wt.scheduledEventId),
      eventTime: msToTimestamp(wt.scheduledTime),
      eventType: E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
      workflowTaskScheduledEventAttributes: scheduledAttributes(m.ms, wt),
    },
    {
      eventId: int64(wt.startedEventId),
      eventTime: msToTimestamp(wt.startedTime ?? wt.scheduledTime),
      eventType: E.EVENT_TYPE_WORKFLOW_TASK_STARTED,
      workflowTaskStartedEventAttributes: startedAttributes(m.ms, wt, m.limits),
    },
  ];
}

/** Writes a transient attempt's Scheduled/Started for real, now that it completes. */
function persistTransientEvents(m: RunMutator, wt: WorkflowTaskInfo): void {
  if (!wt.transient) return;
  m.add(
    {
      workflowTaskScheduledEventAttributes: scheduledAttributes(m.ms, wt),
    },
    wt.scheduledTime,
  );
  m.add(
    {
      workflowTaskStartedEventAttributes: startedAttributes(m.ms, wt, m.limits),
    },
    wt.startedTime,
  );
}

export interface CompletionMetadata {
  identity: string;
  binaryChecksum?: string | null;
  sdkMetadata?: history.IWorkflowTaskCompletedEventAttributes['sdkMetadata'];
  meteringMetadata?: history.IWorkflowTaskCompletedEventAttributes['meteringMetadata'];
  workerVersion?: history.IWorkflowTaskCompletedEventAttributes['workerVersion'];
  workerDeploymentName?: string;
  deploymentVersion?: history.IWorkflowTaskCompletedEventAttributes['deploymentVersion'];
  versioningBehavior?: enums.VersioningBehavior;
}

/** Appends WorkflowTaskCompleted and clears the task; returns the Completed event id for command events. */
export function completeWorkflowTask(m: RunMutator, meta: CompletionMetadata): number {
  const wt = m.ms.workflowTask;
  if (!wt || wt.startedEventId === undefined) throw new Error('no started workflow task to complete');
  persistTransientEvents(m, wt);
  const event = m.add({
    workflowTaskCompletedEventAttributes: {
      scheduledEventId: int64(wt.scheduledEventId),
      startedEventId: int64(wt.startedEventId),
      identity: meta.identity,
      binaryChecksum: meta.binaryChecksum ?? '',
      sdkMetadata: meta.sdkMetadata ?? null,
      meteringMetadata: meta.meteringMetadata ?? null,
      workerVersion: meta.workerVersion ?? null,
      workerDeploymentName: meta.workerDeploymentName ?? '',
      deploymentVersion: meta.deploymentVersion ?? null,
      versioningBehavior: meta.versioningBehavior ?? enums.VersioningBehavior.VERSIONING_BEHAVIOR_UNSPECIFIED,
    },
  });
  m.ms.lastCompletedWorkflowTaskStartedEventId = wt.startedEventId;
  m.ms.workflowTask = undefined;
  addResetPointFromCompletion(m.ms, meta.binaryChecksum ?? '', completionBuildId(meta), toNumber(event.eventId), m.now);
  return toNumber(event.eventId);
}

/** The build id Temporal records a reset point under: the deployment's, else the worker version stamp's. */
export function completionBuildId(meta: Pick<CompletionMetadata, 'workerVersion' | 'deploymentVersion'>): string {
  return meta.deploymentVersion?.buildId || meta.workerVersion?.buildId || '';
}

/**
 * Fails the started task (worker failure, rejected completion, forced close). Only the first attempt
 * writes WorkflowTaskFailed; later attempts fail silently. Returns the next attempt number.
 */
export function failWorkflowTask(m: RunMutator, cause: enums.WorkflowTaskFailedCause, failure: IFailure | null | undefined, identity: string): number {
  return endStartedTask(m, (wt) => ({
    workflowTaskFailedEventAttributes: { ...taskIds(wt), cause, failure: failure ?? null, identity },
  }));
}

/** The identity Temporal's history service writes on events it makes itself (consts.IdentityHistoryService). */
export const HISTORY_SERVICE_IDENTITY = 'history-service';

/**
 * The started task a reset inherits fails as Temporal's workflowResetter.failWorkflowTask writes it:
 * RESET_WORKFLOW, naming the base and the new run (the SDK reseeds its randomness from the new run id).
 */
export function failWorkflowTaskForReset(m: RunMutator, reason: string, baseRunId: string, newRunId: string): void {
  endStartedTask(m, (wt) => ({
    workflowTaskFailedEventAttributes: {
      ...taskIds(wt),
      cause: enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
      failure: { message: reason, resetWorkflowFailureInfo: {} },
      identity: HISTORY_SERVICE_IDENTITY,
      baseRunId,
      newRunId,
      forkEventVersion: int64(0), // a local namespace's events all have version 0
    },
  }));
}

/** START_TO_CLOSE timeout of a started task; the same attempt rules as a failure. */
export function timeOutWorkflowTask(m: RunMutator): number {
  return endStartedTask(m, (wt) => ({
    workflowTaskTimedOutEventAttributes: { ...taskIds(wt), timeoutType: enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE },
  }));
}

function taskIds(wt: WorkflowTaskInfo): { scheduledEventId: Long; startedEventId: Long } {
  return { scheduledEventId: int64(wt.scheduledEventId), startedEventId: int64(wt.startedEventId ?? 0) };
}

/** A started task ends without completing: its event (first attempt only), and the run leaves the sticky worker. */
function endStartedTask(m: RunMutator, event: (wt: WorkflowTaskInfo) => EventAttributes): number {
  const wt = m.ms.workflowTask;
  if (!wt || wt.startedEventId === undefined) throw new Error('no started workflow task to end');
  if (!wt.transient) m.add(event(wt));
  m.ms.workflowTask = undefined;
  // The worker may have dropped the run from its cache: start over on the normal queue.
  m.ms.stickyTaskQueue = undefined;
  return wt.attempt + 1;
}

/**
 * The sticky worker did not pick the task up in time (or is gone): WorkflowTaskTimedOut
 * (SCHEDULE_TO_START), stickiness cleared, and the same attempt goes to the normal queue.
 */
export function stickyTaskTimedOut(m: RunMutator): void {
  const wt = m.ms.workflowTask;
  if (!wt || wt.startedEventId !== undefined || !wt.sticky) return;
  if (!wt.transient) {
    m.add({
      workflowTaskTimedOutEventAttributes: {
        scheduledEventId: int64(wt.scheduledEventId),
        startedEventId: int64(0),
        timeoutType: enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
      },
    });
  }
  m.ms.workflowTask = undefined;
  m.ms.stickyTaskQueue = undefined;
  scheduleWorkflowTask(m, wt.attempt);
}

/**
 * After a failed or timed-out task: flush what was buffered and schedule the next attempt. New
 * events make it a fresh attempt 1 (written to history); otherwise it is a transient retry.
 */
export function retryWorkflowTask(m: RunMutator, nextAttempt: number): void {
  const flushed = m.flushBuffer();
  scheduleWorkflowTask(m, flushed > 0 ? 1 : nextAttempt);
}
