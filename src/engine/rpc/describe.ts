import {
  decodeFailure,
  decodePayloads,
  enums,
  int64,
  msToDuration,
  msToTimestamp,
  type history,
  type workflow,
  type workflowservice,
} from '../../common/proto';
import type { ActivityInfo, ActivityPauseInfo, MutableState } from '../../store/records';
import { executionInfo } from '../../visibility/record';
import { currentActivityOptions } from '../state/activity-options';
import { isStarted } from '../state/activity-state';

/**
 * DescribeWorkflowExecution's answer: the run, its configuration (with the user metadata of its
 * WorkflowExecutionStarted event), what is pending, and the extended info (expirations, resets).
 */
export function describeExecution(ms: MutableState, now: number, started?: history.IHistoryEvent): workflowservice.IDescribeWorkflowExecutionResponse {
  return {
    executionConfig: {
      taskQueue: { name: ms.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      workflowExecutionTimeout: msToDuration(ms.workflowExecutionTimeoutMs),
      workflowRunTimeout: msToDuration(ms.workflowRunTimeoutMs),
      defaultWorkflowTaskTimeout: msToDuration(ms.workflowTaskTimeoutMs),
      userMetadata: started?.userMetadata ?? null,
    },
    workflowExecutionInfo: executionInfo(ms),
    workflowExtendedInfo: {
      executionExpirationTime: ms.executionExpirationTime ? msToTimestamp(ms.executionExpirationTime) : null,
      runExpirationTime: ms.runExpirationTime ? msToTimestamp(ms.runExpirationTime) : null,
      cancelRequested: ms.cancelRequested,
      lastResetTime: ms.lastResetTime ? msToTimestamp(ms.lastResetTime) : null,
      originalStartTime: started?.eventTime ?? null,
      resetRunId: ms.resetRunId ?? '',
    },
    pendingActivities: Object.values(ms.activities).map((a) => ({
      activityId: a.activityId,
      activityType: { name: a.activityType },
      state: pendingActivityState(a),
      heartbeatDetails: decodePayloads(a.heartbeatDetails) ?? null,
      lastHeartbeatTime: a.lastHeartbeatTime ? msToTimestamp(a.lastHeartbeatTime) : null,
      lastStartedTime: a.startedTime ? msToTimestamp(a.startedTime) : null,
      attempt: a.attempt,
      maximumAttempts: a.retryPolicy.maximumAttempts,
      scheduledTime: msToTimestamp(a.currentAttemptScheduledTime),
      expirationTime: a.scheduleToCloseMs > 0 ? msToTimestamp(a.scheduledTime + a.scheduleToCloseMs) : null,
      lastFailure: decodeFailure(a.lastFailure) ?? null,
      lastWorkerIdentity: a.lastWorkerIdentity ?? '',
      currentRetryInterval: a.currentAttemptScheduledTime > now && !a.paused ? msToDuration(a.currentAttemptScheduledTime - now) : null,
      lastAttemptCompleteTime: a.lastAttemptCompleteTime !== undefined ? msToTimestamp(a.lastAttemptCompleteTime) : null,
      nextAttemptScheduleTime: !isStarted(a) && a.currentAttemptScheduledTime > now && !a.paused ? msToTimestamp(a.currentAttemptScheduledTime) : null,
      paused: a.paused === true,
      pauseInfo: a.paused && a.pauseInfo ? pauseInfoProto(a.pauseInfo) : null,
      activityOptions: currentActivityOptions(a),
      priority: a.priority ?? null,
    })),
    // As Temporal, a child is listed from its initiation (its run ID once started) until it closes.
    pendingChildren: Object.values(ms.children).map((c) => ({
      workflowId: c.workflowId,
      runId: c.runId ?? '',
      workflowTypeName: c.workflowType,
      initiatedId: int64(c.initiatedEventId),
      parentClosePolicy: c.parentClosePolicy,
    })),
    pendingWorkflowTask: ms.workflowTask
      ? {
          state:
            ms.workflowTask.startedEventId === undefined
              ? enums.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED
              : enums.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED,
          scheduledTime: msToTimestamp(ms.workflowTask.scheduledTime),
          originalScheduledTime: msToTimestamp(ms.workflowTask.scheduledTime),
          startedTime: ms.workflowTask.startedTime ? msToTimestamp(ms.workflowTask.startedTime) : null,
          attempt: ms.workflowTask.attempt,
        }
      : null,
  };
}

/**
 * Temporal's GetPendingActivityInfo: a paused activity not running on a worker is PAUSED, one still
 * running is PAUSE_REQUESTED; a cancel request shows over either.
 */
function pendingActivityState(a: ActivityInfo): enums.PendingActivityState {
  const S = enums.PendingActivityState;
  if (a.cancelRequested) return S.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED;
  if (isStarted(a)) return a.paused ? S.PENDING_ACTIVITY_STATE_PAUSE_REQUESTED : S.PENDING_ACTIVITY_STATE_STARTED;
  return a.paused ? S.PENDING_ACTIVITY_STATE_PAUSED : S.PENDING_ACTIVITY_STATE_SCHEDULED;
}

function pauseInfoProto(p: ActivityPauseInfo): workflow.PendingActivityInfo.IPauseInfo {
  return { pauseTime: msToTimestamp(p.pauseTime), manual: { identity: p.identity, reason: p.reason } };
}
