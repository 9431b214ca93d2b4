/**
 * ScheduleActivityTask and RequestCancelActivityTask: the events they write, the pending activity
 * they add or cancel, the timeouts and retry policy Temporal derives, and the causes they fail with.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { durationToMs, enums, int64, msToDuration, toNumber, type command } from '../../../src/common/proto';
import {
  HOUR,
  activityStarted,
  SECOND,
  T0,
  TASK_QUEUE,
  assertRejected,
  eventOf,
  jsonPayload,
  respond,
  runWithActivity,
  runWithStartedTask,
  scheduleActivity,
  seconds,
  signalled,
  startTask,
  typesOf,
} from '../fixtures';

const C = enums.CommandType;
const E = enums.EventType;
const Cause = enums.WorkflowTaskFailedCause;
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
    assertRejected(startTask(signalled(ms, T0), T0), [scheduleActivity('activity-1')], Cause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID);
  });
});

describe('RequestCancelActivityTask', () => {
  const cancel = (scheduledEventId: number): command.ICommand => ({
    commandType: C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
    requestCancelActivityTaskCommandAttributes: { scheduledEventId: int64(scheduledEventId) },
  });

  test('an activity no worker has started is cancelled at once: CancelRequested, then Canceled, and a new workflow task', () => {
    const { ms, scheduledEventId } = runWithActivity();
    const started = startTask(signalled(ms, T0), T0);
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
    const started = startTask(signalled(activityStarted(ms, scheduledEventId, T0), T0), T0);
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
