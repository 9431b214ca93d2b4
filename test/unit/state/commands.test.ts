/**
 * Workflow task completion: each command becomes its history event (after WorkflowTaskCompleted, in
 * command order) and changes mutable state; an invalid command fails the whole task with the
 * WorkflowTaskFailedCause Temporal gives it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { durationToMs, enums, int64, msToDuration, toNumber, type command } from '../../../src/common/proto';
import { startActivityAttempt } from '../../../src/engine/state/activity-state';
import { decodeMemo, decodeSearchAttributes } from '../../../src/common/proto';
import type { RunMutator } from '../../../src/engine/state/mutator';
import { fireDueTimeouts } from '../../../src/engine/state/timeouts';
import type { MutableState } from '../../../src/store/records';
import {
  HOUR,
  MINUTE,
  NAMESPACE,
  SECOND,
  T0,
  TASK_QUEUE,
  applicationFailure,
  assertRejected,
  change,
  commit,
  eventOf,
  jsonPayload,
  respond,
  respondAndCommit,
  runWithActivity,
  runWithStartedTask,
  scheduleActivity,
  startTask,
  startTimer,
  typesOf,
} from '../fixtures';

const C = enums.CommandType;
const E = enums.EventType;
const Cause = enums.WorkflowTaskFailedCause;
const S = enums.WorkflowExecutionStatus;
const T1 = T0 + SECOND;

/** The activity's four timeouts, as written in its ActivityTaskScheduled event. */
function scheduledTimeouts(attrs: Partial<command.IScheduleActivityTaskCommandAttributes>, runTimeoutMs = 0): Record<string, number> {
  const ms = runWithStartedTask(runTimeoutMs > 0 ? { workflowRunTimeout: msToDuration(runTimeoutMs) } : {});
  const { m } = respond(ms, [scheduleActivity('a', attrs)], T1);
  const scheduled = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).activityTaskScheduledEventAttributes;
  assert.ok(scheduled);
  return {
    scheduleToClose: durationToMs(scheduled.scheduleToCloseTimeout),
    scheduleToStart: durationToMs(scheduled.scheduleToStartTimeout),
    startToClose: durationToMs(scheduled.startToCloseTimeout),
    heartbeat: durationToMs(scheduled.heartbeatTimeout),
  };
}

function seconds(s: number): ReturnType<typeof msToDuration> {
  return msToDuration(s * SECOND);
}

describe('command events', () => {
  test('command events follow WorkflowTaskCompleted in command order and point back at it', () => {
    const ms = runWithStartedTask();
    const { m, completedId } = respond(
      ms,
      [
        startTimer('t1', 5 * SECOND),
        scheduleActivity('a1'),
        { commandType: C.COMMAND_TYPE_RECORD_MARKER, recordMarkerCommandAttributes: { markerName: 'Version' } },
      ],
      T1,
    );
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'TIMER_STARTED', 'ACTIVITY_TASK_SCHEDULED', 'MARKER_RECORDED']);
    assert.equal(toNumber(m.events[0]?.eventId), completedId);
    assert.deepEqual(
      m.events.slice(1).map((e) => toNumber(e.eventId)),
      [completedId + 1, completedId + 2, completedId + 3],
    );
    assert.equal(toNumber(m.events[1]?.timerStartedEventAttributes?.workflowTaskCompletedEventId), completedId);
    assert.equal(toNumber(m.events[2]?.activityTaskScheduledEventAttributes?.workflowTaskCompletedEventId), completedId);
    assert.equal(toNumber(m.events[3]?.markerRecordedEventAttributes?.workflowTaskCompletedEventId), completedId);
  });

  test('a completion without commands writes only WorkflowTaskCompleted and asks for no new task', () => {
    const { m, outcome } = respond(runWithStartedTask(), [], T1);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED']);
    assert.equal(outcome.needsWorkflowTask, false);
    assert.equal(m.ms.workflowTask, undefined);
  });

  test('a command of a type this server does not handle fails the task with UNHANDLED_COMMAND', () => {
    assertRejected(runWithStartedTask(), [{ commandType: C.COMMAND_TYPE_UNSPECIFIED }], Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND);
    assertRejected(runWithStartedTask(), [{}], Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND);
  });
});

describe('ScheduleActivityTask', () => {
  test('writes ActivityTaskScheduled and adds a pending activity at attempt 1, scheduled now', () => {
    const ms = runWithStartedTask();
    const input = { payloads: [jsonPayload('hello')] };
    const { m } = respond(ms, [scheduleActivity('a1', { input, activityType: { name: 'greet' } })], T1);
    const event = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const attrs = event.activityTaskScheduledEventAttributes;
    assert.equal(attrs?.activityId, 'a1');
    assert.equal(attrs?.activityType?.name, 'greet');
    assert.deepEqual(attrs?.input, input);
    const pending = m.ms.activities[String(toNumber(event.eventId))];
    assert.ok(pending);
    assert.equal(pending.activityId, 'a1');
    assert.equal(pending.activityType, 'greet');
    assert.equal(pending.attempt, 1);
    assert.equal(pending.scheduledTime, T1);
    assert.equal(pending.currentAttemptScheduledTime, T1);
    assert.equal(pending.startedTime, undefined);
  });

  test("an activity without a task queue runs on the workflow's task queue; an explicit one is kept", () => {
    const { m } = respond(runWithStartedTask(), [scheduleActivity('a1'), scheduleActivity('a2', { taskQueue: { name: 'other-queue' } })], T1);
    const queues = m.events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.taskQueue?.name] : []));
    assert.deepEqual(queues, [TASK_QUEUE, 'other-queue']);
    assert.deepEqual(
      Object.values(m.ms.activities).map((a) => a.taskQueue),
      [TASK_QUEUE, 'other-queue'],
    );
  });

  test('with only start-to-close set and no run timeout, schedule-to-close and schedule-to-start stay unlimited', () => {
    const t = scheduledTimeouts({ startToCloseTimeout: seconds(10) });
    assert.deepEqual([t.scheduleToClose, t.scheduleToStart, t.startToClose], [0, 0, 10 * SECOND]);
  });

  test('with only start-to-close set, schedule-to-close and schedule-to-start default to the workflow run timeout', () => {
    const t = scheduledTimeouts({ startToCloseTimeout: seconds(10) }, HOUR);
    assert.equal(t.scheduleToClose, HOUR);
    assert.equal(t.scheduleToStart, HOUR);
    assert.equal(t.startToClose, 10 * SECOND);
  });

  test('with only schedule-to-close set, schedule-to-start and start-to-close default to it', () => {
    const t = scheduledTimeouts({ startToCloseTimeout: null, scheduleToCloseTimeout: seconds(30) });
    assert.equal(t.scheduleToClose, 30 * SECOND);
    assert.equal(t.scheduleToStart, 30 * SECOND);
    assert.equal(t.startToClose, 30 * SECOND);
  });

  test('schedule-to-start and start-to-close are capped at schedule-to-close', () => {
    const t = scheduledTimeouts({ scheduleToCloseTimeout: seconds(30), scheduleToStartTimeout: seconds(60), startToCloseTimeout: seconds(90) });
    assert.deepEqual([t.scheduleToClose, t.scheduleToStart, t.startToClose], [30 * SECOND, 30 * SECOND, 30 * SECOND]);
  });

  test('schedule-to-close is capped at the workflow run timeout', () => {
    const t = scheduledTimeouts({ scheduleToCloseTimeout: msToDuration(2 * HOUR) }, HOUR);
    assert.equal(t.scheduleToClose, HOUR);
  });

  test('a heartbeat timeout longer than start-to-close is capped at start-to-close', () => {
    const t = scheduledTimeouts({ startToCloseTimeout: seconds(10), heartbeatTimeout: seconds(60) });
    assert.equal(t.heartbeat, 10 * SECOND);
  });

  test('a heartbeat timeout shorter than start-to-close is kept', () => {
    const t = scheduledTimeouts({ startToCloseTimeout: seconds(10), heartbeatTimeout: seconds(2) });
    assert.equal(t.heartbeat, 2 * SECOND);
  });

  test('start-to-close is capped at the workflow run timeout', () => {
    const t = scheduledTimeouts({ startToCloseTimeout: msToDuration(2 * HOUR) }, HOUR);
    assert.equal(t.startToClose, HOUR);
  });

  test('an unset heartbeat timeout stays unset (0)', () => {
    const t = scheduledTimeouts({ scheduleToCloseTimeout: seconds(30) });
    assert.equal(t.heartbeat, 0);
  });

  test("an unset retry policy gets Temporal's defaults: 1s initial, coefficient 2, maximum 100 × initial, unlimited attempts", () => {
    const { m } = respond(runWithStartedTask(), [scheduleActivity('a1')], T1);
    const policy = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).activityTaskScheduledEventAttributes?.retryPolicy;
    assert.equal(durationToMs(policy?.initialInterval), SECOND);
    assert.equal(policy?.backoffCoefficient, 2);
    assert.equal(durationToMs(policy?.maximumInterval), 100 * SECOND);
    assert.equal(policy?.maximumAttempts, 0);
    assert.deepEqual(policy?.nonRetryableErrorTypes, []);
    assert.deepEqual(Object.values(m.ms.activities)[0]?.retryPolicy, {
      initialIntervalMs: SECOND,
      backoffCoefficient: 2,
      maximumIntervalMs: 100 * SECOND,
      maximumAttempts: 0,
      nonRetryableErrorTypes: [],
    });
  });

  test('a partial retry policy keeps what was given and defaults the rest (maximum interval from the given initial interval)', () => {
    const retryPolicy = { initialInterval: seconds(3), maximumAttempts: 5, nonRetryableErrorTypes: ['Fatal'] };
    const { m } = respond(runWithStartedTask(), [scheduleActivity('a1', { retryPolicy })], T1);
    assert.deepEqual(Object.values(m.ms.activities)[0]?.retryPolicy, {
      initialIntervalMs: 3 * SECOND,
      backoffCoefficient: 2,
      maximumIntervalMs: 300 * SECOND,
      maximumAttempts: 5,
      nonRetryableErrorTypes: ['Fatal'],
    });
  });

  const bad = Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES;

  test('a ScheduleActivityTask without an activity id fails the task with BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', () => {
    assertRejected(runWithStartedTask(), [scheduleActivity('')], bad, /ActivityId/);
  });

  test('a ScheduleActivityTask without an activity type fails the task with BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', () => {
    assertRejected(runWithStartedTask(), [scheduleActivity('a1', { activityType: null })], bad, /ActivityType/);
    assertRejected(runWithStartedTask(), [scheduleActivity('a1', { activityType: { name: '' } })], bad, /ActivityType/);
  });

  test('a ScheduleActivityTask with neither start-to-close nor schedule-to-close fails the task with BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', () => {
    assertRejected(runWithStartedTask(), [scheduleActivity('a1', { startToCloseTimeout: null, scheduleToStartTimeout: seconds(5) })], bad, /StartToClose/);
  });

  test('a ScheduleActivityTask with a negative timeout fails the task with BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', () => {
    assertRejected(runWithStartedTask(), [scheduleActivity('a1', { heartbeatTimeout: seconds(-1) })], bad, /negative/);
  });

  test('a retry policy with a backoff coefficient below 1 fails the task with BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', () => {
    assertRejected(runWithStartedTask(), [scheduleActivity('a1', { retryPolicy: { backoffCoefficient: 0.5 } })], bad, /BackoffCoefficient/);
  });

  test('a retry policy whose maximum interval is below its initial interval fails the task with BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [scheduleActivity('a1', { retryPolicy: { initialInterval: seconds(10), maximumInterval: seconds(5) } })],
      bad,
      /MaximumInterval/,
    );
  });

  test('a retry policy with negative maximum attempts fails the task with BAD_SCHEDULE_ACTIVITY_ATTRIBUTES', () => {
    assertRejected(runWithStartedTask(), [scheduleActivity('a1', { retryPolicy: { maximumAttempts: -1 } })], bad, /MaximumAttempts/);
  });

  test('a retry policy with maximum attempts 1 is not validated further (retries are off: retrypolicy.Validate returns early)', () => {
    const { m } = respond(runWithStartedTask(), [scheduleActivity('a1', { retryPolicy: { maximumAttempts: 1, backoffCoefficient: 0.5 } })], T1);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'ACTIVITY_TASK_SCHEDULED']);
  });

  test('a second activity with the id of a pending one fails the task with SCHEDULE_ACTIVITY_DUPLICATE_ID', () => {
    assertRejected(runWithStartedTask(), [scheduleActivity('a1'), scheduleActivity('a1')], Cause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID);
    const { ms } = runWithActivity();
    assertRejected(
      startTask(commit(scheduleTaskNow(ms)), T0),
      [scheduleActivity('activity-1')],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID,
    );
  });
});

/** A new workflow task for a run that has none (as a signal would cause). */
function scheduleTaskNow(ms: MutableState): RunMutator {
  const m = change(ms, T0);
  m.add({ workflowExecutionSignaledEventAttributes: { signalName: 'poke' } });
  return m;
}

describe('RequestCancelActivityTask', () => {
  const cancel = (scheduledEventId: number): command.ICommand => ({
    commandType: C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
    requestCancelActivityTaskCommandAttributes: { scheduledEventId: int64(scheduledEventId) },
  });

  test('an activity no worker has started is cancelled at once: CancelRequested, then Canceled, and a new workflow task', () => {
    const { ms, scheduledEventId } = runWithActivity();
    const started = startTask(commit(scheduleTaskNow(ms)), T0);
    const { m, outcome } = respond(started, [cancel(scheduledEventId)], T1);
    assert.equal(outcome.needsWorkflowTask, true);
    m.flushBuffer();
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'ACTIVITY_TASK_CANCEL_REQUESTED', 'ACTIVITY_TASK_CANCELED']);
    const requested = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
    const canceled = eventOf(m.events, E.EVENT_TYPE_ACTIVITY_TASK_CANCELED).activityTaskCanceledEventAttributes;
    assert.equal(toNumber(canceled?.scheduledEventId), scheduledEventId);
    assert.equal(toNumber(canceled?.latestCancelRequestedEventId), toNumber(requested.eventId));
    assert.deepEqual(m.ms.activities, {});
  });

  test('a started activity is only asked to cancel: it stays pending, cancel-requested, until its worker reports', () => {
    const { ms, scheduledEventId } = runWithActivity();
    const m1 = change(ms, T0);
    const a = m1.activity(scheduledEventId);
    assert.ok(a);
    startActivityAttempt(m1, a, 'activity-poll', 'activity-worker');
    const started = startTask(commit(scheduleTaskNow(commit(m1))), T0);
    const { m, outcome } = respond(started, [cancel(scheduledEventId)], T1);
    assert.equal(outcome.needsWorkflowTask, false);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'ACTIVITY_TASK_CANCEL_REQUESTED']);
    const pending = m.ms.activities[String(scheduledEventId)];
    assert.equal(pending?.cancelRequested, true);
    assert.equal(pending?.cancelRequestedEventId, toNumber(m.events[1]?.eventId));
  });

  test('cancelling an activity that is not pending fails the task with BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES', () => {
    assertRejected(runWithStartedTask(), [cancel(42)], Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES);
  });
});

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
    const { m } = respond(startTask(commit(scheduleTaskNow(withTimer)), T0), [cancelTimer('t1')], T1);
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
    const started = startTask(commit(scheduleTaskNow(withTimer)), T0 + MINUTE - SECOND);
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

describe('RecordMarker, UpsertWorkflowSearchAttributes, ModifyWorkflowProperties', () => {
  test('RecordMarker writes MarkerRecorded with its name and details', () => {
    const details = { data: { payloads: [jsonPayload(1)] } };
    const { m } = respond(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_RECORD_MARKER, recordMarkerCommandAttributes: { markerName: 'core_patch', details } }],
      T1,
    );
    const marker = eventOf(m.events, E.EVENT_TYPE_MARKER_RECORDED).markerRecordedEventAttributes;
    assert.equal(marker?.markerName, 'core_patch');
    assert.deepEqual(marker?.details, details);
  });

  test('a RecordMarker without a marker name fails the task with BAD_RECORD_MARKER_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_RECORD_MARKER, recordMarkerCommandAttributes: {} }],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
    );
  });

  test("UpsertWorkflowSearchAttributes writes its event and merges into the run's search attributes; an empty or null payload removes a key", () => {
    const ms = runWithStartedTask({ searchAttributes: { indexedFields: { CustomKeywordField: jsonPayload('a'), CustomIntField: jsonPayload(1) } } });
    const upsert = { indexedFields: { CustomKeywordField: jsonPayload('b'), CustomIntField: jsonPayload(null), CustomBoolField: jsonPayload(true) } };
    const { m } = respond(
      ms,
      [{ commandType: C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: upsert } }],
      T1,
    );
    assert.deepEqual(eventOf(m.events, E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).upsertWorkflowSearchAttributesEventAttributes?.searchAttributes, upsert);
    const stored = decodeSearchAttributes(m.ms.searchAttributes);
    assert.deepEqual(Object.keys(stored).sort(), ['CustomBoolField', 'CustomKeywordField']);
    assert.equal(Buffer.from(stored.CustomKeywordField?.data ?? []).toString(), '"b"');
  });

  test("ModifyWorkflowProperties writes WorkflowPropertiesModified and merges the upserted memo into the run's memo", () => {
    const ms = runWithStartedTask({ memo: { fields: { keep: jsonPayload(1), drop: jsonPayload(2) } } });
    const upsertedMemo = { fields: { drop: jsonPayload(null), added: jsonPayload('x') } };
    const { m } = respond(ms, [{ commandType: C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES, modifyWorkflowPropertiesCommandAttributes: { upsertedMemo } }], T1);
    assert.deepEqual(eventOf(m.events, E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED).workflowPropertiesModifiedEventAttributes?.upsertedMemo, upsertedMemo);
    assert.deepEqual(Object.keys(decodeMemo(m.ms.memo)).sort(), ['added', 'keep']);
  });

  test('an UpsertWorkflowSearchAttributes without indexed fields fails the task with BAD_SEARCH_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [
        {
          commandType: C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
          upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: { indexedFields: {} } },
        },
      ],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
    );
  });
});

describe('closing the run', () => {
  test('CompleteWorkflowExecution writes WorkflowExecutionCompleted with the result and closes the run with nothing left pending', () => {
    const withWork = respondAndCommit(runWithStartedTask(), [startTimer('t1', MINUTE), scheduleActivity('a1')], T0);
    const result = { payloads: [jsonPayload('done')] };
    const { m, completedId } = respond(
      startTask(commit(scheduleTaskNow(withWork)), T0),
      [{ commandType: C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: { result } }],
      T1,
    );
    const completed = eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED).workflowExecutionCompletedEventAttributes;
    assert.deepEqual(completed?.result, result);
    assert.equal(toNumber(completed?.workflowTaskCompletedEventId), completedId);
    assert.equal(completed?.newExecutionRunId, '');
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    assert.equal(m.ms.closeTime, T1);
    assert.deepEqual(m.ms.activities, {});
    assert.deepEqual(m.ms.timers, {});
    assert.equal(m.ms.workflowTask, undefined);
    assert.equal(m.successor, undefined);
  });

  test('commands after the first close command are ignored', () => {
    const { m } = respond(
      runWithStartedTask(),
      [
        { commandType: C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} },
        { commandType: C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, failWorkflowExecutionCommandAttributes: { failure: applicationFailure() } },
        startTimer('t1', SECOND),
      ],
      T1,
    );
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'WORKFLOW_EXECUTION_COMPLETED']);
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  });

  test('completing a cron workflow names the next run in WorkflowExecutionCompleted and plans it with the result as last completion result', () => {
    const result = { payloads: [jsonPayload(7)] };
    const { m } = respond(
      runWithStartedTask({ cronSchedule: '*/5 * * * *' }),
      [{ commandType: C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: { result } }],
      T1,
    );
    const plan = m.successor;
    assert.ok(plan);
    assert.equal(eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED).workflowExecutionCompletedEventAttributes?.newExecutionRunId, plan.runId);
    assert.equal(plan.initiator, enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
    assert.deepEqual(plan.lastCompletionResult, result);
    assert.equal(plan.backoffMs, 5 * MINUTE - SECOND);
  });

  test('FailWorkflowExecution without a retry policy writes WorkflowExecutionFailed with RETRY_POLICY_NOT_SET and no next run', () => {
    const failure = applicationFailure('Boom');
    const { m } = respond(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, failWorkflowExecutionCommandAttributes: { failure } }],
      T1,
    );
    const failed = eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED).workflowExecutionFailedEventAttributes;
    assert.deepEqual(failed?.failure, failure);
    assert.equal(failed?.retryState, enums.RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET);
    assert.equal(failed?.newExecutionRunId, '');
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_FAILED);
    assert.equal(m.successor, undefined);
  });

  test('FailWorkflowExecution with a retry policy left: IN_PROGRESS, and the next attempt named and planned after the backoff', () => {
    const ms = runWithStartedTask({ retryPolicy: { initialInterval: seconds(3), maximumAttempts: 3 } });
    const failure = applicationFailure('Boom');
    const { m } = respond(ms, [{ commandType: C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, failWorkflowExecutionCommandAttributes: { failure } }], T1);
    const failed = eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED).workflowExecutionFailedEventAttributes;
    assert.equal(failed?.retryState, enums.RetryState.RETRY_STATE_IN_PROGRESS);
    assert.ok(m.successor);
    assert.equal(failed?.newExecutionRunId, m.successor.runId);
    assert.equal(m.successor.initiator, enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY);
    assert.equal(m.successor.attempt, 2);
    assert.equal(m.successor.backoffMs, 3 * SECOND);
    assert.deepEqual(m.successor.continuedFailure, failure);
  });

  test('a FailWorkflowExecution without a failure fails the task with BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, failWorkflowExecutionCommandAttributes: {} }],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
    );
  });

  test('CancelWorkflowExecution writes WorkflowExecutionCanceled with its details and closes the run as CANCELED', () => {
    const details = { payloads: [jsonPayload('bye')] };
    const { m } = respond(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION, cancelWorkflowExecutionCommandAttributes: { details } }],
      T1,
    );
    assert.deepEqual(eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED).workflowExecutionCanceledEventAttributes?.details, details);
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_CANCELED);
  });

  test('ContinueAsNew writes WorkflowExecutionContinuedAsNew naming the new run, inherits type and task queue, and plans the new run', () => {
    const input = { payloads: [jsonPayload({ n: 2 })] };
    const attrs = { input, backoffStartInterval: seconds(30) };
    const { m } = respond(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION, continueAsNewWorkflowExecutionCommandAttributes: attrs }],
      T1,
    );
    const can = eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW).workflowExecutionContinuedAsNewEventAttributes;
    const plan = m.successor;
    assert.ok(plan);
    assert.equal(can?.newExecutionRunId, plan.runId);
    assert.equal(can?.workflowType?.name, 'MyWorkflow');
    assert.equal(can?.taskQueue?.name, TASK_QUEUE);
    assert.deepEqual(can?.input, input);
    assert.equal(can?.initiator, enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW);
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
    assert.equal(plan.attempt, 1);
    assert.equal(plan.backoffMs, 30 * SECOND);
    assert.equal(plan.continueAsNew, attrs);
  });
});

describe('child workflows and external workflows', () => {
  const startChild = (attrs: command.IStartChildWorkflowExecutionCommandAttributes): command.ICommand => ({
    commandType: C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
    startChildWorkflowExecutionCommandAttributes: attrs,
  });
  const signal = (attrs: command.ISignalExternalWorkflowExecutionCommandAttributes): command.ICommand => ({
    commandType: C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
    signalExternalWorkflowExecutionCommandAttributes: attrs,
  });
  const cancelExternal = (attrs: command.IRequestCancelExternalWorkflowExecutionCommandAttributes): command.ICommand => ({
    commandType: C.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
    requestCancelExternalWorkflowExecutionCommandAttributes: attrs,
  });

  test("StartChildWorkflowExecution writes the Initiated event with Temporal's defaults and records the pending child", () => {
    const { m, completedId } = respond(runWithStartedTask(), [startChild({ workflowId: 'child-1', workflowType: { name: 'Child' } })], T1);
    const event = eventOf(m.events, E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
    const attrs = event.startChildWorkflowExecutionInitiatedEventAttributes;
    assert.equal(attrs?.namespace, NAMESPACE);
    assert.equal(attrs?.taskQueue?.name, TASK_QUEUE);
    assert.equal(attrs?.parentClosePolicy, enums.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE);
    assert.equal(attrs?.workflowIdReusePolicy, enums.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE);
    assert.equal(toNumber(attrs?.workflowTaskCompletedEventId), completedId);
    const initiatedEventId = toNumber(event.eventId);
    assert.deepEqual(m.ms.children[String(initiatedEventId)], {
      initiatedEventId,
      namespace: NAMESPACE,
      workflowId: 'child-1',
      workflowType: 'Child',
      parentClosePolicy: enums.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE,
    });
  });

  test('a StartChildWorkflowExecution keeps an explicit parent close policy and task queue', () => {
    const policy = enums.ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON;
    const { m } = respond(
      runWithStartedTask(),
      [startChild({ workflowId: 'c', workflowType: { name: 'Child' }, taskQueue: { name: 'kids' }, parentClosePolicy: policy })],
      T1,
    );
    const attrs = eventOf(m.events, E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED).startChildWorkflowExecutionInitiatedEventAttributes;
    assert.equal(attrs?.taskQueue?.name, 'kids');
    assert.equal(attrs?.parentClosePolicy, policy);
    assert.equal(Object.values(m.ms.children)[0]?.parentClosePolicy, policy);
  });

  test('a StartChildWorkflowExecution without a workflow id fails the task with BAD_START_CHILD_EXECUTION_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [startChild({ workflowType: { name: 'Child' } })],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
      /WorkflowId/,
    );
  });

  test('a StartChildWorkflowExecution without a workflow type fails the task with BAD_START_CHILD_EXECUTION_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [startChild({ workflowId: 'child-1' })],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
      /WorkflowType/,
    );
  });

  test('SignalExternalWorkflowExecution writes the Initiated event and records the request until it is delivered', () => {
    const { m } = respond(runWithStartedTask(), [signal({ execution: { workflowId: 'other', runId: 'r' }, signalName: 'go', childWorkflowOnly: true })], T1);
    const event = eventOf(m.events, E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
    assert.equal(event.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName, 'go');
    assert.equal(event.signalExternalWorkflowExecutionInitiatedEventAttributes?.namespace, NAMESPACE);
    const id = toNumber(event.eventId);
    assert.deepEqual(m.ms.externalRequests[String(id)], {
      kind: 'signal',
      initiatedEventId: id,
      namespace: NAMESPACE,
      workflowId: 'other',
      runId: 'r',
      childWorkflowOnly: true,
    });
  });

  test('a SignalExternalWorkflowExecution without a target or a signal name fails the task with BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES', () => {
    const cause = Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES;
    assertRejected(runWithStartedTask(), [signal({ signalName: 'go' })], cause, /Execution/);
    assertRejected(runWithStartedTask(), [signal({ execution: { runId: 'r' }, signalName: 'go' })], cause, /Execution/);
    assertRejected(runWithStartedTask(), [signal({ execution: { workflowId: 'other' } })], cause, /SignalName/);
  });

  test('RequestCancelExternalWorkflowExecution writes the Initiated event and records the request until it is delivered', () => {
    const { m } = respond(runWithStartedTask(), [cancelExternal({ workflowId: 'other', reason: 'enough' })], T1);
    const event = eventOf(m.events, E.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
    const attrs = event.requestCancelExternalWorkflowExecutionInitiatedEventAttributes;
    assert.equal(attrs?.workflowExecution?.workflowId, 'other');
    assert.equal(attrs?.reason, 'enough');
    assert.equal(m.ms.externalRequests[String(toNumber(event.eventId))]?.kind, 'cancel');
  });

  test('a RequestCancelExternalWorkflowExecution without a workflow id fails the task with BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [cancelExternal({ runId: 'r' })],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
    );
  });
});

describe('protocol messages', () => {
  test('a ProtocolMessage command applies its message at its position among the commands', () => {
    const { m, messages } = respond(
      runWithStartedTask(),
      [
        { commandType: C.COMMAND_TYPE_PROTOCOL_MESSAGE, protocolMessageCommandAttributes: { messageId: 'update-1/accept' } },
        startTimer('t1', SECOND),
        { commandType: C.COMMAND_TYPE_PROTOCOL_MESSAGE, protocolMessageCommandAttributes: { messageId: 'update-1/complete' } },
      ],
      T1,
    );
    assert.deepEqual(messages, ['update-1/accept', 'update-1/complete']);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'TIMER_STARTED']);
  });

  test('a ProtocolMessage command without a message id fails the task with BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', () => {
    assertRejected(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_PROTOCOL_MESSAGE, protocolMessageCommandAttributes: {} }],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
    );
  });
});
