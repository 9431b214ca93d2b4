/**
 * What a run is waiting for, derived from its mutable state alone: the instants at which something
 * becomes due (timers, timeouts, backoffs) and the tasks matching may hand to workers; and, in
 * state/timeouts.ts, what happens when such an instant comes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodePayloads, enums, msToDuration, toNumber, type command, type workflowservice } from '../../../src/common/proto';
import { deadlines, dispatchableTasks, nextDeadline } from '../../../src/engine/dispatch/task-generator';
import { applyCommands } from '../../../src/engine/state/commands';
import { failActivityAttempt, startActivityAttempt, timeoutFailure } from '../../../src/engine/state/activity-state';
import type { RunMutator } from '../../../src/engine/state/mutator';
import { fireDueTimeouts } from '../../../src/engine/state/timeouts';
import { completeWorkflowTask } from '../../../src/engine/state/workflow-task-state';
import type { MutableState } from '../../../src/store/records';
import {
  HOUR,
  MINUTE,
  SECOND,
  T0,
  TASK_QUEUE,
  change,
  commit,
  eventOf,
  jsonPayload,
  newRun,
  respondAndCommit,
  runWithActivity,
  runWithStartedTask,
  startTask,
  startTimer,
  typesOf,
} from '../fixtures';

const E = enums.EventType;
const T = enums.TimeoutType;
const R = enums.RetryState;
const S = enums.WorkflowExecutionStatus;
const STICKY_QUEUE = 'worker-1-sticky';

function seconds(s: number): ReturnType<typeof msToDuration> {
  return msToDuration(s * SECOND);
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** A signal arrives at `now`: a workflow task is scheduled for it (sticky if the run has a sticky queue). */
function signalled(ms: MutableState, now: number): MutableState {
  const m = change(ms, now);
  m.add({ workflowExecutionSignaledEventAttributes: { signalName: 'poke' } });
  return commit(m);
}

/** The first task completes at `now` with `commands`, the worker asking for a sticky queue (as RespondWorkflowTaskCompleted does). */
function completedSticky(ms: MutableState, commands: command.ICommand[], now: number, stickyScheduleToStartMs = 5 * SECOND): MutableState {
  const m = change(ms, now);
  const completedId = completeWorkflowTask(m, { identity: 'worker' });
  m.ms.stickyTaskQueue = STICKY_QUEUE;
  m.ms.stickyScheduleToStartTimeoutMs = stickyScheduleToStartMs;
  applyCommands(m, commands, completedId, () => undefined);
  return commit(m);
}

/** Timeouts fire at `now` (the sticky queue is live unless told otherwise); the transaction is ended as the engine ends it. */
function fire(ms: MutableState, now: number, stickyLive = true): RunMutator {
  const m = change(ms, now);
  fireDueTimeouts(m, () => stickyLive);
  commit(m);
  return m;
}

/** The activity's current attempt is started at `now`. */
function activityStarted(ms: MutableState, id: number, now: number): MutableState {
  const m = change(ms, now);
  const a = m.activity(id);
  assert.ok(a);
  startActivityAttempt(m, a, `poll-${now}`, 'activity-worker');
  return commit(m);
}

function activity(
  request: Partial<command.IScheduleActivityTaskCommandAttributes>,
  start?: workflowservice.IStartWorkflowExecutionRequest,
): { ms: MutableState; id: number } {
  const { ms, scheduledEventId } = runWithActivity(request, start);
  return { ms, id: scheduledEventId };
}

describe('deadlines of the run', () => {
  test('a run without timeouts waiting for its first workflow task has no deadline', () => {
    const ms = commit(newRun());
    assert.deepEqual(deadlines(ms), []);
    assert.equal(nextDeadline(ms), undefined);
  });

  test('a closed run has no deadline', () => {
    const ms = commit(newRun({ workflowRunTimeout: msToDuration(MINUTE) }));
    assert.deepEqual(deadlines({ ...ms, status: S.WORKFLOW_EXECUTION_STATUS_COMPLETED }), []);
  });

  test('the workflow run timeout is a deadline from the start', () => {
    assert.deepEqual(deadlines(commit(newRun({ workflowRunTimeout: msToDuration(10 * MINUTE) }))), [T0 + 10 * MINUTE]);
  });

  test('the workflow execution timeout bounds the run', () => {
    const ms = commit(newRun({ workflowExecutionTimeout: msToDuration(5 * MINUTE), workflowRunTimeout: msToDuration(10 * MINUTE) }));
    assert.deepEqual(deadlines(ms), [T0 + 5 * MINUTE]);
  });

  test("a run continuing a chain expires with the chain's execution timeout", () => {
    const ms = commit(
      newRun({ workflowExecutionTimeout: msToDuration(HOUR), workflowRunTimeout: msToDuration(10 * MINUTE) }, { executionExpirationTime: T0 + 3 * MINUTE }),
    );
    assert.deepEqual(deadlines(ms), [T0 + 3 * MINUTE]);
  });

  test('a backed-off first workflow task (retry, cron, start delay) is due when the backoff ends; the run timeout counts from then', () => {
    const ms = commit(newRun({ workflowRunTimeout: msToDuration(10 * MINUTE) }, { firstWorkflowTaskBackoffMs: 30 * SECOND }));
    assert.equal(ms.workflowTask, undefined);
    assert.deepEqual(sorted(deadlines(ms)), [T0 + 30 * SECOND, T0 + 30 * SECOND + 10 * MINUTE]);
    assert.equal(nextDeadline(ms), T0 + 30 * SECOND);
  });

  test('a user timer is due at its expiry', () => {
    const ms = respondAndCommit(runWithStartedTask(), [startTimer('t1', 5 * MINUTE), startTimer('t2', MINUTE)], T0 + SECOND);
    assert.deepEqual(sorted(deadlines(ms)), [T0 + SECOND + MINUTE, T0 + SECOND + 5 * MINUTE]);
    assert.equal(nextDeadline(ms), T0 + SECOND + MINUTE);
  });
});

describe('deadlines of workflow tasks', () => {
  test('a workflow task scheduled on the normal queue has no schedule-to-start deadline', () => {
    assert.deepEqual(deadlines(commit(newRun())), []);
  });

  test('a started workflow task times out start-to-close after it started', () => {
    const ms = startTask(commit(newRun({ workflowTaskTimeout: seconds(20) })), T0 + 3 * SECOND);
    assert.deepEqual(deadlines(ms), [T0 + 23 * SECOND]);
  });

  test('the workflow task timeout defaults to 10 seconds', () => {
    assert.deepEqual(deadlines(runWithStartedTask()), [T0 + 10 * SECOND]);
  });

  test("a workflow task on a worker's sticky queue times out schedule-to-start after it was scheduled", () => {
    const sticky = signalled(completedSticky(runWithStartedTask(), [], T0 + SECOND), T0 + 2 * SECOND);
    assert.equal(sticky.workflowTask?.taskQueue, STICKY_QUEUE);
    assert.deepEqual(deadlines(sticky), [T0 + 2 * SECOND + 5 * SECOND]);
  });
});

describe('deadlines of activities', () => {
  const timeouts = { scheduleToCloseTimeout: seconds(60), scheduleToStartTimeout: seconds(20), startToCloseTimeout: seconds(10), heartbeatTimeout: seconds(3) };

  test('a scheduled activity is due schedule-to-start after it was scheduled and schedule-to-close after its first scheduling', () => {
    const { ms } = activity(timeouts);
    assert.deepEqual(sorted(deadlines(ms)), [T0 + 20 * SECOND, T0 + 60 * SECOND]);
  });

  test('a started activity is due start-to-close after it started, and a heartbeat timeout after it started', () => {
    const { ms, id } = activity(timeouts);
    assert.deepEqual(sorted(deadlines(activityStarted(ms, id, T0 + 5 * SECOND))), [T0 + 8 * SECOND, T0 + 15 * SECOND, T0 + 60 * SECOND]);
  });

  test('a heartbeat moves the heartbeat deadline', () => {
    const { ms, id } = activity(timeouts);
    const started = activityStarted(ms, id, T0 + 5 * SECOND);
    const heartbeat: MutableState = { ...started, activities: { [String(id)]: { ...started.activities[String(id)]!, lastHeartbeatTime: T0 + 7 * SECOND } } };
    assert.deepEqual(sorted(deadlines(heartbeat)), [T0 + 10 * SECOND, T0 + 15 * SECOND, T0 + 60 * SECOND]);
  });

  test('an activity waiting out a retry backoff is due when the backoff ends, and schedule-to-start counts from then', () => {
    const { ms, id } = activity({ ...timeouts, retryPolicy: { initialInterval: seconds(2) } });
    const m = change(activityStarted(ms, id, T0 + 5 * SECOND), T0 + 6 * SECOND);
    const a = m.activity(id);
    assert.ok(a);
    failActivityAttempt(m, a, { message: 'flaky', applicationFailureInfo: { type: 'Flaky' } }, 'activity-worker');
    const backingOff = commit(m);
    assert.deepEqual(sorted(deadlines(backingOff)), [T0 + 8 * SECOND, T0 + 28 * SECOND, T0 + 60 * SECOND]);
  });

  test('nextDeadline is the earliest of all deadlines of the run', () => {
    const { ms, id } = activity(timeouts, { workflowRunTimeout: msToDuration(10 * MINUTE) });
    const started = activityStarted(ms, id, T0 + 5 * SECOND);
    const withTimer = respondAndCommit(startTask(signalled(started, T0 + 5 * SECOND), T0 + 5 * SECOND), [startTimer('t1', SECOND)], T0 + 6 * SECOND);
    assert.equal(nextDeadline(withTimer), T0 + 7 * SECOND);
    assert.equal(nextDeadline(withTimer), Math.min(...deadlines(withTimer)));
  });
});

describe('dispatchable tasks', () => {
  test('a scheduled workflow task is dispatched to its queue with its attempt', () => {
    const ms = commit(newRun());
    assert.deepEqual(
      dispatchableTasks(ms, T0).map((t) => [t.kind, t.taskQueue, t.scheduledEventId, t.attempt]),
      [['workflow', TASK_QUEUE, ms.workflowTask?.scheduledEventId, 1]],
    );
  });

  test('a started workflow task is not dispatched again', () => {
    assert.deepEqual(dispatchableTasks(runWithStartedTask(), T0), []);
  });

  test('a queued activity is dispatched; a started, backing-off or cancel-requested one is not', () => {
    const { ms, id } = activity({});
    assert.deepEqual(
      dispatchableTasks(ms, T0).map((t) => [t.kind, t.scheduledEventId]),
      [['activity', id]],
    );
    assert.deepEqual(dispatchableTasks(activityStarted(ms, id, T0), T0), []);
    const a = ms.activities[String(id)]!;
    assert.deepEqual(dispatchableTasks({ ...ms, activities: { [String(id)]: { ...a, currentAttemptScheduledTime: T0 + SECOND } } }, T0), []);
    assert.equal(dispatchableTasks({ ...ms, activities: { [String(id)]: { ...a, currentAttemptScheduledTime: T0 + SECOND } } }, T0 + SECOND).length, 1);
    assert.deepEqual(dispatchableTasks({ ...ms, activities: { [String(id)]: { ...a, cancelRequested: true } } }, T0), []);
  });

  test('a closed run dispatches nothing', () => {
    assert.deepEqual(dispatchableTasks({ ...commit(newRun()), status: S.WORKFLOW_EXECUTION_STATUS_TERMINATED }, T0), []);
  });
});

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
    const { ms, id } = activity({ scheduleToStartTimeout: seconds(5), startToCloseTimeout: seconds(10) });
    const m = fire(ms, T0 + 5 * SECOND);
    assert.deepEqual(typesOf(m.events), ['ACTIVITY_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    const timedOut = m.events[0]?.activityTaskTimedOutEventAttributes;
    assert.equal(toNumber(timedOut?.scheduledEventId), id);
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_START);
    assert.deepEqual(m.ms.activities, {});
  });

  test('schedule-to-close: ActivityTaskStarted then ActivityTaskTimedOut (SCHEDULE_TO_CLOSE) for a started activity', () => {
    const { ms, id } = activity({ scheduleToCloseTimeout: seconds(30), startToCloseTimeout: seconds(30) });
    const m = fire(activityStarted(ms, id, T0 + SECOND), T0 + 30 * SECOND);
    assert.deepEqual(typesOf(m.events), ['ACTIVITY_TASK_STARTED', 'ACTIVITY_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    assert.equal(m.events[1]?.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
  });

  test('schedule-to-close: RETRY_STATE_TIMEOUT, reported as "Not enough time to schedule next retry…" (Temporal ≥ 1.31, temporal#9132)', () => {
    const { ms, id } = activity({ scheduleToCloseTimeout: seconds(30), startToCloseTimeout: seconds(30) });
    const m = fire(activityStarted(ms, id, T0 + SECOND), T0 + 30 * SECOND);
    const timedOut = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes;
    assert.equal(timedOut?.retryState, R.RETRY_STATE_TIMEOUT);
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
    assert.equal(timedOut?.failure?.message, 'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying');
  });

  test('schedule-to-start: RETRY_STATE_TIMEOUT, the failure stays SCHEDULE_TO_START ("activity ScheduleToStart timeout")', () => {
    const { ms } = activity({ scheduleToStartTimeout: seconds(5), startToCloseTimeout: seconds(10) });
    const m = fire(ms, T0 + 5 * SECOND);
    const timedOut = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes;
    assert.equal(timedOut?.retryState, R.RETRY_STATE_TIMEOUT);
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_START);
    assert.equal(timedOut?.failure?.message, 'activity ScheduleToStart timeout');
  });

  test('schedule-to-close of an activity whose cancellation was requested: CANCEL_REQUESTED (RetryActivity checks it first)', () => {
    const { ms, id } = activity({ scheduleToCloseTimeout: seconds(30), startToCloseTimeout: seconds(30) });
    const started = activityStarted(ms, id, T0 + SECOND);
    const requested: MutableState = { ...started, activities: { [String(id)]: { ...started.activities[String(id)]!, cancelRequested: true } } };
    const m = fire(requested, T0 + 30 * SECOND);
    assert.equal(eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes?.retryState, R.RETRY_STATE_CANCEL_REQUESTED);
  });

  test('start-to-close with attempts left: no event, the next attempt is scheduled after the backoff', () => {
    const { ms, id } = activity({ startToCloseTimeout: seconds(10), retryPolicy: { initialInterval: seconds(1) } });
    const m = fire(activityStarted(ms, id, T0 + SECOND), T0 + 11 * SECOND);
    assert.deepEqual(typesOf(m.events), []);
    const a = m.ms.activities[String(id)];
    assert.equal(a?.attempt, 2);
    assert.equal(a?.currentAttemptScheduledTime, T0 + 12 * SECOND);
    assert.equal(a?.startedTime, undefined);
  });

  test('start-to-close on the last attempt: ActivityTaskStarted then ActivityTaskTimedOut (START_TO_CLOSE, MAXIMUM_ATTEMPTS_REACHED)', () => {
    const { ms, id } = activity({ startToCloseTimeout: seconds(10), retryPolicy: { initialInterval: seconds(1), maximumAttempts: 2 } });
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
    const { ms, id } = activity({ startToCloseTimeout: seconds(10), retryPolicy: { nonRetryableErrorTypes: ['TemporalTimeout:StartToClose'] } });
    const m = fire(activityStarted(ms, id, T0 + SECOND), T0 + 11 * SECOND);
    const timedOut = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes;
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_START_TO_CLOSE);
    assert.equal(timedOut?.retryState, R.RETRY_STATE_NON_RETRYABLE_FAILURE);
  });

  test('a heartbeat timeout fails the attempt like start-to-close; a heartbeat in time keeps it going', () => {
    const { ms, id } = activity({ startToCloseTimeout: seconds(60), heartbeatTimeout: seconds(3), retryPolicy: { maximumAttempts: 1 } });
    const started = activityStarted(ms, id, T0 + SECOND);
    const heartbeat: MutableState = { ...started, activities: { [String(id)]: { ...started.activities[String(id)]!, lastHeartbeatTime: T0 + 3 * SECOND } } };
    assert.deepEqual(typesOf(fire(heartbeat, T0 + 5 * SECOND).events), []);
    const m = fire(heartbeat, T0 + 6 * SECOND);
    assert.deepEqual(typesOf(m.events), ['ACTIVITY_TASK_STARTED', 'ACTIVITY_TASK_TIMED_OUT', 'WORKFLOW_TASK_SCHEDULED']);
    assert.equal(m.events[1]?.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_HEARTBEAT);
    assert.equal(m.events[1]?.activityTaskTimedOutEventAttributes?.retryState, R.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
  });

  test('start-to-close with no time left for another attempt is reported as SCHEDULE_TO_CLOSE with RETRY_STATE_TIMEOUT', () => {
    const { ms, id } = activity({ scheduleToCloseTimeout: seconds(20), startToCloseTimeout: seconds(10), retryPolicy: { initialInterval: seconds(15) } });
    const m = fire(activityStarted(ms, id, T0 + SECOND), T0 + 11 * SECOND);
    const timedOut = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT).activityTaskTimedOutEventAttributes;
    assert.equal(timedOut?.failure?.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE);
    assert.equal(timedOut?.failure?.message, 'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying');
    assert.equal(timedOut?.retryState, R.RETRY_STATE_TIMEOUT);
  });

  test('the timeout failure carries the last heartbeat details', () => {
    const { ms, id } = activity({ startToCloseTimeout: seconds(10) });
    const a = { ...ms.activities[String(id)]!, heartbeatDetails: encodePayloads({ payloads: [jsonPayload(42)] }) };
    const failure = timeoutFailure(T.TIMEOUT_TYPE_HEARTBEAT, a);
    assert.equal(failure.timeoutFailureInfo?.timeoutType, T.TIMEOUT_TYPE_HEARTBEAT);
    assert.equal(Buffer.from(failure.timeoutFailureInfo?.lastHeartbeatDetails?.payloads?.[0]?.data ?? []).toString(), '42');
  });
});
