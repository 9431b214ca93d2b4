/**
 * fireDueTimeouts (engine/state/timeouts.ts): what happens when an instant the task generator
 * derived comes — the run times out or starts after its backoff, workflow tasks time out, user
 * timers fire, activities time out or are retried.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodePayloads, enums, msToDuration, toNumber } from '../../../src/common/proto';
import { timeoutFailure } from '../../../src/engine/state/activity-state';
import type { RunMutator } from '../../../src/engine/state/mutator';
import { fireDueTimeouts } from '../../../src/engine/state/timeouts';
import type { MutableState } from '../../../src/store/records';
import {
  MINUTE,
  SECOND,
  T0,
  TASK_QUEUE,
  activityStarted,
  change,
  commit,
  completedSticky,
  eventOf,
  jsonPayload,
  newRun,
  respondAndCommit,
  runWithActivity,
  runWithStartedTask,
  seconds,
  signalled,
  startTask,
  startTimer,
  typesOf,
} from '../fixtures';

const E = enums.EventType;
const T = enums.TimeoutType;
const R = enums.RetryState;
const S = enums.WorkflowExecutionStatus;

/** Timeouts fire at `now` (the sticky queue is live unless told otherwise); the transaction is ended as the engine ends it. */
function fire(ms: MutableState, now: number, stickyLive = true): RunMutator {
  const m = change(ms, now);
  fireDueTimeouts(m, () => stickyLive);
  commit(m);
  return m;
}

describe('fireDueTimeouts: the run', () => {
  test('before anything is due nothing happens', () => {
    const ms = respondAndCommit(runWithStartedTask({ workflowRunTimeout: msToDuration(MINUTE) }), [startTimer('t1', 30 * SECOND)], T0);
    const m = fire(ms, T0 + 29 * SECOND);
    assert.deepEqual(typesOf(m.events), []);
  });

  test('at the run timeout: WorkflowExecutionTimedOut, the run TIMED_OUT with nothing pending (RETRY_POLICY_NOT_SET)', () => {
    const ms = respondAndCommit(runWithStartedTask({ workflowRunTimeout: msToDuration(MINUTE) }), [startTimer('t1', 2 * MINUTE)], T0);
    const m = fire(ms, T0 + MINUTE);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_EXECUTION_TIMED_OUT']);
    assert.equal(
      eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT).workflowExecutionTimedOutEventAttributes?.retryState,
      R.RETRY_STATE_RETRY_POLICY_NOT_SET,
    );
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_TIMED_OUT);
    assert.deepEqual(m.ms.timers, {});
    assert.equal(m.successor, undefined);
  });

  test('a run timeout while a workflow task is started fails the task (FORCE_CLOSE_COMMAND) before timing out the run', () => {
    const ms = startTask(commit(newRun({ workflowRunTimeout: msToDuration(MINUTE) })), T0 + 55 * SECOND);
    const m = fire(ms, T0 + MINUTE);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_FAILED', 'WORKFLOW_EXECUTION_TIMED_OUT']);
    assert.equal(m.events[0]?.workflowTaskFailedEventAttributes?.cause, enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND);
  });

  test('a run timeout is retried like a failure when the retry policy allows: the TimedOut event names the next run (IN_PROGRESS)', () => {
    const ms = commit(newRun({ workflowRunTimeout: msToDuration(MINUTE), retryPolicy: { initialInterval: seconds(5) } }));
    const m = fire(ms, T0 + MINUTE);
    const timedOut = eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT).workflowExecutionTimedOutEventAttributes;
    assert.equal(timedOut?.retryState, R.RETRY_STATE_IN_PROGRESS);
    assert.ok(m.successor);
    assert.equal(timedOut?.newExecutionRunId, m.successor.runId);
    assert.equal(m.successor.initiator, enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY);
    assert.equal(m.successor.continuedFailure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_START_TO_CLOSE);
  });

  test('the workflow execution timeout ends the chain: TIMEOUT and no next run, even with a retry policy', () => {
    const ms = commit(newRun({ workflowExecutionTimeout: msToDuration(MINUTE), retryPolicy: { initialInterval: seconds(5) } }));
    const m = fire(ms, T0 + MINUTE);
    assert.equal(eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT).workflowExecutionTimedOutEventAttributes?.retryState, R.RETRY_STATE_TIMEOUT);
    assert.equal(m.successor, undefined);
  });

  test('when the first-task backoff ends, the first workflow task is scheduled', () => {
    const ms = commit(newRun({}, { firstWorkflowTaskBackoffMs: 30 * SECOND }));
    assert.deepEqual(typesOf(fire(ms, T0 + 29 * SECOND).events), []);
    const m = fire(ms, T0 + 30 * SECOND);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_SCHEDULED']);
    assert.equal(m.ms.firstWorkflowTaskBackoffUntil, undefined);
  });
});

describe('fireDueTimeouts: workflow tasks', () => {
  test('a started task past its start-to-close timeout: WorkflowTaskTimedOut (START_TO_CLOSE), and a transient attempt 2 on the normal queue', () => {
    const m = fire(runWithStartedTask(), T0 + 10 * SECOND);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_TIMED_OUT']);
    assert.equal(m.events[0]?.workflowTaskTimedOutEventAttributes?.timeoutType, T.TIMEOUT_TYPE_START_TO_CLOSE);
    assert.equal(m.ms.workflowTask?.attempt, 2);
    assert.equal(m.ms.workflowTask?.transient, true);
    assert.equal(m.ms.workflowTask?.taskQueue, TASK_QUEUE);
  });

  test('a started task before its timeout is left alone', () => {
    const m = fire(runWithStartedTask(), T0 + 9 * SECOND);
    assert.deepEqual(typesOf(m.events), []);
    assert.notEqual(m.ms.workflowTask?.startedEventId, undefined);
  });

  test('a sticky task not picked up in time: WorkflowTaskTimedOut (SCHEDULE_TO_START), stickiness cleared, the same attempt rescheduled on the normal queue', () => {
    const sticky = signalled(completedSticky(runWithStartedTask(), [], T0 + SECOND), T0 + 2 * SECOND);
    const m = fire(sticky, T0 + 7 * SECOND);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    assert.equal(m.events[0]?.workflowTaskTimedOutEventAttributes?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_START);
    assert.equal(m.ms.stickyTaskQueue, undefined);
    assert.equal(m.ms.workflowTask?.taskQueue, TASK_QUEUE);
    assert.equal(m.ms.workflowTask?.attempt, 1);
  });

  test('a sticky task whose sticky queue has no live worker is moved to the normal queue at once', () => {
    const sticky = signalled(completedSticky(runWithStartedTask(), [], T0 + SECOND), T0 + 2 * SECOND);
    const m = fire(sticky, T0 + 3 * SECOND, false);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    assert.equal(m.ms.workflowTask?.taskQueue, TASK_QUEUE);
  });
});

describe('fireDueTimeouts: user timers', () => {
  test('a due timer: TimerFired naming its TimerStarted, the timer gone, and a workflow task to report it', () => {
    const ms = respondAndCommit(runWithStartedTask(), [startTimer('t1', MINUTE)], T0);
    const startedEventId = ms.timers.t1?.startedEventId;
    const m = fire(ms, T0 + MINUTE);
    assert.deepEqual(typesOf(m.events), ['TIMER_FIRED', 'WORKFLOW_TASK_SCHEDULED']);
    const fired = m.events[0]?.timerFiredEventAttributes;
    assert.equal(fired?.timerId, 't1');
    assert.equal(toNumber(fired?.startedEventId), startedEventId);
    assert.deepEqual(m.ms.timers, {});
  });

  test('timers due together fire in the order they were started', () => {
    const ms = respondAndCommit(runWithStartedTask(), [startTimer('late', 2 * SECOND), startTimer('early', SECOND), startTimer('later', MINUTE)], T0);
    const m = fire(ms, T0 + 2 * SECOND);
    assert.deepEqual(
      m.events.flatMap((e) => (e.timerFiredEventAttributes ? [e.timerFiredEventAttributes.timerId] : [])),
      ['late', 'early'],
    );
    assert.deepEqual(Object.keys(m.ms.timers), ['later']);
  });

  test('a timer firing while a workflow task is started is buffered until that task completes', () => {
    const withTimer = respondAndCommit(runWithStartedTask(), [startTimer('t1', MINUTE)], T0);
    const started = startTask(signalled(withTimer, T0 + 55 * SECOND), T0 + 55 * SECOND);
    const m = fire(started, T0 + MINUTE);
    assert.deepEqual(typesOf(m.events), []);
    assert.equal(m.ms.bufferedEvents.length, 1);
    assert.deepEqual(m.ms.timers, {});
  });
});

describe('fireDueTimeouts: activities', () => {
  test('schedule-to-start: ActivityTaskTimedOut (SCHEDULE_TO_START), never retried', () => {
    const { ms, scheduledEventId: id } = runWithActivity({ scheduleToStartTimeout: seconds(5), startToCloseTimeout: seconds(10) });
    const m = fire(ms, T0 + 5 * SECOND);
    assert.deepEqual(typesOf(m.events), ['ACTIVITY_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    const timedOut = m.events[0]?.activityTaskTimedOutEventAttributes;
    assert.equal(toNumber(timedOut?.scheduledEventId), id);
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_START);
    assert.deepEqual(m.ms.activities, {});
  });

  test('schedule-to-close: ActivityTaskStarted then ActivityTaskTimedOut (SCHEDULE_TO_CLOSE) for a started activity', () => {
    const { ms, scheduledEventId: id } = runWithActivity({ scheduleToCloseTimeout: seconds(30), startToCloseTimeout: seconds(30) });
    const m = fire(activityStarted(ms, id, T0 + SECOND), T0 + 30 * SECOND);
    assert.deepEqual(typesOf(m.events), ['ACTIVITY_TASK_STARTED', 'ACTIVITY_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    assert.equal(m.events[1]?.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
  });

  test('schedule-to-close: RETRY_STATE_TIMEOUT, reported as "Not enough time to schedule next retry…" (Temporal ≥ 1.31, temporal#9132)', () => {
    const { ms, scheduledEventId: id } = runWithActivity({ scheduleToCloseTimeout: seconds(30), startToCloseTimeout: seconds(30) });
    const m = fire(activityStarted(ms, id, T0 + SECOND), T0 + 30 * SECOND);
    const timedOut = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes;
    assert.equal(timedOut?.retryState, R.RETRY_STATE_TIMEOUT);
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
    assert.equal(timedOut?.failure?.message, 'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying');
  });

  test('schedule-to-start: RETRY_STATE_TIMEOUT, the failure stays SCHEDULE_TO_START ("activity ScheduleToStart timeout")', () => {
    const { ms } = runWithActivity({ scheduleToStartTimeout: seconds(5), startToCloseTimeout: seconds(10) });
    const m = fire(ms, T0 + 5 * SECOND);
    const timedOut = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes;
    assert.equal(timedOut?.retryState, R.RETRY_STATE_TIMEOUT);
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_START);
    assert.equal(timedOut?.failure?.message, 'activity ScheduleToStart timeout');
  });

  test('schedule-to-close of an activity whose cancellation was requested: CANCEL_REQUESTED (RetryActivity checks it first)', () => {
    const { ms, scheduledEventId: id } = runWithActivity({ scheduleToCloseTimeout: seconds(30), startToCloseTimeout: seconds(30) });
    const started = activityStarted(ms, id, T0 + SECOND);
    const requested: MutableState = { ...started, activities: { [String(id)]: { ...started.activities[String(id)]!, cancelRequested: true } } };
    const m = fire(requested, T0 + 30 * SECOND);
    assert.equal(eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes?.retryState, R.RETRY_STATE_CANCEL_REQUESTED);
  });

  test('start-to-close with attempts left: no event, the next attempt is scheduled after the backoff', () => {
    const { ms, scheduledEventId: id } = runWithActivity({ startToCloseTimeout: seconds(10), retryPolicy: { initialInterval: seconds(1) } });
    const m = fire(activityStarted(ms, id, T0 + SECOND), T0 + 11 * SECOND);
    assert.deepEqual(typesOf(m.events), []);
    const a = m.ms.activities[String(id)];
    assert.equal(a?.attempt, 2);
    assert.equal(a?.currentAttemptScheduledTime, T0 + 12 * SECOND);
    assert.equal(a?.startedTime, undefined);
  });

  test('start-to-close on the last attempt: ActivityTaskStarted then ActivityTaskTimedOut (START_TO_CLOSE, MAXIMUM_ATTEMPTS_REACHED)', () => {
    const { ms, scheduledEventId: id } = runWithActivity({
      startToCloseTimeout: seconds(10),
      retryPolicy: { initialInterval: seconds(1), maximumAttempts: 2 },
    });
    const second = fire(activityStarted(ms, id, T0 + SECOND), T0 + 11 * SECOND).ms;
    const m = fire(activityStarted(second, id, T0 + 12 * SECOND), T0 + 22 * SECOND);
    assert.deepEqual(typesOf(m.events), ['ACTIVITY_TASK_STARTED', 'ACTIVITY_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    assert.equal(m.events[0]?.activityTaskStartedEventAttributes?.attempt, 2);
    const timedOut = m.events[1]?.activityTaskTimedOutEventAttributes;
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_START_TO_CLOSE);
    assert.equal(timedOut?.failure?.message, 'activity StartToClose timeout');
    assert.equal(timedOut?.retryState, R.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  });

  test('a start-to-close timeout listed as "TemporalTimeout:StartToClose" is not retried: NON_RETRYABLE_FAILURE', () => {
    const { ms, scheduledEventId: id } = runWithActivity({
      startToCloseTimeout: seconds(10),
      retryPolicy: { nonRetryableErrorTypes: ['TemporalTimeout:StartToClose'] },
    });
    const m = fire(activityStarted(ms, id, T0 + SECOND), T0 + 11 * SECOND);
    const timedOut = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes;
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_START_TO_CLOSE);
    assert.equal(timedOut?.retryState, R.RETRY_STATE_NON_RETRYABLE_FAILURE);
  });

  test('a heartbeat timeout fails the attempt like start-to-close; a heartbeat in time keeps it going', () => {
    const { ms, scheduledEventId: id } = runWithActivity({
      startToCloseTimeout: seconds(60),
      heartbeatTimeout: seconds(3),
      retryPolicy: { maximumAttempts: 1 },
    });
    const started = activityStarted(ms, id, T0 + SECOND);
    const heartbeat: MutableState = { ...started, activities: { [String(id)]: { ...started.activities[String(id)]!, lastHeartbeatTime: T0 + 3 * SECOND } } };
    assert.deepEqual(typesOf(fire(heartbeat, T0 + 5 * SECOND).events), []);
    const m = fire(heartbeat, T0 + 6 * SECOND);
    assert.deepEqual(typesOf(m.events), ['ACTIVITY_TASK_STARTED', 'ACTIVITY_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    assert.equal(m.events[1]?.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_HEARTBEAT);
    assert.equal(m.events[1]?.activityTaskTimedOutEventAttributes?.retryState, R.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  });

  test('start-to-close with no time left for another attempt is reported as SCHEDULE_TO_CLOSE with RETRY_STATE_TIMEOUT', () => {
    const { ms, scheduledEventId: id } = runWithActivity({
      scheduleToCloseTimeout: seconds(20),
      startToCloseTimeout: seconds(10),
      retryPolicy: { initialInterval: seconds(15) },
    });
    const m = fire(activityStarted(ms, id, T0 + SECOND), T0 + 11 * SECOND);
    const timedOut = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes;
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
    assert.equal(timedOut?.failure?.message, 'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying');
    assert.equal(timedOut?.retryState, R.RETRY_STATE_TIMEOUT);
  });

  test('the timeout failure carries the last heartbeat details', () => {
    const { ms, scheduledEventId: id } = runWithActivity({ startToCloseTimeout: seconds(10) });
    const a = { ...ms.activities[String(id)]!, heartbeatDetails: encodePayloads({ payloads: [jsonPayload(42)] }) };
    const failure = timeoutFailure(T.TIMEOUT_TYPE_HEARTBEAT, a);
    assert.equal(failure.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_HEARTBEAT);
    assert.equal(Buffer.from(failure.timeoutFailureInfo?.lastHeartbeatDetails?.payloads?.[0]?.data ?? []).toString(), '42');
  });
});
