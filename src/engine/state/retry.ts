import { invalidArgument } from '../../common/errors';
import { durationToMs, enums, msToDuration, type command, type IFailure } from '../../common/proto';
import type { RetryPolicyRecord } from '../../store/records';

/** Temporal's defaults for a retry policy left unset or partly set. */
export const DEFAULT_INITIAL_INTERVAL_MS = 1000;
export const DEFAULT_BACKOFF_COEFFICIENT = 2;
export const DEFAULT_MAXIMUM_INTERVAL_FACTOR = 100;

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; retryState: enums.RetryState };

/**
 * What is being retried. They differ in one way: an ApplicationFailure's nextRetryDelay overrides an
 * activity's maximum interval (Temporal's RetryActivity passes it as the maximum), while a workflow's
 * retry caps it at the maximum interval (getBackoffInterval).
 */
export type RetrySubject = 'activity' | 'workflow';

const R = enums.RetryState;
const T = enums.TimeoutType;

/**
 * Whether attempt `attempt` (1-based, the one that just failed) is retried, and after what delay.
 * Pure: callers pass `now` and the deadline (schedule-to-close or execution expiry; 0 = none).
 * Temporal's getBackoffInterval / nextBackoffInterval (service/history/workflow/retry.go): a
 * non-retryable failure first, then the attempt limit (no special case for maximumAttempts 1: its
 * first failure is MAXIMUM_ATTEMPTS_REACHED), then the deadline.
 */
export function decideRetry(
  policy: RetryPolicyRecord,
  attempt: number,
  failure: IFailure | undefined,
  now: number,
  deadline: number,
  subject: RetrySubject = 'activity',
): RetryDecision {
  if (failure && !isRetryableFailure(policy, failure)) return { retry: false, retryState: R.RETRY_STATE_NON_RETRYABLE_FAILURE };
  if (policy.maximumAttempts > 0 && attempt >= policy.maximumAttempts) {
    return { retry: false, retryState: R.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
  }
  const delayMs = nextRetryDelay(policy, attempt, failure, subject);
  if (deadline > 0 && now + delayMs >= deadline) return { retry: false, retryState: R.RETRY_STATE_TIMEOUT };
  return { retry: true, delayMs };
}

/**
 * The delay before the attempt after `attempt`: the policy's exponential backoff capped at the maximum
 * interval, or the delay an ApplicationFailure asks for (uncapped for an activity, capped for a workflow).
 */
export function nextRetryDelay(policy: RetryPolicyRecord, attempt: number, failure?: IFailure, subject: RetrySubject = 'activity'): number {
  const override = failure?.applicationFailureInfo?.nextRetryDelay;
  if (override) {
    const ms = Number(override.seconds ?? 0) * 1000 + Math.floor((override.nanos ?? 0) / 1e6);
    if (ms > 0) return subject === 'workflow' && policy.maximumIntervalMs > 0 ? Math.min(ms, policy.maximumIntervalMs) : ms;
  }
  const raw = policy.initialIntervalMs * Math.pow(policy.backoffCoefficient, attempt - 1);
  const capped = policy.maximumIntervalMs > 0 ? Math.min(raw, policy.maximumIntervalMs) : raw;
  return Math.max(0, Math.floor(capped));
}

/**
 * Temporal's retrypolicy.IsRetryableFailure: canceled and terminated failures never are; a timeout is
 * only if it is a start-to-close or heartbeat one not listed as "TemporalTimeout:StartToClose" /
 * "TemporalTimeout:Heartbeat"; a server failure unless marked non-retryable; an ApplicationFailure
 * unless marked non-retryable or its type is listed; anything else is.
 */
export function isRetryableFailure(policy: RetryPolicyRecord, failure: IFailure): boolean {
  if (failure.canceledFailureInfo || failure.terminatedFailureInfo) return false;
  if (failure.timeoutFailureInfo) {
    const type = failure.timeoutFailureInfo.timeoutType ?? T.TIMEOUT_TYPE_UNSPECIFIED;
    if (type !== T.TIMEOUT_TYPE_START_TO_CLOSE && type !== T.TIMEOUT_TYPE_HEARTBEAT) return false;
    return !policy.nonRetryableErrorTypes.includes(TIMEOUT_FAILURE_TYPE_PREFIX + timeoutTypeName(type));
  }
  if (failure.serverFailureInfo) return !failure.serverFailureInfo.nonRetryable;
  if (failure.applicationFailureInfo) {
    if (failure.applicationFailureInfo.nonRetryable) return false;
    return !policy.nonRetryableErrorTypes.includes(failure.applicationFailureInfo.type ?? '');
  }
  return true;
}

/** The prefix of a timeout's name in `nonRetryableErrorTypes` (Temporal's retrypolicy.TimeoutFailureTypePrefix). */
export const TIMEOUT_FAILURE_TYPE_PREFIX = 'TemporalTimeout:';

/**
 * A timeout type as Temporal's Go TimeoutType.String() spells it (go.temporal.io/api enums:
 * "StartToClose", "ScheduleToStart", "ScheduleToClose", "Heartbeat"): the name non-retryable error
 * types and the server's timeout messages use.
 */
export function timeoutTypeName(type: enums.TimeoutType): string {
  const name = enums.TimeoutType[type];
  if (name === undefined) return String(type);
  return name
    .replace('TIMEOUT_TYPE_', '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m: string, _sep: string, c: string) => c.toUpperCase());
}

/**
 * A retry policy as commands and start requests carry it, validated and with Temporal's defaults filled
 * in. As retrypolicy.Validate: maximumAttempts 1 turns retries off, so the other fields are not checked.
 */
export function normalizeRetryPolicy(p: command.IScheduleActivityTaskCommandAttributes['retryPolicy']): RetryPolicyRecord {
  const initial = durationToMs(p?.initialInterval) || DEFAULT_INITIAL_INTERVAL_MS;
  const coefficient = p?.backoffCoefficient || DEFAULT_BACKOFF_COEFFICIENT;
  const maximum = durationToMs(p?.maximumInterval) || initial * DEFAULT_MAXIMUM_INTERVAL_FACTOR;
  const attempts = p?.maximumAttempts ?? 0;
  if (attempts !== 1) {
    if (coefficient < 1) throw invalidArgument('BackoffCoefficient cannot be less than 1.');
    if (maximum < initial) throw invalidArgument('MaximumInterval cannot be less than InitialInterval on retry policy.');
    if (attempts < 0) throw invalidArgument('MaximumAttempts cannot be negative on retry policy.');
    if (initial < 0) throw invalidArgument('InitialInterval cannot be negative on retry policy.');
  }
  return {
    initialIntervalMs: initial,
    backoffCoefficient: coefficient,
    maximumIntervalMs: maximum,
    maximumAttempts: attempts,
    nonRetryableErrorTypes: [...(p?.nonRetryableErrorTypes ?? [])],
  };
}

/** The stored policy in the form Temporal's responses and events carry. */
export function retryPolicyToProto(p: RetryPolicyRecord): NonNullable<command.IScheduleActivityTaskCommandAttributes['retryPolicy']> {
  return {
    initialInterval: msToDuration(p.initialIntervalMs),
    backoffCoefficient: p.backoffCoefficient,
    maximumInterval: msToDuration(p.maximumIntervalMs),
    maximumAttempts: p.maximumAttempts,
    nonRetryableErrorTypes: p.nonRetryableErrorTypes,
  };
}
