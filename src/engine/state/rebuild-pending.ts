import { durationToMs, enums, toNumber, type history } from '../../common/proto';
import type { MutableState } from '../../store/records';
import { normalizeRetryPolicy } from './retry';

/**
 * The rebuild (see `rebuild.ts`) of what a run waits for besides its workflow task: activities,
 * timers, children, signals and cancels sent to other workflows, and accepted updates. Returns
 * true when `event` was one of theirs.
 */
export function applyPendingWorkEvent(ms: MutableState, event: history.IHistoryEvent, eventId: number, eventTime: number): boolean {
  return (
    applyActivityEvent(ms, event, eventId, eventTime) ||
    applyTimerEvent(ms, event, eventId, eventTime) ||
    applyChildEvent(ms, event, eventId) ||
    applyExternalRequestEvent(ms, event, eventId) ||
    applyUpdateEvent(ms, event, eventId)
  );
}

function applyActivityEvent(ms: MutableState, event: history.IHistoryEvent, eventId: number, eventTime: number): boolean {
  const scheduled = event.activityTaskScheduledEventAttributes;
  if (scheduled) {
    ms.activities[String(eventId)] = {
      scheduledEventId: eventId,
      activityId: scheduled.activityId ?? '',
      activityType: scheduled.activityType?.name ?? '',
      taskQueue: scheduled.taskQueue?.name || ms.taskQueue,
      scheduledTime: eventTime,
      attempt: 1,
      currentAttemptScheduledTime: eventTime,
      // The event carries the timeouts as normalised when the command was accepted.
      scheduleToCloseMs: durationToMs(scheduled.scheduleToCloseTimeout),
      scheduleToStartMs: durationToMs(scheduled.scheduleToStartTimeout),
      startToCloseMs: durationToMs(scheduled.startToCloseTimeout),
      heartbeatMs: durationToMs(scheduled.heartbeatTimeout),
      retryPolicy: normalizeRetryPolicy(scheduled.retryPolicy),
      cancelRequested: false,
    };
    return true;
  }
  const started = event.activityTaskStartedEventAttributes;
  if (started) {
    const a = ms.activities[String(toNumber(started.scheduledEventId))];
    if (a) {
      a.attempt = started.attempt || a.attempt;
      a.startedTime = eventTime;
      a.startedIdentity = started.identity ?? '';
      a.startedRequestId = started.requestId ?? '';
      a.lastWorkerIdentity = a.startedIdentity;
    }
    return true;
  }
  const cancelRequested = event.activityTaskCancelRequestedEventAttributes;
  if (cancelRequested) {
    const a = ms.activities[String(toNumber(cancelRequested.scheduledEventId))];
    if (a) {
      a.cancelRequested = true;
      a.cancelRequestedEventId = eventId;
    }
    return true;
  }
  const closed =
    event.activityTaskCompletedEventAttributes ??
    event.activityTaskFailedEventAttributes ??
    event.activityTaskTimedOutEventAttributes ??
    event.activityTaskCanceledEventAttributes;
  if (!closed) return false;
  delete ms.activities[String(toNumber(closed.scheduledEventId))];
  return true;
}

function applyTimerEvent(ms: MutableState, event: history.IHistoryEvent, eventId: number, eventTime: number): boolean {
  const started = event.timerStartedEventAttributes;
  if (started) {
    const timerId = started.timerId ?? '';
    ms.timers[timerId] = { timerId, startedEventId: eventId, expiryTime: eventTime + durationToMs(started.startToFireTimeout) };
    return true;
  }
  const ended = event.timerFiredEventAttributes ?? event.timerCanceledEventAttributes;
  if (!ended) return false;
  delete ms.timers[ended.timerId ?? ''];
  return true;
}

function applyChildEvent(ms: MutableState, event: history.IHistoryEvent, eventId: number): boolean {
  const initiated = event.startChildWorkflowExecutionInitiatedEventAttributes;
  if (initiated) {
    ms.children[String(eventId)] = {
      initiatedEventId: eventId,
      namespace: initiated.namespace ?? '',
      workflowId: initiated.workflowId ?? '',
      workflowType: initiated.workflowType?.name ?? '',
      parentClosePolicy: initiated.parentClosePolicy || enums.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE,
    };
    return true;
  }
  const started = event.childWorkflowExecutionStartedEventAttributes;
  if (started) {
    const child = ms.children[String(toNumber(started.initiatedEventId))];
    if (child) {
      child.startedEventId = eventId;
      child.runId = started.workflowExecution?.runId ?? '';
    }
    return true;
  }
  const closed =
    event.childWorkflowExecutionCompletedEventAttributes ??
    event.childWorkflowExecutionFailedEventAttributes ??
    event.childWorkflowExecutionCanceledEventAttributes ??
    event.childWorkflowExecutionTimedOutEventAttributes ??
    event.childWorkflowExecutionTerminatedEventAttributes ??
    event.startChildWorkflowExecutionFailedEventAttributes;
  if (!closed) return false;
  delete ms.children[String(toNumber(closed.initiatedEventId))];
  return true;
}

function applyExternalRequestEvent(ms: MutableState, event: history.IHistoryEvent, eventId: number): boolean {
  const signal = event.signalExternalWorkflowExecutionInitiatedEventAttributes;
  const cancel = event.requestCancelExternalWorkflowExecutionInitiatedEventAttributes;
  const initiated = signal ?? cancel;
  if (initiated) {
    ms.externalRequests[String(eventId)] = {
      kind: signal ? 'signal' : 'cancel',
      initiatedEventId: eventId,
      namespace: initiated.namespace ?? '',
      workflowId: initiated.workflowExecution?.workflowId ?? '',
      runId: initiated.workflowExecution?.runId ?? '',
      childWorkflowOnly: initiated.childWorkflowOnly ?? false,
    };
    return true;
  }
  const ended =
    event.externalWorkflowExecutionSignaledEventAttributes ??
    event.signalExternalWorkflowExecutionFailedEventAttributes ??
    event.externalWorkflowExecutionCancelRequestedEventAttributes ??
    event.requestCancelExternalWorkflowExecutionFailedEventAttributes;
  if (!ended) return false;
  delete ms.externalRequests[String(toNumber(ended.initiatedEventId))];
  return true;
}

function applyUpdateEvent(ms: MutableState, event: history.IHistoryEvent, eventId: number): boolean {
  const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
  if (accepted) {
    ms.updates[accepted.protocolInstanceId ?? ''] = { acceptedEventId: eventId };
    return true;
  }
  const completed = event.workflowExecutionUpdateCompletedEventAttributes;
  if (!completed) return false;
  const update = ms.updates[completed.meta?.updateId ?? ''];
  if (update) update.completedEventId = eventId;
  return true;
}
