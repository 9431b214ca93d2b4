import { decodeFailure, decodePayloads, enums, int64, msToDuration, msToTimestamp, workflow, type workflowservice } from '../common/proto';
import { isStarted } from './activity';
import type { MutableState, VisibilityRecord } from '../store/records';
import type { SearchAttributeType } from '../visibility/search-attribute-type';
import { decodeMemo, decodeSearchAttributes } from './execution';
import { searchAttributesToJson } from '../visibility/search-attributes';

/** The run as Describe and List show it. */
export function executionInfo(ms: MutableState): workflow.IWorkflowExecutionInfo {
  return {
    execution: { workflowId: ms.workflowId, runId: ms.runId },
    type: { name: ms.workflowType },
    startTime: msToTimestamp(ms.startTime),
    closeTime: ms.closeTime ? msToTimestamp(ms.closeTime) : null,
    executionTime: msToTimestamp(ms.executionTime),
    status: ms.status,
    historyLength: int64(ms.nextEventId - 1),
    historySizeBytes: int64(ms.historySizeBytes),
    taskQueue: ms.taskQueue,
    memo: { fields: decodeMemo(ms.memo) },
    searchAttributes: { indexedFields: decodeSearchAttributes(ms.searchAttributes) },
    parentExecution: ms.parent ? { workflowId: ms.parent.workflowId, runId: ms.parent.runId } : null,
    firstRunId: ms.firstExecutionRunId,
    stateTransitionCount: int64(ms.dbVersion),
    executionDuration: ms.closeTime ? msToDuration(ms.closeTime - ms.executionTime) : null,
  };
}

/** The visibility row of a run, written with every change of it (so a list right after a start sees it). */
export function visibilityRecord(ms: MutableState, types: ReadonlyMap<string, SearchAttributeType>): VisibilityRecord {
  return {
    namespaceId: ms.namespaceId,
    runId: ms.runId,
    workflowId: ms.workflowId,
    workflowType: ms.workflowType,
    status: ms.status,
    taskQueue: ms.taskQueue,
    startTime: ms.startTime,
    executionTime: ms.executionTime,
    closeTime: ms.closeTime,
    executionDurationMs: ms.closeTime ? ms.closeTime - ms.executionTime : undefined,
    historyLength: ms.nextEventId - 1,
    historySizeBytes: ms.historySizeBytes,
    stateTransitionCount: ms.dbVersion,
    parentWorkflowId: ms.parent?.workflowId,
    parentRunId: ms.parent?.runId,
    searchAttributes: searchAttributesToJson(decodeSearchAttributes(ms.searchAttributes), types),
    info: workflow.WorkflowExecutionInfo.encode(executionInfo(ms)).finish(),
  };
}

/** DescribeWorkflowExecution's answer: the run, its configuration and what is pending. */
export function describeExecution(ms: MutableState, now: number): workflowservice.IDescribeWorkflowExecutionResponse {
  const PendingState = enums.PendingActivityState;
  return {
    executionConfig: {
      taskQueue: { name: ms.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      workflowExecutionTimeout: msToDuration(ms.workflowExecutionTimeoutMs),
      workflowRunTimeout: msToDuration(ms.workflowRunTimeoutMs),
      defaultWorkflowTaskTimeout: msToDuration(ms.workflowTaskTimeoutMs),
    },
    workflowExecutionInfo: executionInfo(ms),
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
