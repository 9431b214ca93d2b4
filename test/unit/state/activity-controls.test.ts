/**
 * Pausing, unpausing, resetting an activity and changing its options, as Temporal's
 * service/history/workflow/activity.go and api/updateactivityoptions change an ActivityInfo: what is
 * dispatched, what times out, and what a failed attempt leads to.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceError } from '../../../src/common/errors';
import { msToDuration } from '../../../src/common/proto';
import { deadlines, dispatchableTasks } from '../../../src/engine/dispatch/task-generator';
import { applyActivityOptions, currentActivityOptions, mergeActivityOptions, parseUpdateMask } from '../../../src/engine/state/activity-options';
import { pauseActivity, resetActivity, targetedActivities, unpauseActivity, type ResetOptions } from '../../../src/engine/state/activity-pause';
import { failActivityAttempt, startActivityAttempt } from '../../../src/engine/state/activity-state';
import { fireDueTimeouts } from '../../../src/engine/state/timeouts';
import type { ActivityInfo, ActivityPauseInfo, MutableState } from '../../../src/store/records';
import { MINUTE, SECOND, T0, applicationFailure, change, commit, runWithActivity, typesOf } from '../fixtures';

const PAUSE: ActivityPauseInfo = { pauseTime: T0, identity: 'operator', reason: 'maintenance', requestId: 'r1' };
const RESET: ResetOptions = { resetHeartbeat: false, keepPaused: false, delayMs: 0, workflowTaskQueue: 'main-queue', runTimeoutMs: 0 };

/** A run with one activity, started at T0 + 1 s unless `started` is false. */
function run(started = true, retryPolicy = { initialInterval: msToDuration(SECOND), backoffCoefficient: 1 }): { ms: MutableState; id: number } {
  const { ms, scheduledEventId } = runWithActivity({ retryPolicy, heartbeatTimeout: msToDuration(5 * SECOND) });
  if (!started) return { ms, id: scheduledEventId };
  const m = change(ms, T0 + SECOND);
  const a = m.activity(scheduledEventId);
  assert.ok(a);
  startActivityAttempt(m, a, 'request', 'worker');
  return { ms: commit(m), id: scheduledEventId };
}

/** Applies `fn` to the activity in a transaction at `now` and commits it. */
function edit(ms: MutableState, id: number, now: number, fn: (a: ActivityInfo, m: ReturnType<typeof change>) => void): MutableState {
  const m = change(ms, now);
  const a = m.activity(id);
  assert.ok(a);
  fn(a, m);
  return commit(m);
}

function activity(ms: MutableState, id: number): ActivityInfo {
  const a = ms.activities[String(id)];
  assert.ok(a);
  return a;
}

function code(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ServiceError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

describe('PauseActivity', () => {
  test('a paused scheduled activity is not dispatched and has no deadlines until unpaused', () => {
    const { ms, id } = run(false);
    assert.equal(dispatchableTasks(ms, T0).length, 1);
    const paused = edit(ms, id, T0, (a) => pauseActivity(a, PAUSE));
    assert.deepEqual(dispatchableTasks(paused, T0 + MINUTE), []);
    assert.ok(!deadlines(paused).some((d) => d > T0 && d !== paused.runExpirationTime), 'no activity deadline while paused');
    const unpaused = edit(paused, id, T0 + MINUTE, (a, m) => unpauseActivity(a, m.now, { resetAttempts: false, resetHeartbeat: false, delayMs: 250 }));
    assert.equal(activity(unpaused, id).currentAttemptScheduledTime, T0 + MINUTE + 250, 'dispatched after the jitter');
    assert.equal(dispatchableTasks(unpaused, T0 + MINUTE + 250).length, 1);
  });

  test('the same request id again is a no-op; another pause of a paused activity is FAILED_PRECONDITION', () => {
    const { ms, id } = run(false);
    const paused = edit(ms, id, T0, (a) => pauseActivity(a, PAUSE));
    assert.equal(
      code(() => pauseActivity({ ...activity(paused, id) }, PAUSE)),
      'no error',
    );
    assert.equal(
      code(() => pauseActivity({ ...activity(paused, id) }, { ...PAUSE, requestId: 'r2' })),
      'FAILED_PRECONDITION: activity is already paused',
    );
  });

  test('a paused running attempt does not time out, and its failure is counted but not retried', () => {
    const { ms, id } = run();
    const paused = edit(ms, id, T0 + 2 * SECOND, (a) => pauseActivity(a, PAUSE));
    const later = change(paused, T0 + 10 * MINUTE);
    fireDueTimeouts(later, () => true);
    assert.deepEqual(typesOf(later.events), [], 'no heartbeat or start-to-close timeout while paused');

    const failed = edit(paused, id, T0 + 3 * SECOND, (a, m) => failActivityAttempt(m, a, applicationFailure('ActivityPause'), 'worker'));
    const a = activity(failed, id);
    assert.equal(a.attempt, 2);
    assert.equal(a.startedTime, undefined);
    assert.equal(a.paused, true);
    assert.deepEqual(dispatchableTasks(failed, T0 + 10 * MINUTE), []);
  });

  test('a paused activity whose failure is not retryable still fails', () => {
    const { ms, id } = run();
    const paused = edit(ms, id, T0 + 2 * SECOND, (a) => pauseActivity(a, PAUSE));
    const m = change(paused, T0 + 3 * SECOND);
    const a = m.activity(id);
    assert.ok(a);
    failActivityAttempt(m, a, applicationFailure('Fatal', { nonRetryable: true }), 'worker');
    commit(m);
    assert.deepEqual(typesOf(m.events).slice(0, 2), ['ACTIVITY_TASK_STARTED', 'ACTIVITY_TASK_FAILED']);
  });
});

describe('UnpauseActivity', () => {
  test('with resetAttempts and resetHeartbeat: attempt 1, no heartbeat details', () => {
    const { ms, id } = run(false);
    const paused = edit(ms, id, T0, (a) => {
      pauseActivity(a, PAUSE);
      a.attempt = 4;
      a.heartbeatDetails = 'AAAA';
    });
    const unpaused = edit(paused, id, T0 + SECOND, (a, m) => unpauseActivity(a, m.now, { resetAttempts: true, resetHeartbeat: true, delayMs: 0 }));
    const a = activity(unpaused, id);
    assert.equal(a.attempt, 1);
    assert.equal(a.heartbeatDetails, undefined);
    assert.equal(a.paused, undefined);
    assert.equal(a.pauseInfo, undefined);
  });

  test('an activity that is not paused is left as it is', () => {
    const { ms, id } = run(false);
    const before = activity(ms, id);
    const after = edit(ms, id, T0 + MINUTE, (a, m) => unpauseActivity(a, m.now, { resetAttempts: true, resetHeartbeat: false, delayMs: 0 }));
    assert.deepEqual(activity(after, id), before);
  });
});

describe('ResetActivity', () => {
  test('in retry backoff: attempt 1 is dispatched now', () => {
    const { ms, id } = run(true, { initialInterval: msToDuration(MINUTE), backoffCoefficient: 1 });
    const failed = edit(ms, id, T0 + 2 * SECOND, (a, m) => failActivityAttempt(m, a, applicationFailure(), 'worker'));
    assert.equal(activity(failed, id).currentAttemptScheduledTime, T0 + 2 * SECOND + MINUTE);
    const reset = edit(failed, id, T0 + 3 * SECOND, (a, m) => resetActivity(a, m.now, RESET));
    const a = activity(reset, id);
    assert.equal(a.attempt, 1);
    assert.equal(a.currentAttemptScheduledTime, T0 + 3 * SECOND);
    assert.equal(a.activityReset, undefined, 'no attempt was running to be told');
    assert.equal(dispatchableTasks(reset, T0 + 3 * SECOND).length, 1);
  });

  test('on a running attempt: it keeps running and is flagged for its heartbeats; its failure retries as attempt 2', () => {
    const { ms, id } = run();
    const reset = edit(ms, id, T0 + 2 * SECOND, (a, m) => resetActivity(a, m.now, { ...RESET, resetHeartbeat: true }));
    const a = activity(reset, id);
    assert.equal(a.activityReset, true);
    assert.equal(a.startedTime, T0 + SECOND);
    const failed = edit(reset, id, T0 + 3 * SECOND, (x, m) => {
      x.heartbeatDetails = 'AAAA';
      failActivityAttempt(m, x, applicationFailure('ActivityReset'), 'worker');
    });
    const b = activity(failed, id);
    assert.equal(b.attempt, 2);
    assert.equal(b.activityReset, undefined);
    assert.equal(b.heartbeatDetails, undefined, 'resetHeartbeat drops the details for the next attempt');
  });

  test('keepPaused leaves a paused activity paused, on attempt 1', () => {
    const { ms, id } = run(false);
    const paused = edit(ms, id, T0, (a) => {
      pauseActivity(a, PAUSE);
      a.attempt = 3;
    });
    const kept = edit(paused, id, T0 + SECOND, (a, m) => resetActivity(a, m.now, { ...RESET, keepPaused: true }));
    assert.equal(activity(kept, id).paused, true);
    assert.equal(activity(kept, id).attempt, 1);
    assert.deepEqual(dispatchableTasks(kept, T0 + MINUTE), []);
    const unpaused = edit(paused, id, T0 + SECOND, (a, m) => resetActivity(a, m.now, RESET));
    assert.equal(activity(unpaused, id).paused, undefined);
    assert.equal(dispatchableTasks(unpaused, T0 + SECOND).length, 1);
  });
});

describe('UpdateActivityOptions', () => {
  test('the update mask (snake or camel case) picks the fields; the others keep their values', () => {
    const { ms, id } = run(false);
    const a = activity(ms, id);
    const merged = mergeActivityOptions(
      currentActivityOptions(a),
      { startToCloseTimeout: msToDuration(7 * SECOND), heartbeatTimeout: msToDuration(SECOND), retryPolicy: { maximumAttempts: 5 } },
      parseUpdateMask(['start_to_close_timeout', 'retryPolicy.maximumAttempts']),
    );
    assert.deepEqual(merged.startToCloseTimeout, msToDuration(7 * SECOND));
    assert.deepEqual(merged.heartbeatTimeout, msToDuration(5 * SECOND));
    assert.equal(merged.retryPolicy?.maximumAttempts, 5);
    assert.equal(merged.retryPolicy?.backoffCoefficient, 1);
  });

  test('a sub-field of an absent message is refused with Temporal’s message', () => {
    assert.throws(() => mergeActivityOptions({}, {}, parseUpdateMask(['retry_policy.initial_interval'])), /RetryPolicy is not provided/);
    assert.throws(() => mergeActivityOptions({}, {}, parseUpdateMask(['task_queue.name'])), /TaskQueue is not provided/);
  });

  test('a retry in backoff is re-timed by the new policy from when the last attempt ended', () => {
    const { ms, id } = run(true, { initialInterval: msToDuration(MINUTE), backoffCoefficient: 1 });
    const failed = edit(ms, id, T0 + 2 * SECOND, (a, m) => failActivityAttempt(m, a, applicationFailure(), 'worker'));
    const updated = edit(failed, id, T0 + 3 * SECOND, (a) => {
      const options = mergeActivityOptions(
        currentActivityOptions(a),
        { retryPolicy: { initialInterval: msToDuration(200) } },
        parseUpdateMask(['retry_policy.initial_interval']),
      );
      applyActivityOptions(a, options, 'main-queue', 0);
    });
    const a = activity(updated, id);
    assert.equal(a.retryPolicy.initialIntervalMs, 200);
    assert.equal(a.currentAttemptScheduledTime, T0 + 2 * SECOND + 200);
  });

  test('timeouts are normalized as a ScheduleActivityTask command’s', () => {
    const { ms, id } = run(false);
    const a = { ...activity(ms, id) };
    assert.throws(
      () => applyActivityOptions(a, { taskQueue: { name: 'q' }, retryPolicy: {} }, 'main-queue', 0),
      /A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand\./,
    );
    const applied = applyActivityOptions(
      a,
      { startToCloseTimeout: msToDuration(20 * SECOND), heartbeatTimeout: msToDuration(MINUTE), retryPolicy: {} },
      'main-queue',
      0,
    );
    assert.deepEqual(applied.heartbeatTimeout, msToDuration(20 * SECOND), 'the heartbeat timeout is capped at start-to-close');
    assert.equal(applied.taskQueue?.name, 'main-queue', 'an empty task queue is the workflow’s');
  });
});

describe('targeting', () => {
  test('by id, by type, or all pending activities; none is NOT_FOUND', () => {
    const { ms, id } = run(false);
    assert.deepEqual(targetedActivities(ms, { id: 'activity-1' }), [id]);
    assert.deepEqual(targetedActivities(ms, { type: 'myActivity' }), [id]);
    assert.deepEqual(targetedActivities(ms, { all: true }), [id]);
    assert.equal(
      code(() => targetedActivities(ms, { id: 'nope' })),
      "NOT_FOUND: Can't find pending activity with such ID. Invalid activityID or activity already completed",
    );
  });
});
