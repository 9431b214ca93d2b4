/**
 * What a run is waiting for, derived from its mutable state alone: the instants at which something
 * becomes due (timers, timeouts, backoffs) and the tasks matching may hand to workers. What happens
 * when such an instant comes is specified in test/unit/state/timeouts.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enums, msToDuration } from '../../../src/common/proto';
import { deadlines, dispatchableTasks, nextDeadline } from '../../../src/engine/dispatch/task-generator';
import { failActivityAttempt } from '../../../src/engine/state/activity-state';
import type { MutableState } from '../../../src/store/records';
import {
  HOUR,
  MINUTE,
  SECOND,
  STICKY_QUEUE,
  T0,
  TASK_QUEUE,
  activityStarted,
  change,
  commit,
  completedSticky,
  newRun,
  respondAndCommit,
  runWithActivity,
  runWithStartedTask,
  seconds,
  signalled,
  startTask,
  startTimer,
} from '../fixtures';

const S = enums.WorkflowExecutionStatus;

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
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
    const { ms } = runWithActivity(timeouts);
    assert.deepEqual(sorted(deadlines(ms)), [T0 + 20 * SECOND, T0 + 60 * SECOND]);
  });

  test('a started activity is due start-to-close after it started, and a heartbeat timeout after it started', () => {
    const { ms, scheduledEventId: id } = runWithActivity(timeouts);
    assert.deepEqual(sorted(deadlines(activityStarted(ms, id, T0 + 5 * SECOND))), [T0 + 8 * SECOND, T0 + 15 * SECOND, T0 + 60 * SECOND]);
  });

  test('a heartbeat moves the heartbeat deadline', () => {
    const { ms, scheduledEventId: id } = runWithActivity(timeouts);
    const started = activityStarted(ms, id, T0 + 5 * SECOND);
    const heartbeat: MutableState = { ...started, activities: { [String(id)]: { ...started.activities[String(id)]!, lastHeartbeatTime: T0 + 7 * SECOND } } };
    assert.deepEqual(sorted(deadlines(heartbeat)), [T0 + 10 * SECOND, T0 + 15 * SECOND, T0 + 60 * SECOND]);
  });

  test('an activity waiting out a retry backoff is due when the backoff ends, and schedule-to-start counts from then', () => {
    const { ms, scheduledEventId: id } = runWithActivity({ ...timeouts, retryPolicy: { initialInterval: seconds(2) } });
    const m = change(activityStarted(ms, id, T0 + 5 * SECOND), T0 + 6 * SECOND);
    const a = m.activity(id);
    assert.ok(a);
    failActivityAttempt(m, a, { message: 'flaky', applicationFailureInfo: { type: 'Flaky' } }, 'activity-worker');
    const backingOff = commit(m);
    assert.deepEqual(sorted(deadlines(backingOff)), [T0 + 8 * SECOND, T0 + 28 * SECOND, T0 + 60 * SECOND]);
  });

  test('nextDeadline is the earliest of all deadlines of the run', () => {
    const { ms, scheduledEventId: id } = runWithActivity(timeouts, { workflowRunTimeout: msToDuration(10 * MINUTE) });
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
    const { ms, scheduledEventId: id } = runWithActivity({});
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
