import {
  decodeMemo,
  decodeSearchAttributes,
  durationToMs,
  encodeMemo,
  encodeSearchAttributes,
  enums,
  timestampToMs,
  toNumber,
  type history,
} from '../../common/proto';
import type { MutableState } from '../../store/records';
import { mergePayloadMap } from './execution';
import { addResetPointFromCompletion } from './reset-points';
import { normalizeRetryPolicy } from './retry';
import { completionBuildId } from './workflow-task-state';
import { applyPendingWorkEvent } from './rebuild-pending';

/** Who the rebuilt run is: history says what it did, not which run it is. */
export interface RebuildIdentity {
  namespaceId: string;
  workflowId: string;
  runId: string;
  startRequestId: string;
}

/**
 * Temporal's state rebuilder (`ndc/state_rebuilder.go` over `workflow/mutable_state_rebuilder.go`):
 * the mutable state a run has after `events` (ids from 1, contiguous), replayed one by one.
 * What was pending at the last event — the workflow task, activities, timers, children, requests
 * to other workflows, accepted updates — is pending again, with the deadlines history gives it
 * (a timer still fires at its original time). History size is left at 0: the caller counts the
 * events it stores.
 */
export function rebuildMutableState(events: readonly history.IHistoryEvent[], who: RebuildIdentity): MutableState {
  const [first] = events;
  const started = first?.workflowExecutionStartedEventAttributes;
  if (!first || !started) throw new Error('history does not begin with WorkflowExecutionStarted');
  const ms = initialState(who, started, timestampToMs(first.eventTime));
  for (const event of events) {
    const eventId = toNumber(event.eventId);
    if (eventId !== ms.nextEventId) throw new Error(`history event ${eventId} out of order (expected ${ms.nextEventId})`);
    applyEvent(ms, event, eventId, timestampToMs(event.eventTime));
    ms.nextEventId = eventId + 1;
  }
  return ms;
}

function initialState(who: RebuildIdentity, started: history.IWorkflowExecutionStartedEventAttributes, startTime: number): MutableState {
  const runTimeoutMs = durationToMs(started.workflowRunTimeout);
  const backoffMs = durationToMs(started.firstWorkflowTaskBackoff);
  const executionExpirationTime = timestampToMs(started.workflowExecutionExpirationTime) || undefined;
  let runExpirationTime = runTimeoutMs > 0 ? startTime + backoffMs + runTimeoutMs : undefined;
  if (executionExpirationTime !== undefined) runExpirationTime = Math.min(runExpirationTime ?? Infinity, executionExpirationTime);
  const parent = started.parentWorkflowExecution;
  return {
    namespaceId: who.namespaceId,
    workflowId: who.workflowId,
    runId: who.runId,
    firstExecutionRunId: started.firstExecutionRunId || who.runId,
    workflowType: started.workflowType?.name ?? '',
    taskQueue: started.taskQueue?.name ?? '',
    status: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    startTime,
    executionTime: startTime + backoffMs,
    startRequestId: who.startRequestId,
    attempt: started.attempt || 1,
    workflowRunTimeoutMs: runTimeoutMs,
    workflowExecutionTimeoutMs: durationToMs(started.workflowExecutionTimeout),
    workflowTaskTimeoutMs: durationToMs(started.workflowTaskTimeout),
    runExpirationTime,
    executionExpirationTime,
    nextEventId: 1,
    lastCompletedWorkflowTaskStartedEventId: 0,
    cancelRequested: false,
    requestIds: [],
    retryPolicy: started.retryPolicy ? normalizeRetryPolicy(started.retryPolicy) : undefined,
    cronSchedule: started.cronSchedule || undefined,
    parent: parent?.workflowId
      ? {
          namespaceId: started.parentWorkflowNamespaceId ?? '',
          namespace: started.parentWorkflowNamespace ?? '',
          workflowId: parent.workflowId,
          runId: parent.runId ?? '',
          initiatedEventId: toNumber(started.parentInitiatedEventId),
        }
      : undefined,
    // A top-level run is its own root (Temporal writes no root on its start event).
    rootExecution: started.rootWorkflowExecution?.workflowId
      ? { workflowId: started.rootWorkflowExecution.workflowId, runId: started.rootWorkflowExecution.runId ?? '' }
      : { workflowId: who.workflowId, runId: who.runId },
    children: {},
    externalRequests: {},
    updates: {},
    bufferedEvents: [],
    activities: {},
    timers: {},
    memo: encodeMemo(started.memo?.fields ?? {}),
    searchAttributes: encodeSearchAttributes(started.searchAttributes?.indexedFields ?? {}),
    historySizeBytes: 0,
    dbVersion: 0,
  };
}

function applyEvent(ms: MutableState, event: history.IHistoryEvent, eventId: number, eventTime: number): void {
  if (applyWorkflowTaskEvent(ms, event, eventId, eventTime)) return;
  if (applyPendingWorkEvent(ms, event, eventId, eventTime)) return;
  if (event.workflowExecutionCancelRequestedEventAttributes) {
    ms.cancelRequested = true;
  } else if (event.upsertWorkflowSearchAttributesEventAttributes) {
    const fields = event.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields;
    ms.searchAttributes = encodeSearchAttributes(mergePayloadMap(decodeSearchAttributes(ms.searchAttributes), fields));
  } else if (event.workflowPropertiesModifiedEventAttributes) {
    ms.memo = encodeMemo(mergePayloadMap(decodeMemo(ms.memo), event.workflowPropertiesModifiedEventAttributes.upsertedMemo?.fields));
  }
  // Everything else (signals, markers, the start itself) leaves nothing pending.
}

/** The workflow task events; true when `event` was one. */
function applyWorkflowTaskEvent(ms: MutableState, event: history.IHistoryEvent, eventId: number, eventTime: number): boolean {
  const scheduled = event.workflowTaskScheduledEventAttributes;
  if (scheduled) {
    // The rebuilt run has no worker caching it: its tasks go to the normal queue.
    ms.workflowTask = {
      scheduledEventId: eventId,
      attempt: scheduled.attempt || 1,
      scheduledTime: eventTime,
      taskQueue: ms.taskQueue,
      sticky: false,
      timeoutMs: durationToMs(scheduled.startToCloseTimeout) || ms.workflowTaskTimeoutMs,
      transient: false,
    };
    return true;
  }
  const started = event.workflowTaskStartedEventAttributes;
  if (started) {
    if (ms.workflowTask) {
      ms.workflowTask.startedEventId = eventId;
      ms.workflowTask.startedTime = eventTime;
      ms.workflowTask.requestId = started.requestId ?? '';
      ms.workflowTask.identity = started.identity ?? '';
    }
    return true;
  }
  const completed = event.workflowTaskCompletedEventAttributes;
  if (completed) {
    ms.lastCompletedWorkflowTaskStartedEventId = toNumber(completed.startedEventId);
    ms.workflowTask = undefined;
    addResetPointFromCompletion(ms, completed.binaryChecksum ?? '', completionBuildId(completed), eventId, eventTime);
    return true;
  }
  if (event.workflowTaskFailedEventAttributes || event.workflowTaskTimedOutEventAttributes) {
    ms.workflowTask = undefined;
    return true;
  }
  return false;
}
