import { decodeFailure, decodePayloads, enums, msToDuration, msToTimestamp, type history, type workflowservice } from '../../common/proto';
import type { MutableState } from '../../store/records';
import { executionInfo } from '../../visibility/record';
import { isStarted } from '../state/activity-state';

/**
 * DescribeWorkflowExecution's answer: the run, its configuration (with the user metadata of its
 * WorkflowExecutionStarted event), what is pending, and the extended info (expirations, resets).
 */
export function describeExecution(ms: MutableState, now: number, started?: history.IHistoryEvent): workflowservice.IDescribeWorkflowExecutionResponse {
  const PendingState = enums.PendingActivityState;
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
      state: a.cancelRequested
        ? PendingState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
        : isStarted(a)
          ? PendingState.PENDING_ACTIVITY_STATE_STARTED
          : PendingState.PENDING_ACTIVITY_STATE_SCHEDULED,
      heartbeatDetails: decodePayloads(a.heartbeatDetails) ?? null,
      lastHeartbeatTime: a.lastHeartbeatTime ? msToTimestamp(a.lastHeartbeatTime) : null,
      lastStartedTime: a.startedTime ? msToTimestamp(a.startedTime) : null,
      attempt: a.attempt,
      maximumAttempts: a.retryPolicy.maximumAttempts,
      scheduledTime: msToTimestamp(a.currentAttemptScheduledTime),
      expirationTime: a.scheduleToCloseMs > 0 ? msToTimestamp(a.scheduledTime + a.scheduleToCloseMs) : null,
      lastFailure: decodeFailure(a.lastFailure) ?? null,
      lastWorkerIdentity: a.lastWorkerIdentity ?? '',
      currentRetryInterval: a.currentAttemptScheduledTime > now ? msToDuration(a.currentAttemptScheduledTime - now) : null,
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
