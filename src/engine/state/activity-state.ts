import { invalidArgument } from '../../common/errors';
import type { command, common, failure as failureProto } from '../../common/proto';
import { decodeFailure, decodePayloads, durationToMs, encodeFailure, enums, int64, type IFailure, type IPayloads } from '../../common/proto';
import type { ActivityInfo, ActivityPriority, RetryPolicyRecord } from '../../store/records';
import type { RunMutator } from './mutator';
import { decideRetry, isRetryableFailure, timeoutTypeName, type RetryDecision } from './retry';

/**
 * Activity state in mutable state. Attempts, retries and dispatch change only mutable state;
 * ActivityTaskStarted is written once, right before the event that closes the activity, carrying
 * the final attempt and the previous attempt's failure.
 */

export interface NormalizedTimeouts {
  scheduleToCloseMs: number;
  scheduleToStartMs: number;
  startToCloseMs: number;
  heartbeatMs: number;
}

/** Fills and caps the four timeouts as Temporal's command validator does. */
export function normalizeActivityTimeouts(attrs: command.IScheduleActivityTaskCommandAttributes, runTimeoutMs: number): NormalizedTimeouts {
  let scheduleToClose = durationToMs(attrs.scheduleToCloseTimeout);
  let scheduleToStart = durationToMs(attrs.scheduleToStartTimeout);
  let startToClose = durationToMs(attrs.startToCloseTimeout);
  let heartbeat = durationToMs(attrs.heartbeatTimeout);
  if ([scheduleToClose, scheduleToStart, startToClose, heartbeat].some((v) => v < 0)) {
    throw invalidArgument('A valid timeout may not be negative.');
  }
  // Temporal's validateAndNormalizeTimeouts: deduce the unset ones, keep every timeout within the
  // run timeout, and a heartbeat timeout left unset stays unset (0).
  if (scheduleToClose > 0) {
    scheduleToStart = scheduleToStart > 0 ? Math.min(scheduleToStart, scheduleToClose) : scheduleToClose;
    startToClose = startToClose > 0 ? Math.min(startToClose, scheduleToClose) : scheduleToClose;
  } else if (startToClose > 0) {
    scheduleToClose = runTimeoutMs;
    if (scheduleToStart <= 0) scheduleToStart = runTimeoutMs;
  } else {
    throw invalidArgument('A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.');
  }
  if (runTimeoutMs > 0) {
    const within = (v: number): number => Math.min(v, runTimeoutMs);
    [scheduleToClose, scheduleToStart, startToClose, heartbeat] = [within(scheduleToClose), within(scheduleToStart), within(startToClose), within(heartbeat)];
  }
  heartbeat = Math.min(heartbeat, startToClose);
  return { scheduleToCloseMs: scheduleToClose, scheduleToStartMs: scheduleToStart, startToCloseMs: startToClose, heartbeatMs: heartbeat };
}

/** Whether the attempt has started and not yet ended. */
export function isStarted(a: ActivityInfo): boolean {
  return a.startedTime !== undefined;
}

export function startActivityAttempt(m: RunMutator, a: ActivityInfo, requestId: string, identity: string): void {
  a.startedTime = m.now;
  a.startedRequestId = requestId;
  a.startedIdentity = identity;
  a.lastWorkerIdentity = identity;
}

/** ActivityTaskStarted, written once when the activity closes; returns its event (id fixed on flush). */
function addStartedEvent(m: RunMutator, a: ActivityInfo): void {
  if (!isStarted(a)) return;
  m.add(
    {
      activityTaskStartedEventAttributes: {
        scheduledEventId: int64(a.scheduledEventId),
        identity: a.startedIdentity ?? '',
        requestId: a.startedRequestId ?? '',
        attempt: a.attempt,
        lastFailure: decodeFailure(a.lastFailure) ?? null,
      },
    },
    a.startedTime,
  );
}

function removeActivity(m: RunMutator, a: ActivityInfo): void {
  m.removeActivity(a.scheduledEventId);
}

export function completeActivity(m: RunMutator, a: ActivityInfo, result: IPayloads | null | undefined, identity: string): void {
  addStartedEvent(m, a);
  m.add({
    activityTaskCompletedEventAttributes: { scheduledEventId: int64(a.scheduledEventId), result: result ?? null, identity },
  });
  removeActivity(m, a);
}

export function cancelActivity(m: RunMutator, a: ActivityInfo, details: IPayloads | null | undefined, identity: string): void {
  addStartedEvent(m, a);
  m.add({
    activityTaskCanceledEventAttributes: {
      scheduledEventId: int64(a.scheduledEventId),
      latestCancelRequestedEventId: int64(a.cancelRequestedEventId ?? 0),
      details: details ?? null,
      identity,
    },
  });
  removeActivity(m, a);
}

/**
 * Temporal's RetryActivity (service/history/workflow/mutable_state_impl.go): an activity always has a
 * retry policy, so never RETRY_POLICY_NOT_SET. Cancellation requested: CANCEL_REQUESTED. A
 * schedule-to-start or schedule-to-close timeout is the server's deadline, not a failed attempt:
 * TIMEOUT (Temporal ≥ 1.31, temporal#9132; earlier servers said NON_RETRYABLE_FAILURE). Otherwise the
 * retry policy decides, with the schedule-to-close deadline.
 */
export function decideActivityRetry(a: ActivityInfo, failure: IFailure, now: number): RetryDecision {
  if (a.cancelRequested) return { retry: false, retryState: enums.RetryState.RETRY_STATE_CANCEL_REQUESTED };
  const timeoutType = failure.timeoutFailureInfo?.timeoutType;
  if (timeoutType === enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START || timeoutType === enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE) {
    return { retry: false, retryState: enums.RetryState.RETRY_STATE_TIMEOUT };
  }
  const deadline = a.scheduleToCloseMs > 0 ? a.scheduledTime + a.scheduleToCloseMs : 0;
  return decideRetry(a.retryPolicy, a.attempt, failure, now, deadline, 'activity');
}

/**
 * An attempt failed (by the worker, or by a start-to-close or heartbeat timeout). Either schedules
 * the next attempt after the backoff, writing nothing, or closes the activity.
 */
export function failActivityAttempt(m: RunMutator, a: ActivityInfo, failure: IFailure, identity: string, timeoutType?: enums.TimeoutType): void {
  if (a.paused && retriesWhilePaused(a, failure)) {
    // Temporal's RetryActivity on a paused activity: the attempt is counted, nothing is scheduled.
    setNextAttempt(a, a.attempt + 1, a.currentAttemptScheduledTime, encodeFailure(failure));
    a.lastAttemptCompleteTime = m.now;
    return;
  }
  const decision = decideActivityRetry(a, failure, m.now);
  if (decision.retry) {
    setNextAttempt(a, a.attempt + 1, m.now + decision.delayMs, encodeFailure(failure));
    a.lastAttemptCompleteTime = m.now;
    return;
  }
  addStartedEvent(m, a);
  if (timeoutType === undefined) {
    m.add({
      activityTaskFailedEventAttributes: {
        scheduledEventId: int64(a.scheduledEventId),
        failure,
        identity,
        retryState: decision.retryState,
      },
    });
    removeActivity(m, a);
  } else {
    addTimedOutEvent(m, a, timeoutType, decision.retryState);
  }
}

/**
 * A paused activity's failed attempt is held (not closed) unless it would not be retried anyway: cancel
 * requested, a schedule-to-start/close timeout, or a non-retryable failure. The attempt limit and the
 * deadline are not checked, as in Temporal: they are when the activity is unpaused and fails again.
 */
function retriesWhilePaused(a: ActivityInfo, failure: IFailure): boolean {
  if (a.cancelRequested) return false;
  const timeoutType = failure.timeoutFailureInfo?.timeoutType;
  if (timeoutType === enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START || timeoutType === enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE) return false;
  return isRetryableFailure(a.retryPolicy, failure);
}

/**
 * Temporal's UpdateActivityInfoForRetries: the activity waits for attempt `attempt` at `scheduledTime`.
 * A reset asked to drop heartbeat details drops them now, when the attempt that was running has ended.
 */
export function setNextAttempt(a: ActivityInfo, attempt: number, scheduledTime: number, lastFailure: string | undefined): void {
  a.attempt = attempt;
  a.currentAttemptScheduledTime = scheduledTime;
  a.lastFailure = lastFailure;
  a.startedTime = undefined;
  a.startedIdentity = undefined;
  a.startedRequestId = undefined;
  a.lastHeartbeatTime = undefined;
  if (a.resetHeartbeats) a.heartbeatDetails = undefined;
  a.activityReset = undefined;
  a.resetHeartbeats = undefined;
}

/** A timeout that is never retried (schedule-to-start, schedule-to-close). */
export function timeOutActivity(m: RunMutator, a: ActivityInfo, timeoutType: enums.TimeoutType): void {
  const decision = decideActivityRetry(a, timeoutFailure(timeoutType, a), m.now);
  addStartedEvent(m, a);
  addTimedOutEvent(m, a, timeoutType, decision.retry ? enums.RetryState.RETRY_STATE_TIMEOUT : decision.retryState);
}

/**
 * ActivityTaskTimedOut, as Temporal's timer executor writes it (processSingleActivityTimeoutTask): out of
 * time (TIMEOUT) for any timeout but schedule-to-start, the activity is reported as schedule-to-close,
 * "Not enough time to schedule next retry…"; the failure's cause is the previous attempt's failure.
 */
function addTimedOutEvent(m: RunMutator, a: ActivityInfo, timeoutType: enums.TimeoutType, retryState: enums.RetryState): void {
  const outOfTime = retryState === enums.RetryState.RETRY_STATE_TIMEOUT && timeoutType !== enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
  const failure = outOfTime
    ? timeoutFailure(enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, a, decodeFailure(a.lastFailure), RETRY_SCHEDULE_TO_CLOSE_MESSAGE)
    : timeoutFailure(timeoutType, a, decodeFailure(a.lastFailure));
  m.add({ activityTaskTimedOutEventAttributes: { scheduledEventId: int64(a.scheduledEventId), failure, retryState } });
  removeActivity(m, a);
}

/** Temporal's common.FailureReasonActivityRetryScheduleToCloseTimeout. */
export const RETRY_SCHEDULE_TO_CLOSE_MESSAGE = 'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying';

/** A timeout failure, "activity StartToClose timeout" etc. as Temporal's common.FailureReasonActivityTimeout words it. */
export function timeoutFailure(timeoutType: enums.TimeoutType, a: ActivityInfo, cause?: IFailure, message?: string): failureProto.IFailure {
  return {
    message: message ?? `activity ${timeoutTypeName(timeoutType)} timeout`,
    source: '',
    timeoutFailureInfo: { timeoutType, lastHeartbeatDetails: decodePayloads(a.heartbeatDetails) ?? null },
    cause: cause ?? null,
  };
}

export function newActivityInfo(
  scheduledEventId: number,
  attrs: command.IScheduleActivityTaskCommandAttributes,
  taskQueue: string,
  timeouts: NormalizedTimeouts,
  retryPolicy: RetryPolicyRecord,
  now: number,
): ActivityInfo {
  return {
    scheduledEventId,
    activityId: attrs.activityId ?? '',
    activityType: attrs.activityType?.name ?? '',
    taskQueue,
    scheduledTime: now,
    attempt: 1,
    currentAttemptScheduledTime: now,
    ...timeouts,
    retryPolicy,
    cancelRequested: false,
    ...(attrs.priority ? { priority: priorityRecord(attrs.priority) } : {}),
  };
}

/** A priority as stored: only the keys set. */
export function priorityRecord(p: common.IPriority | null | undefined): ActivityPriority | undefined {
  if (!p) return undefined;
  return {
    ...(p.priorityKey ? { priorityKey: p.priorityKey } : {}),
    ...(p.fairnessKey ? { fairnessKey: p.fairnessKey } : {}),
    ...(p.fairnessWeight ? { fairnessWeight: p.fairnessWeight } : {}),
  };
}
