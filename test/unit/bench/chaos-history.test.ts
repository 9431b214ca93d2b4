import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { historyProblems } from '../../../bench/chaos-history';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const T = temporal.api.enums.v1.EventType;

function history(...events: Omit<HistoryEvent, 'eventId'>[]): HistoryEvent[] {
  return events.map((e, i) => ({ ...e, eventId: Long.fromNumber(i + 1) }));
}

const id = (n: number): Long => Long.fromNumber(n);
const started: Omit<HistoryEvent, 'eventId'> = { eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, workflowExecutionStartedEventAttributes: {} };
const completed: Omit<HistoryEvent, 'eventId'> = { eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, workflowExecutionCompletedEventAttributes: {} };
const scheduled: Omit<HistoryEvent, 'eventId'> = { eventType: T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, activityTaskScheduledEventAttributes: {} };
const activityDone = (scheduledEventId: number): Omit<HistoryEvent, 'eventId'> => ({
  eventType: T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
  activityTaskCompletedEventAttributes: { scheduledEventId: id(scheduledEventId) },
});
const timerStarted: Omit<HistoryEvent, 'eventId'> = { eventType: T.EVENT_TYPE_TIMER_STARTED, timerStartedEventAttributes: {} };
const timerFired = (startedEventId: number): Omit<HistoryEvent, 'eventId'> => ({
  eventType: T.EVENT_TYPE_TIMER_FIRED,
  timerFiredEventAttributes: { startedEventId: id(startedEventId) },
});

describe('chaos history check', () => {
  test('a closed run whose activity and timer each closed once is well-formed', () => {
    assert.deepEqual(historyProblems(history(started, scheduled, activityDone(2), timerStarted, timerFired(4), completed)), []);
  });

  test('event ids must run from 1 without gaps', () => {
    const events = history(started, completed);
    events[1] = { ...events[1], eventId: id(3) };
    assert.deepEqual(historyProblems(events), ['event 2 has id 3']);
  });

  test('a run has exactly one close event, and it is the last', () => {
    assert.deepEqual(historyProblems(history(started, completed, completed)), ['2 close events']);
    assert.deepEqual(historyProblems(history(started, completed, timerStarted)), [
      'the close event is not the last event',
      'timer started at 3 never closed in a closed run',
    ]);
  });

  test('an activity closed twice, or never in a closed run, is reported', () => {
    assert.deepEqual(historyProblems(history(started, scheduled, activityDone(2), activityDone(2), completed)), ['activity scheduled at 2 closed 2 times']);
    assert.deepEqual(historyProblems(history(started, scheduled, completed)), ['activity scheduled at 2 never closed in a closed run']);
  });

  test('a close event must refer to an opened one', () => {
    assert.deepEqual(historyProblems(history(started, timerFired(1), completed)), [
      'EVENT_TYPE_TIMER_FIRED 2 refers to timer started at 1, which was never opened',
    ]);
  });

  test('an open run may have pending activities and timers', () => {
    assert.deepEqual(historyProblems(history(started, scheduled, timerStarted)), ['0 close events']);
  });
});
