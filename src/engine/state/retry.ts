import { invalidArgument } from '../../common/errors';
import { durationToMs, enums, msToDuration, type command, type IFailure } from '../../common/proto';
import type { RetryPolicyRecord } from '../../store/records';

/** Temporal's defaults for a retry policy left unset or partly set. */
export const DEFAULT_INITIAL_INTERVAL_MS = 1000;
export const DEFAULT_BACKOFF_COEFFICIENT = 2;
export const DEFAULT_MAXIMUM_INTERVAL_FACTOR = 100;

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; retryState: enums.RetryState };

const R = enums.RetryState;

/**
 * Whether attempt `attempt` (1-based, the one that just failed) is retried, and after what delay.
 * Pure: callers pass `now` and the deadline (schedule-to-close or execution expiry; 0 = none).
 */
export function decideRetry(policy: RetryPolicyRecord, attempt: number, failure: IFailure | undefined, now: number, deadline: number): RetryDecision {
  if (policy.maximumAttempts === 1) return { retry: false, retryState: R.RETRY_STATE_RETRY_POLICY_NOT_SET };
  if (failure && isNonRetryable(policy, failure)) return { retry: false, retryState: R.RETRY_STATE_NON_RETRYABLE_FAILURE };
  if (policy.maximumAttempts > 0 && attempt >= policy.maximumAttempts) {
    return { retry: false, retryState: R.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
  }
  const delayMs = nextRetryDelay(policy, attempt, failure);
  if (deadline > 0 && now + delayMs >= deadline) return { retry: false, retryState: R.RETRY_STATE_TIMEOUT };
  return { retry: true, delayMs };
}

export function nextRetryDelay(policy: RetryPolicyRecord, attempt: number, failure?: IFailure): number {
  const override = failure?.applicationFailureInfo?.nextRetryDelay;
  if (override) {
    const ms = Number(override.seconds ?? 0) * 1000 + Math.floor((override.nanos ?? 0) / 1e6);
    if (ms > 0) return ms;
  }
  const raw = policy.initialIntervalMs * Math.pow(policy.backoffCoefficient, attempt - 1);
  const capped = policy.maximumIntervalMs > 0 ? Math.min(raw, policy.maximumIntervalMs) : raw;
  return Math.max(0, Math.floor(capped));
}

function isNonRetryable(policy: RetryPolicyRecord, failure: IFailure): boolean {
  if (failure.applicationFailureInfo?.nonRetryable) return true;
  if (failure.canceledFailureInfo || failure.terminatedFailureInfo) return true;
  if (failure.serverFailureInfo?.nonRetryable) return true;
  const type = failureType(failure);
  return type !== undefined && policy.nonRetryableErrorTypes.includes(type);
}

/** The name a retry policy's `nonRetryableErrorTypes` matches against. */
function failureType(failure: IFailure): string | undefined {
  if (failure.applicationFailureInfo) return failure.applicationFailureInfo.type ?? undefined;
  const timeoutType = failure.timeoutFailureInfo?.timeoutType;
  if (timeoutType === enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE) return 'TemporalTimeout:START_TO_CLOSE';
  if (timeoutType === enums.TimeoutType.TIMEOUT_TYPE_HEARTBEAT) return 'TemporalTimeout:HEARTBEAT';
  return undefined;
}

/** A retry policy as commands and start requests carry it, validated and with Temporal's defaults filled in. */
export function normalizeRetryPolicy(p: command.IScheduleActivityTaskCommandAttributes['retryPolicy']): RetryPolicyRecord {
  const initial = durationToMs(p?.initialInterval) || DEFAULT_INITIAL_INTERVAL_MS;
  const coefficient = p?.backoffCoefficient || DEFAULT_BACKOFF_COEFFICIENT;
  const maximum = durationToMs(p?.maximumInterval) || initial * DEFAULT_MAXIMUM_INTERVAL_FACTOR;
  const attempts = p?.maximumAttempts ?? 0;
  if (coefficient < 1) throw invalidArgument('BackoffCoefficient cannot be less than 1.');
  if (maximum < initial) throw invalidArgument('MaximumInterval cannot be less than InitialInterval on retry policy.');
  if (attempts < 0) throw invalidArgument('MaximumAttempts cannot be negative on retry policy.');
  if (initial < 0) throw invalidArgument('InitialInterval cannot be negative on retry policy.');
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
