/**
 * The retry state an activity or child workflow ends with, as the workflow sees it (ActivityFailure.retryState,
 * ChildWorkflowFailure.retryState) and as the parent's history records it. Temporal's rules: RetryActivity and
 * getBackoffInterval (service/history/workflow), the timer executor's processSingleActivityTimeoutTask, and
 * retrypolicy.IsRetryableFailure. Schedule-to-start / schedule-to-close state TIMEOUT as Temporal ≥ 1.31 does
 * (temporal#9132; older servers said NON_RETRYABLE_FAILURE).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryState, TimeoutType } from '@temporalio/common';
import { EventType, uniqueName, useHourglassServer, withWorker, type HistoryEvent } from './helpers';
import { activityRetryState, childRetryState, type ActivityRetryCase, type ChildRetryCase, type RetryOutcome } from './workflows';

const env = useHourglassServer();
const R = RetryState;

const NOT_ENOUGH_TIME = 'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying';

/** Runs `activityRetryState(which)`; returns what the workflow caught and the event that closed the activity. */
async function activityOutcome(name: string, which: ActivityRetryCase): Promise<{ outcome: RetryOutcome; closed: HistoryEvent }> {
  const taskQueue = uniqueName(name);
  const outcome = await withWorker(env, { taskQueue }, () =>
    env.client.workflow.execute(activityRetryState, { taskQueue, workflowId: taskQueue, args: [which] }),
  );
  const { events } = await env.client.workflow.getHandle(taskQueue).fetchHistory();
  const closed = (events ?? []).find(
    (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED || e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  );
  assert.ok(closed, 'the activity is closed by ActivityTaskFailed or ActivityTaskTimedOut');
  return { outcome, closed };
}

/** The retry state on an ActivityTaskFailed / ActivityTaskTimedOut / ChildWorkflowExecutionFailed / TimedOut event, by name. */
function eventRetryState(e: HistoryEvent): string | undefined {
  const state =
    e.activityTaskFailedEventAttributes?.retryState ??
    e.activityTaskTimedOutEventAttributes?.retryState ??
    e.childWorkflowExecutionFailedEventAttributes?.retryState ??
    e.childWorkflowExecutionTimedOutEventAttributes?.retryState;
  if (state === undefined || state === null) return undefined;
  // RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED → MAXIMUM_ATTEMPTS_REACHED, as the SDK names it.
  const names: Record<number, string> = {
    1: R.IN_PROGRESS,
    2: R.NON_RETRYABLE_FAILURE,
    3: R.TIMEOUT,
    4: R.MAXIMUM_ATTEMPTS_REACHED,
    5: R.RETRY_POLICY_NOT_SET,
    6: R.INTERNAL_SERVER_ERROR,
    7: R.CANCEL_REQUESTED,
  };
  return names[state];
}

describe('activity retry state', () => {
  test('maximumAttempts 1: the first failure is final, MAXIMUM_ATTEMPTS_REACHED (an activity always has a retry policy)', async (t) => {
    const { outcome, closed } = await activityOutcome(t.name, 'maximumAttempts1');
    assert.equal(outcome.retryState, R.MAXIMUM_ATTEMPTS_REACHED);
    assert.equal(outcome.cause, 'ApplicationFailure');
    assert.equal(closed.eventType, EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED);
    assert.equal(eventRetryState(closed), R.MAXIMUM_ATTEMPTS_REACHED);
  });

  test('attempts exhausted: MAXIMUM_ATTEMPTS_REACHED', async (t) => {
    const { outcome, closed } = await activityOutcome(t.name, 'attemptsExhausted');
    assert.equal(outcome.retryState, R.MAXIMUM_ATTEMPTS_REACHED);
    assert.equal(eventRetryState(closed), R.MAXIMUM_ATTEMPTS_REACHED);
  });

  test('a non-retryable ApplicationFailure: NON_RETRYABLE_FAILURE', async (t) => {
    const { outcome, closed } = await activityOutcome(t.name, 'nonRetryable');
    assert.equal(outcome.retryState, R.NON_RETRYABLE_FAILURE);
    assert.equal(eventRetryState(closed), R.NON_RETRYABLE_FAILURE);
  });

  test('a failure whose type is in nonRetryableErrorTypes: NON_RETRYABLE_FAILURE', async (t) => {
    const { outcome, closed } = await activityOutcome(t.name, 'typeListed');
    assert.equal(outcome.retryState, R.NON_RETRYABLE_FAILURE);
    assert.equal(eventRetryState(closed), R.NON_RETRYABLE_FAILURE);
  });

  test('a start-to-close timeout listed as "TemporalTimeout:StartToClose": NON_RETRYABLE_FAILURE after one attempt', async (t) => {
    const { outcome, closed } = await activityOutcome(t.name, 'startToCloseListed');
    assert.deepEqual(outcome, {
      retryState: R.NON_RETRYABLE_FAILURE,
      cause: 'TimeoutFailure',
      message: 'activity StartToClose timeout',
      timeoutType: TimeoutType.START_TO_CLOSE,
    });
    assert.equal(closed.eventType, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
    assert.equal(eventRetryState(closed), R.NON_RETRYABLE_FAILURE);
  });

  test('a start-to-close timeout with no time left for another attempt before schedule-to-close: TIMEOUT, reported as SCHEDULE_TO_CLOSE', async (t) => {
    const { outcome, closed } = await activityOutcome(t.name, 'startToCloseOutOfTime');
    assert.deepEqual(outcome, { retryState: R.TIMEOUT, cause: 'TimeoutFailure', message: NOT_ENOUGH_TIME, timeoutType: TimeoutType.SCHEDULE_TO_CLOSE });
    assert.equal(eventRetryState(closed), R.TIMEOUT);
  });

  test('schedule-to-close: TIMEOUT (Temporal ≥ 1.31)', async (t) => {
    const { outcome, closed } = await activityOutcome(t.name, 'scheduleToClose');
    assert.equal(outcome.retryState, R.TIMEOUT);
    assert.equal(outcome.cause, 'TimeoutFailure');
    assert.equal(outcome.timeoutType, TimeoutType.SCHEDULE_TO_CLOSE);
    assert.equal(closed.eventType, EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT);
    assert.equal(eventRetryState(closed), R.TIMEOUT);
  });

  test('schedule-to-start: TIMEOUT (Temporal ≥ 1.31), the failure stays SCHEDULE_TO_START', async (t) => {
    const { outcome, closed } = await activityOutcome(t.name, 'scheduleToStart');
    assert.deepEqual(outcome, {
      retryState: R.TIMEOUT,
      cause: 'TimeoutFailure',
      message: 'activity ScheduleToStart timeout',
      timeoutType: TimeoutType.SCHEDULE_TO_START,
    });
    assert.equal(eventRetryState(closed), R.TIMEOUT);
  });
});

describe('child workflow retry state (the child run that closed the chain)', () => {
  async function childOutcome(name: string, which: ChildRetryCase): Promise<{ outcome: RetryOutcome; closed: HistoryEvent }> {
    const taskQueue = uniqueName(name);
    const outcome = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(childRetryState, { taskQueue, workflowId: taskQueue, args: [which] }),
    );
    const { events } = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    const closed = (events ?? []).find(
      (e) => e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED || e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
    );
    assert.ok(closed, 'the parent records ChildWorkflowExecutionFailed or ChildWorkflowExecutionTimedOut');
    return { outcome, closed };
  }

  test('a child started without a retry policy: RETRY_POLICY_NOT_SET', async (t) => {
    const { outcome, closed } = await childOutcome(t.name, 'noPolicy');
    assert.equal(outcome.retryState, R.RETRY_POLICY_NOT_SET);
    assert.equal(outcome.cause, 'ApplicationFailure');
    assert.equal(eventRetryState(closed), R.RETRY_POLICY_NOT_SET);
  });

  test('a child with maximumAttempts 1: MAXIMUM_ATTEMPTS_REACHED', async (t) => {
    const { outcome, closed } = await childOutcome(t.name, 'maximumAttempts1');
    assert.equal(outcome.retryState, R.MAXIMUM_ATTEMPTS_REACHED);
    assert.equal(eventRetryState(closed), R.MAXIMUM_ATTEMPTS_REACHED);
  });

  test('a child whose attempts ran out: MAXIMUM_ATTEMPTS_REACHED', async (t) => {
    const { outcome, closed } = await childOutcome(t.name, 'attemptsExhausted');
    assert.equal(outcome.retryState, R.MAXIMUM_ATTEMPTS_REACHED);
    assert.equal(eventRetryState(closed), R.MAXIMUM_ATTEMPTS_REACHED);
  });

  test('a child failing with a non-retryable ApplicationFailure: NON_RETRYABLE_FAILURE', async (t) => {
    const { outcome, closed } = await childOutcome(t.name, 'nonRetryable');
    assert.equal(outcome.retryState, R.NON_RETRYABLE_FAILURE);
    assert.equal(outcome.message, 'the child gave up');
    assert.equal(eventRetryState(closed), R.NON_RETRYABLE_FAILURE);
  });

  test('a child past its execution timeout: TIMEOUT, ChildWorkflowExecutionTimedOut', async (t) => {
    const { outcome, closed } = await childOutcome(t.name, 'executionTimeout');
    assert.equal(outcome.retryState, R.TIMEOUT);
    assert.equal(outcome.cause, 'TimeoutFailure');
    assert.equal(closed.eventType, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT);
    assert.equal(eventRetryState(closed), R.TIMEOUT);
  });
});
