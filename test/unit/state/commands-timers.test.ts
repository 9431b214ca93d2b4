/** StartTimer and CancelTimer: TimerStarted/TimerCanceled, the pending timer, and the causes they fail with. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { durationToMs, enums, toNumber, type command } from '../../../src/common/proto';
import { fireDueTimeouts } from '../../../src/engine/state/timeouts';
import {
  MINUTE,
  SECOND,
  T0,
  assertRejected,
  change,
  commit,
  eventOf,
  respond,
  respondAndCommit,
  runWithStartedTask,
  signalled,
  startTask,
  startTimer,
  typesOf,
} from '../fixtures';

const C = enums.CommandType;
const E = enums.EventType;
const Cause = enums.WorkflowTaskFailedCause;
const T1 = T0 + SECOND;

describe('StartTimer and CancelTimer', () => {
  const cancelTimer = (timerId: string): command.ICommand => ({ commandType: C.COMMAND_TYPE_CANCEL_TIMER, cancelTimerCommandAttributes: { timerId } });

  test('StartTimer writes TimerStarted and a pending timer that expires start-to-fire after now', () => {
    const { m } = respond(runWithStartedTask(), [startTimer('t1', 5 * SECOND)], T1);
    const event = eventOf(m.events, E.EVENT_TYPE_TIMER_STARTED);
    assert.equal(event.timerStartedEventAttributes?.timerId, 't1');
    assert.equal(durationToMs(event.timerStartedEventAttributes?.startToFireTimeout), 5 * SECOND);
    assert.deepEqual(m.ms.timers.t1, { timerId: 't1', startedEventId: toNumber(event.eventId), expiryTime: T1 + 5 * SECOND });
  });

  test('a StartTimer without a timer id fails the task with BAD_START_TIMER_ATTRIBUTES', () => {
    assertRejected(runWithStartedTask(), [startTimer('', SECOND)], Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, /TimerId/);
  });

  test('a StartTimer with a negative start-to-fire timeout fails the task with BAD_START_TIMER_ATTRIBUTES', () => {
    assertRejected(runWithStartedTask(), [startTimer('t1', -SECOND)], Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, /StartToFireTimeout/);
  });

  test('a StartTimer with a zero start-to-fire timeout is accepted (the timer fires at once)', () => {
    const { m } = respond(runWithStartedTask(), [startTimer('t1', 0)], T1);
    assert.equal(m.ms.timers.t1?.expiryTime, T1);
  });

  test('a StartTimer with the id of a pending timer fails the task with START_TIMER_DUPLICATE_ID', () => {
    assertRejected(runWithStartedTask(), [startTimer('t1', SECOND), startTimer('t1', SECOND)], Cause.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID);
  });

  test("CancelTimer writes TimerCanceled naming the timer's TimerStarted and removes the timer", () => {
    const withTimer = respondAndCommit(runWithStartedTask(), [startTimer('t1', MINUTE)], T0);
    const startedEventId = withTimer.timers.t1?.startedEventId;
    const { m } = respond(startTask(signalled(withTimer, T0), T0), [cancelTimer('t1')], T1);
    const canceled = eventOf(m.events, E.EVENT_TYPE_TIMER_CANCELED).timerCanceledEventAttributes;
    assert.equal(canceled?.timerId, 't1');
    assert.equal(toNumber(canceled?.startedEventId), startedEventId);
    assert.deepEqual(m.ms.timers, {});
  });

  test('a timer started and cancelled by the same completion is written as started then cancelled', () => {
    const { m } = respond(runWithStartedTask(), [startTimer('t1', MINUTE), cancelTimer('t1')], T1);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'TIMER_STARTED', 'TIMER_CANCELED']);
    assert.deepEqual(m.ms.timers, {});
  });

  test('cancelling a timer that is not pending fails the task with BAD_CANCEL_TIMER_ATTRIBUTES', () => {
    assertRejected(runWithStartedTask(), [cancelTimer('nope')], Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES);
  });

  test('cancelling a timer whose TimerFired is still buffered writes TimerCanceled and drops the buffered TimerFired', () => {
    // The timer fires while the worker holds the task that cancels it.
    const withTimer = respondAndCommit(runWithStartedTask(), [startTimer('t1', MINUTE)], T0);
    const started = startTask(signalled(withTimer, T0), T0 + MINUTE - SECOND);
    const fire = change(started, T0 + MINUTE);
    fireDueTimeouts(fire, () => true);
    const withBufferedFire = commit(fire);
    assert.equal(withBufferedFire.bufferedEvents.length, 1);
    const { m } = respond(withBufferedFire, [cancelTimer('t1')], T0 + MINUTE + SECOND);
    commit(m);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'TIMER_CANCELED']);
    assert.deepEqual(m.ms.bufferedEvents, []);
  });
});
