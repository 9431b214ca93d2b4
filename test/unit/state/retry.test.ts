/**
 * Retry policies, as Temporal applies them to activities and workflows: exponential backoff capped
 * at the maximum interval, the attempt limit, non-retryable failures, the deadline, and the delay an
 * ApplicationFailure may ask for.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceError } from '../../../src/common/errors';
import { enums, msToDuration, toNumber, type IFailure } from '../../../src/common/proto';
import { decideActivityRetry, failActivityAttempt } from '../../../src/engine/state/activity-state';
import { decideRetry, nextRetryDelay, normalizeRetryPolicy, timeoutTypeName } from '../../../src/engine/state/retry';
import type { MutableState, RetryPolicyRecord } from '../../../src/store/records';
import { MINUTE, SECOND, T0, activityStarted, applicationFailure, change, commit, eventOf, runWithActivity, typesOf } from '../fixtures';

const R = enums.RetryState;
const E = enums.EventType;
const NOW = T0;

function policy(overrides: Partial<RetryPolicyRecord> = {}): RetryPolicyRecord {
  return { initialIntervalMs: SECOND, backoffCoefficient: 2, maximumIntervalMs: 100 * SECOND, maximumAttempts: 0, nonRetryableErrorTypes: [], ...overrides };
}

function retryStateName(decision: ReturnType<typeof decideRetry>): string {
  return decision.retry ? `retry after ${decision.delayMs}ms` : (R[decision.retryState] ?? String(decision.retryState));
}

function timeoutFailure(type: enums.TimeoutType): IFailure {
  return { message: 'activity timeout', timeoutFailureInfo: { timeoutType: type } };
}

describe('backoff', () => {
  test('the delay before the next attempt is initial interval × coefficient^(attempt − 1)', () => {
    const p = policy({ initialIntervalMs: SECOND, backoffCoefficient: 2 });
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((attempt) => nextRetryDelay(p, attempt)),
      [SECOND, 2 * SECOND, 4 * SECOND, 8 * SECOND, 16 * SECOND],
    );
  });

  test('a fractional coefficient grows the delay geometrically (whole milliseconds)', () => {
    const p = policy({ initialIntervalMs: 100, backoffCoefficient: 1.5 });
    assert.deepEqual(
      [1, 2, 3, 4].map((attempt) => nextRetryDelay(p, attempt)),
      [100, 150, 225, 337],
    );
  });

  test('a coefficient of 1 retries at a constant interval', () => {
    const p = policy({ initialIntervalMs: 5 * SECOND, backoffCoefficient: 1 });
    assert.deepEqual(
      [1, 10, 100].map((attempt) => nextRetryDelay(p, attempt)),
      [5 * SECOND, 5 * SECOND, 5 * SECOND],
    );
  });

  test('the delay is capped at the maximum interval, however many attempts were made', () => {
    const p = policy({ initialIntervalMs: SECOND, backoffCoefficient: 2, maximumIntervalMs: 10 * SECOND });
    assert.deepEqual(
      [4, 5, 6, 64, 2000].map((attempt) => nextRetryDelay(p, attempt)),
      [8 * SECOND, 10 * SECOND, 10 * SECOND, 10 * SECOND, 10 * SECOND],
    );
  });

  test("decideRetry retries with the policy's backoff while attempts remain", () => {
    assert.deepEqual(decideRetry(policy(), 3, applicationFailure(), NOW, 0), { retry: true, delayMs: 4 * SECOND });
  });
});

describe('the delay an ApplicationFailure asks for', () => {
  test("an ApplicationFailure's nextRetryDelay replaces the computed backoff", () => {
    assert.equal(nextRetryDelay(policy(), 1, applicationFailure('Error', { nextRetryDelayMs: 7 * SECOND })), 7 * SECOND);
    assert.deepEqual(decideRetry(policy(), 3, applicationFailure('Error', { nextRetryDelayMs: 250 }), NOW, 0), { retry: true, delayMs: 250 });
  });

  test('for an activity, nextRetryDelay overrides the maximum interval too (RetryActivity passes it as the maximum)', () => {
    const p = policy({ maximumIntervalMs: 10 * SECOND });
    assert.equal(nextRetryDelay(p, 1, applicationFailure('Error', { nextRetryDelayMs: MINUTE })), MINUTE);
    assert.deepEqual(decideRetry(p, 1, applicationFailure('Error', { nextRetryDelayMs: MINUTE }), NOW, 0, 'activity'), { retry: true, delayMs: MINUTE });
  });

  test('for a workflow, nextRetryDelay is capped at the maximum interval (getBackoffInterval)', () => {
    const p = policy({ maximumIntervalMs: 10 * SECOND });
    assert.equal(nextRetryDelay(p, 1, applicationFailure('Error', { nextRetryDelayMs: MINUTE }), 'workflow'), 10 * SECOND);
    assert.deepEqual(decideRetry(p, 1, applicationFailure('Error', { nextRetryDelayMs: MINUTE }), NOW, 0, 'workflow'), { retry: true, delayMs: 10 * SECOND });
  });

  test('nextRetryDelay does not lift the attempt limit', () => {
    const decision = decideRetry(policy({ maximumAttempts: 2 }), 2, applicationFailure('Error', { nextRetryDelayMs: SECOND }), NOW, 0);
    assert.equal(retryStateName(decision), 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED');
  });

  test('nextRetryDelay does not lift the deadline', () => {
    const decision = decideRetry(policy(), 1, applicationFailure('Error', { nextRetryDelayMs: MINUTE }), NOW, NOW + 30 * SECOND);
    assert.equal(retryStateName(decision), 'RETRY_STATE_TIMEOUT');
  });
});

describe('maximum attempts', () => {
  test('the attempt that reaches maximumAttempts is not retried: MAXIMUM_ATTEMPTS_REACHED', () => {
    const p = policy({ maximumAttempts: 3 });
    assert.equal(retryStateName(decideRetry(p, 2, applicationFailure(), NOW, 0)), `retry after ${2 * SECOND}ms`);
    assert.equal(retryStateName(decideRetry(p, 3, applicationFailure(), NOW, 0)), 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED');
  });

  test('maximumAttempts 0 means unlimited attempts', () => {
    assert.equal(decideRetry(policy({ maximumAttempts: 0 }), 10_000, applicationFailure(), NOW, 0).retry, true);
  });

  test('maximumAttempts 1: the first failure is final, with MAXIMUM_ATTEMPTS_REACHED (nextBackoffInterval has no special case)', () => {
    assert.equal(retryStateName(decideRetry(policy({ maximumAttempts: 1 }), 1, applicationFailure(), NOW, 0)), 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED');
    assert.equal(
      retryStateName(decideRetry(policy({ maximumAttempts: 1 }), 1, applicationFailure(), NOW, 0, 'workflow')),
      'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED',
    );
  });

  test('maximumAttempts 1 with a non-retryable failure: NON_RETRYABLE_FAILURE (checked before the attempt limit)', () => {
    const p = policy({ maximumAttempts: 1, nonRetryableErrorTypes: ['Fatal'] });
    assert.equal(retryStateName(decideRetry(p, 1, applicationFailure('Fatal'), NOW, 0)), 'RETRY_STATE_NON_RETRYABLE_FAILURE');
    assert.equal(retryStateName(decideRetry(p, 1, applicationFailure('Error', { nonRetryable: true }), NOW, 0)), 'RETRY_STATE_NON_RETRYABLE_FAILURE');
  });
});

describe('non-retryable failures', () => {
  test('a failure whose type is in nonRetryableErrorTypes is not retried: NON_RETRYABLE_FAILURE', () => {
    const p = policy({ nonRetryableErrorTypes: ['InvalidInput', 'Fatal'] });
    assert.equal(retryStateName(decideRetry(p, 1, applicationFailure('Fatal'), NOW, 0)), 'RETRY_STATE_NON_RETRYABLE_FAILURE');
    assert.equal(decideRetry(p, 1, applicationFailure('Transient'), NOW, 0).retry, true);
  });

  test('an ApplicationFailure marked non-retryable is not retried, whatever the policy', () => {
    assert.equal(retryStateName(decideRetry(policy(), 1, applicationFailure('Error', { nonRetryable: true }), NOW, 0)), 'RETRY_STATE_NON_RETRYABLE_FAILURE');
  });

  test('a non-retryable failure is reported as such even on the last allowed attempt', () => {
    const p = policy({ maximumAttempts: 2, nonRetryableErrorTypes: ['Fatal'] });
    assert.equal(retryStateName(decideRetry(p, 2, applicationFailure('Fatal'), NOW, 0)), 'RETRY_STATE_NON_RETRYABLE_FAILURE');
  });

  test('canceled and terminated failures are never retried', () => {
    assert.equal(retryStateName(decideRetry(policy(), 1, { message: 'canceled', canceledFailureInfo: {} }, NOW, 0)), 'RETRY_STATE_NON_RETRYABLE_FAILURE');
    assert.equal(retryStateName(decideRetry(policy(), 1, { message: 'terminated', terminatedFailureInfo: {} }, NOW, 0)), 'RETRY_STATE_NON_RETRYABLE_FAILURE');
  });

  test('a server failure is retried unless marked non-retryable', () => {
    assert.equal(decideRetry(policy(), 1, { message: 'oops', serverFailureInfo: { nonRetryable: false } }, NOW, 0).retry, true);
    assert.equal(
      retryStateName(decideRetry(policy(), 1, { message: 'oops', serverFailureInfo: { nonRetryable: true } }, NOW, 0)),
      'RETRY_STATE_NON_RETRYABLE_FAILURE',
    );
  });

  test('start-to-close and heartbeat timeouts are retried by default', () => {
    assert.equal(decideRetry(policy(), 1, timeoutFailure(enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE), NOW, 0).retry, true);
    assert.equal(decideRetry(policy(), 1, timeoutFailure(enums.TimeoutType.TIMEOUT_TYPE_HEARTBEAT), NOW, 0).retry, true);
  });

  test('a retry policy stops retrying start-to-close or heartbeat timeouts listed as "TemporalTimeout:StartToClose" / "TemporalTimeout:Heartbeat"', () => {
    const p = policy({ nonRetryableErrorTypes: ['TemporalTimeout:StartToClose', 'TemporalTimeout:Heartbeat'] });
    assert.equal(retryStateName(decideRetry(p, 1, timeoutFailure(enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE), NOW, 0)), 'RETRY_STATE_NON_RETRYABLE_FAILURE');
    assert.equal(retryStateName(decideRetry(p, 1, timeoutFailure(enums.TimeoutType.TIMEOUT_TYPE_HEARTBEAT), NOW, 0)), 'RETRY_STATE_NON_RETRYABLE_FAILURE');
  });

  test('each timeout name stops only its own timeout; the proto enum spelling ("TemporalTimeout:START_TO_CLOSE") matches nothing', () => {
    const startToClose = timeoutFailure(enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE);
    const heartbeat = timeoutFailure(enums.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    const onlyStartToClose = policy({ nonRetryableErrorTypes: ['TemporalTimeout:StartToClose'] });
    assert.equal(decideRetry(onlyStartToClose, 1, heartbeat, NOW, 0).retry, true);
    const screaming = policy({ nonRetryableErrorTypes: ['TemporalTimeout:START_TO_CLOSE', 'TemporalTimeout:HEARTBEAT'] });
    assert.equal(decideRetry(screaming, 1, startToClose, NOW, 0).retry, true);
    assert.equal(decideRetry(screaming, 1, heartbeat, NOW, 0).retry, true);
  });

  test("timeout type names are Temporal's Go TimeoutType.String(): StartToClose, ScheduleToStart, ScheduleToClose, Heartbeat", () => {
    const T = enums.TimeoutType;
    assert.deepEqual(
      [
        T.TIMEOUT_TYPE_START_TO_CLOSE,
        T.TIMEOUT_TYPE_SCHEDULE_TO_START,
        T.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE,
        T.TIMEOUT_TYPE_HEARTBEAT,
        T.TIMEOUT_TYPE_UNSPECIFIED,
      ].map(timeoutTypeName),
      ['StartToClose', 'ScheduleToStart', 'ScheduleToClose', 'Heartbeat', 'Unspecified'],
    );
  });

  test('schedule-to-start and schedule-to-close timeout failures are never retried (retrypolicy.IsRetryableFailure)', () => {
    assert.equal(
      retryStateName(decideRetry(policy(), 1, timeoutFailure(enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START), NOW, 0)),
      'RETRY_STATE_NON_RETRYABLE_FAILURE',
    );
    assert.equal(
      retryStateName(decideRetry(policy(), 1, timeoutFailure(enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE), NOW, 0)),
      'RETRY_STATE_NON_RETRYABLE_FAILURE',
    );
  });
});

describe('the deadline (schedule-to-close, or the workflow execution expiry)', () => {
  test('a retry that could not start before the deadline is not made: TIMEOUT', () => {
    const p = policy({ initialIntervalMs: 10 * SECOND });
    assert.equal(retryStateName(decideRetry(p, 1, applicationFailure(), NOW, NOW + 5 * SECOND)), 'RETRY_STATE_TIMEOUT');
  });

  test('a retry that starts before the deadline is made', () => {
    const p = policy({ initialIntervalMs: 10 * SECOND });
    assert.deepEqual(decideRetry(p, 1, applicationFailure(), NOW, NOW + 11 * SECOND), { retry: true, delayMs: 10 * SECOND });
  });

  test('a deadline of 0 means none', () => {
    assert.equal(decideRetry(policy({ initialIntervalMs: MINUTE }), 1, applicationFailure(), NOW, 0).retry, true);
  });
});

describe('retry policy defaults (normalizeRetryPolicy)', () => {
  test('no policy: 1s initial interval, coefficient 2, maximum interval 100s, unlimited attempts, no non-retryable types', () => {
    assert.deepEqual(normalizeRetryPolicy(undefined), policy());
    assert.deepEqual(normalizeRetryPolicy({}), policy());
  });

  test('the default maximum interval is 100 × the initial interval given', () => {
    assert.equal(normalizeRetryPolicy({ initialInterval: msToDuration(250) }).maximumIntervalMs, 25 * SECOND);
  });

  test('values given are kept', () => {
    const given = {
      initialInterval: msToDuration(2 * SECOND),
      backoffCoefficient: 1.5,
      maximumInterval: msToDuration(MINUTE),
      maximumAttempts: 4,
      nonRetryableErrorTypes: ['Fatal'],
    };
    assert.deepEqual(normalizeRetryPolicy(given), {
      initialIntervalMs: 2 * SECOND,
      backoffCoefficient: 1.5,
      maximumIntervalMs: MINUTE,
      maximumAttempts: 4,
      nonRetryableErrorTypes: ['Fatal'],
    });
  });

  test('an invalid policy is an INVALID_ARGUMENT: coefficient below 1, maximum interval below initial, negative attempts', () => {
    const invalid = [
      { backoffCoefficient: 0.9 },
      { initialInterval: msToDuration(10 * SECOND), maximumInterval: msToDuration(SECOND) },
      { maximumAttempts: -1 },
    ];
    for (const p of invalid) {
      assert.throws(
        () => normalizeRetryPolicy(p),
        (err: unknown) => err instanceof ServiceError && err.code === 'INVALID_ARGUMENT',
        JSON.stringify(p),
      );
    }
  });
});

describe('activity attempts', () => {
  const failure = applicationFailure('Flaky');

  function failed(ms: MutableState, id: number, now: number): ReturnType<typeof change> {
    const m = change(ms, now);
    const a = m.activity(id);
    assert.ok(a);
    failActivityAttempt(m, a, failure, 'activity-worker');
    return m;
  }

  test('a failed attempt with retries left writes no event: the next attempt is due after the backoff', () => {
    const { ms, scheduledEventId } = runWithActivity({ retryPolicy: { initialInterval: msToDuration(2 * SECOND), maximumAttempts: 3 } });
    const m = failed(activityStarted(ms, scheduledEventId, T0 + SECOND), scheduledEventId, T0 + 2 * SECOND);
    commit(m);
    assert.deepEqual(typesOf(m.events), []);
    const a = m.ms.activities[String(scheduledEventId)];
    assert.equal(a?.attempt, 2);
    assert.equal(a?.currentAttemptScheduledTime, T0 + 4 * SECOND);
    assert.equal(a?.startedTime, undefined);
    assert.ok(a?.lastFailure);
  });

  test('the last allowed attempt fails the activity: ActivityTaskStarted (final attempt, previous failure) then ActivityTaskFailed with MAXIMUM_ATTEMPTS_REACHED', () => {
    const { ms, scheduledEventId } = runWithActivity({ retryPolicy: { initialInterval: msToDuration(SECOND), maximumAttempts: 2 } });
    const afterFirst = commit(failed(activityStarted(ms, scheduledEventId, T0 + SECOND), scheduledEventId, T0 + 2 * SECOND));
    const m = failed(activityStarted(afterFirst, scheduledEventId, T0 + 3 * SECOND), scheduledEventId, T0 + 4 * SECOND);
    commit(m);
    assert.deepEqual(typesOf(m.events), ['ACTIVITY_TASK_STARTED', 'ACTIVITY_TASK_FAILED', 'WORKFLOW_TASK_SCHEDULED']);
    const startedEvent = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_STARTED);
    assert.equal(startedEvent.activityTaskStartedEventAttributes?.attempt, 2);
    assert.equal(startedEvent.activityTaskStartedEventAttributes?.lastFailure?.message, failure.message);
    const failedAttrs = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_FAILED).activityTaskFailedEventAttributes;
    assert.equal(failedAttrs?.retryState, R.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
    assert.equal(toNumber(failedAttrs?.startedEventId), toNumber(startedEvent.eventId));
    assert.deepEqual(m.ms.activities, {});
  });

  test('maximumAttempts 1: the first failure fails the activity with MAXIMUM_ATTEMPTS_REACHED (an activity always has a retry policy)', () => {
    const { ms, scheduledEventId } = runWithActivity({ retryPolicy: { maximumAttempts: 1 } });
    const m = failed(activityStarted(ms, scheduledEventId, T0 + SECOND), scheduledEventId, T0 + 2 * SECOND);
    m.flushBuffer();
    assert.equal(eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_FAILED).activityTaskFailedEventAttributes?.retryState, R.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  });

  test('a non-retryable ApplicationFailure fails the activity at once with NON_RETRYABLE_FAILURE', () => {
    const { ms, scheduledEventId } = runWithActivity({ retryPolicy: { maximumAttempts: 5 } });
    const m = change(activityStarted(ms, scheduledEventId, T0 + SECOND), T0 + 2 * SECOND);
    const a = m.activity(scheduledEventId);
    assert.ok(a);
    failActivityAttempt(m, a, applicationFailure('Fatal', { nonRetryable: true }), 'activity-worker');
    m.flushBuffer();
    assert.equal(eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_FAILED).activityTaskFailedEventAttributes?.retryState, R.RETRY_STATE_NON_RETRYABLE_FAILURE);
  });

  test('decideActivityRetry: schedule-to-start / schedule-to-close timeouts are TIMEOUT, whatever the policy; never RETRY_POLICY_NOT_SET', () => {
    const { ms, scheduledEventId } = runWithActivity({ retryPolicy: { maximumAttempts: 1 } });
    const a = ms.activities[String(scheduledEventId)];
    assert.ok(a);
    for (const type of [enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START, enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE]) {
      assert.equal(retryStateName(decideActivityRetry(a, timeoutFailure(type), T0)), 'RETRY_STATE_TIMEOUT');
    }
    assert.equal(retryStateName(decideActivityRetry(a, applicationFailure(), T0)), 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED');
  });

  test('an attempt that fails after cancellation was requested is final: CANCEL_REQUESTED', () => {
    const { ms, scheduledEventId } = runWithActivity();
    const m0 = change(activityStarted(ms, scheduledEventId, T0 + SECOND), T0 + SECOND);
    const a0 = m0.activity(scheduledEventId);
    assert.ok(a0);
    a0.cancelRequested = true;
    const m = failed(commit(m0), scheduledEventId, T0 + 2 * SECOND);
    m.flushBuffer();
    assert.equal(eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_FAILED).activityTaskFailedEventAttributes?.retryState, R.RETRY_STATE_CANCEL_REQUESTED);
  });

  test('a retry that would start after schedule-to-close is not made: the activity fails with TIMEOUT', () => {
    const { ms, scheduledEventId } = runWithActivity({
      scheduleToCloseTimeout: msToDuration(5 * SECOND),
      retryPolicy: { initialInterval: msToDuration(10 * SECOND) },
    });
    const m = failed(activityStarted(ms, scheduledEventId, T0 + SECOND), scheduledEventId, T0 + 2 * SECOND);
    m.flushBuffer();
    assert.equal(eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_FAILED).activityTaskFailedEventAttributes?.retryState, R.RETRY_STATE_TIMEOUT);
  });
});
