import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceError } from '../../../src/common/errors';
import { enums, int64, toNumber } from '../../../src/common/proto';
import { addSignal } from '../../../src/engine/state/execution';
import { decodeEvent, type RunMutator } from '../../../src/engine/state/mutator';
import { rebuildMutableState } from '../../../src/engine/state/rebuild';
import { createResetRun, resetReapplyExcludeTypes, type ResetSpec } from '../../../src/engine/state/reset';
import { completeWorkflowTask, startWorkflowTask } from '../../../src/engine/state/workflow-task-state';
import { applyCommands } from '../../../src/engine/state/commands';
import type { MutableState } from '../../../src/store/records';
import { change, MINUTE, newRun, NAMESPACE_ID, scheduleActivity, SECOND, seal, startTimer, T0, typesOf } from '../fixtures';

const E = enums.EventType;
const Exclude = enums.ResetReapplyExcludeType;

type Row = { eventId: number; data: Uint8Array };

/** A run's committed history and state, built transaction by transaction as the engine commits them. */
class Recorded {
  readonly rows: Row[] = [];
  ms: MutableState;

  constructor(m: RunMutator) {
    this.ms = this.commit(m);
  }

  next(now: number, fn: (m: RunMutator) => void): this {
    const m = change(this.ms, now);
    fn(m);
    this.ms = this.commit(m);
    return this;
  }

  private commit(m: RunMutator): MutableState {
    const mutation = seal(m);
    this.rows.push(...mutation.newEvents);
    return mutation.mutableState;
  }

  /** Events 1..finishEventId-1, as the reset copies them. */
  before(finishEventId: number): Row[] {
    return this.rows.filter((r) => r.eventId < finishEventId);
  }

  after(finishEventId: number): ReturnType<typeof decodeEvent>[] {
    return this.rows.filter((r) => r.eventId >= finishEventId).map((r) => decodeEvent(r.data));
  }
}

/**
 * 1 Started, 2 WFTScheduled, 3 WFTStarted, 4 WFTCompleted, 5 ActivityTaskScheduled, 6 TimerStarted (1 min),
 * 7 Signaled, 8 WFTScheduled, 9 WFTStarted, 10 WFTCompleted, 11 Signaled, 12 WFTScheduled.
 */
function recordedRun(): Recorded {
  return new Recorded(newRun())
    .next(T0, (m) => startWorkflowTask(m, 'poll-1', 'worker'))
    .next(T0 + SECOND, (m) => {
      const completed = completeWorkflowTask(m, { identity: 'worker', binaryChecksum: 'build-1' });
      applyCommands(m, [scheduleActivity('activity-1'), startTimer('timer-1', MINUTE)], completed, () => undefined);
    })
    .next(T0 + 2 * SECOND, (m) => addSignal(m, 'first', null, null, 'client'))
    .next(T0 + 3 * SECOND, (m) => startWorkflowTask(m, 'poll-2', 'worker'))
    .next(T0 + 4 * SECOND, (m) => completeWorkflowTask(m, { identity: 'worker', binaryChecksum: 'build-1' }))
    .next(T0 + 5 * SECOND, (m) => addSignal(m, 'second', null, null, 'client'));
}

const who = { namespaceId: NAMESPACE_ID, workflowId: 'workflow-id', runId: 'new-run', startRequestId: 'start-request' };

function spec(run: Recorded, finishEventId: number, overrides: Partial<ResetSpec> = {}): ResetSpec {
  return {
    baseRunId: run.ms.runId,
    newRunId: who.runId,
    reason: 'bad deploy',
    requestId: 'reset-request',
    finishEventId,
    laterEvents: run.after(finishEventId),
    exclude: new Set(),
    ...overrides,
  };
}

describe('mutable state rebuilt from history (Temporal’s state rebuilder)', () => {
  test('pending work is what the live run has: the workflow task, activities, timers with their original deadline, reset points', () => {
    const run = recordedRun();
    assert.deepEqual(typesOf(run.rows.map((r) => decodeEvent(r.data))).slice(-2), ['WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_TASK_SCHEDULED']);
    const rebuilt = rebuildMutableState(
      run.rows.map((r) => decodeEvent(r.data)),
      { ...who, runId: run.ms.runId },
    );
    assert.equal(rebuilt.nextEventId, run.ms.nextEventId);
    assert.equal(rebuilt.lastCompletedWorkflowTaskStartedEventId, run.ms.lastCompletedWorkflowTaskStartedEventId);
    assert.equal(rebuilt.workflowTask?.scheduledEventId, run.ms.workflowTask?.scheduledEventId);
    assert.deepEqual(Object.keys(rebuilt.activities), Object.keys(run.ms.activities));
    assert.deepEqual(rebuilt.timers, run.ms.timers, 'a timer keeps the deadline its start gave it');
    assert.equal(rebuilt.timers['timer-1']?.expiryTime, T0 + SECOND + MINUTE);
    assert.deepEqual(rebuilt.autoResetPoints, run.ms.autoResetPoints);
    assert.equal(rebuilt.autoResetPoints?.length, 1, 'one point per binary checksum and build id');
    assert.equal(rebuilt.autoResetPoints?.[0]?.firstWorkflowTaskCompletedId, 4);
    assert.equal(rebuilt.firstExecutionRunId, run.ms.firstExecutionRunId);
    assert.equal(rebuilt.workflowTaskTimeoutMs, run.ms.workflowTaskTimeoutMs);
  });
});

describe('the run a reset creates (Temporal’s workflowResetter)', () => {
  test('reset to the first completed task: history up to its start, WorkflowTaskFailed RESET_WORKFLOW, the later signals, a new task', () => {
    const run = recordedRun();
    const now = T0 + MINUTE;
    const m = createResetRun(run.before(4), who, spec(run, 4), now);
    const mutation = m.toRunMutation();
    const events = mutation.newEvents.map((e) => decodeEvent(e.data));
    assert.deepEqual(typesOf(events), [
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_FAILED',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WORKFLOW_TASK_SCHEDULED',
    ]);
    assert.deepEqual(
      events.map((e) => toNumber(e.eventId)),
      [1, 2, 3, 4, 5, 6, 7],
    );
    const failed = events[3]?.workflowTaskFailedEventAttributes;
    assert.equal(failed?.cause, enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW);
    assert.equal(failed?.baseRunId, run.ms.runId);
    assert.equal(failed?.newRunId, 'new-run');
    assert.equal(failed?.failure?.message, 'bad deploy');
    assert.ok(failed?.failure?.resetWorkflowFailureInfo);
    assert.equal(failed?.identity, 'history-service');
    assert.equal(toNumber(failed?.startedEventId), 3);
    assert.deepEqual(
      events.slice(4, 6).map((e) => e.workflowExecutionSignaledEventAttributes?.signalName),
      ['first', 'second'],
    );
    const ms = mutation.mutableState;
    assert.equal(ms.runId, 'new-run');
    assert.equal(ms.workflowTask?.scheduledEventId, 7);
    assert.equal(ms.workflowTask?.attempt, 1);
    assert.deepEqual(ms.activities, {}, 'the activity was scheduled after the reset point');
    assert.deepEqual(ms.timers, {});
    assert.equal(ms.lastResetTime, now);
    assert.ok(ms.requestIds.includes('reset-request'));
    assert.ok(ms.historySizeBytes > 0, 'the copied events count in the history size');
    assert.equal(mutation.expectedDbVersion, 0);
  });

  test('a later reset point keeps the pending activity (scheduled anew from the reset) and the timer; the signal before it is not reapplied', () => {
    const run = recordedRun();
    const now = T0 + 10 * MINUTE;
    const m = createResetRun(run.before(10), who, spec(run, 10), now);
    const mutation = m.toRunMutation();
    const events = mutation.newEvents.map((e) => decodeEvent(e.data));
    assert.deepEqual(typesOf(events.slice(9)), ['WORKFLOW_TASK_FAILED', 'WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_TASK_SCHEDULED']);
    assert.equal(events[10]?.workflowExecutionSignaledEventAttributes?.signalName, 'second');
    const activity = mutation.mutableState.activities['5'];
    assert.equal(activity?.scheduledTime, now);
    assert.equal(activity?.currentAttemptScheduledTime, now);
    assert.deepEqual(
      mutation.activityChanges.map((c) => c.scheduledEventId),
      [5],
      'the activity is stored with the new run',
    );
    assert.equal(mutation.mutableState.timers['timer-1']?.expiryTime, T0 + SECOND + MINUTE);
  });

  test('a reset to a WorkflowTaskStarted event starts the inherited scheduled task as the history service, then fails it', () => {
    const run = recordedRun();
    const events = createResetRun(run.before(3), who, spec(run, 3), T0 + MINUTE)
      .toRunMutation()
      .newEvents.map((e) => decodeEvent(e.data));
    assert.deepEqual(typesOf(events.slice(1, 4)), ['WORKFLOW_TASK_SCHEDULED', 'WORKFLOW_TASK_STARTED', 'WORKFLOW_TASK_FAILED']);
    assert.equal(events[2]?.workflowTaskStartedEventAttributes?.identity, 'history-service');
  });

  test('a point with no workflow task pending before it is refused with Temporal’s message', () => {
    const run = recordedRun();
    assert.throws(
      () => createResetRun(run.before(5), who, spec(run, 5), T0 + MINUTE),
      (err: unknown) =>
        err instanceof ServiceError &&
        err.code === 'INVALID_ARGUMENT' &&
        err.message === 'Can only reset workflow to event ID in range [WorkflowTaskScheduled +1, WorkflowTaskStarted + 1]: 5',
    );
  });

  test('a child initiated before the point keeps its start and close from after it, the close naming the start’s new event id', () => {
    const childStarted = {
      initiatedEventId: int64(5),
      namespace: 'default',
      workflowExecution: { workflowId: 'child', runId: 'child-run' },
      workflowType: { name: 'Child' },
    };
    const run = new Recorded(newRun())
      .next(T0, (m) => startWorkflowTask(m, 'poll-1', 'worker'))
      .next(T0 + SECOND, (m) => {
        const completed = completeWorkflowTask(m, { identity: 'worker' });
        const startChild = {
          commandType: enums.CommandType.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
          startChildWorkflowExecutionCommandAttributes: { workflowId: 'child', workflowType: { name: 'Child' } },
        };
        applyCommands(m, [startChild], completed, () => undefined);
      })
      .next(T0 + 2 * SECOND, (m) => addSignal(m, 'poke', null, null, 'client'))
      .next(T0 + 3 * SECOND, (m) => startWorkflowTask(m, 'poll-2', 'worker'))
      .next(T0 + 4 * SECOND, (m) => m.add({ childWorkflowExecutionStartedEventAttributes: childStarted }))
      .next(T0 + 5 * SECOND, (m) => completeWorkflowTask(m, { identity: 'worker' }))
      .next(T0 + 6 * SECOND, (m) => startWorkflowTask(m, 'poll-3', 'worker'))
      .next(T0 + 7 * SECOND, (m) => completeWorkflowTask(m, { identity: 'worker' }))
      .next(T0 + 8 * SECOND, (m) => m.add({ childWorkflowExecutionCompletedEventAttributes: { ...childStarted, startedEventId: int64(10) } }));
    assert.deepEqual(typesOf(run.after(9)), [
      'WORKFLOW_TASK_COMPLETED',
      'CHILD_WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'CHILD_WORKFLOW_EXECUTION_COMPLETED',
      'WORKFLOW_TASK_SCHEDULED',
    ]);
    const mutation = createResetRun(run.before(9), who, spec(run, 9), T0 + MINUTE).toRunMutation();
    const events = mutation.newEvents.map((e) => decodeEvent(e.data));
    assert.deepEqual(typesOf(events.slice(8)), [
      'WORKFLOW_TASK_FAILED',
      'CHILD_WORKFLOW_EXECUTION_STARTED',
      'CHILD_WORKFLOW_EXECUTION_COMPLETED',
      'WORKFLOW_TASK_SCHEDULED',
    ]);
    assert.equal(toNumber(events[10]?.childWorkflowExecutionCompletedEventAttributes?.startedEventId), 10);
    assert.deepEqual(mutation.mutableState.children, {});
  });

  test('excluded signals are not reapplied', () => {
    const run = recordedRun();
    const exclude = resetReapplyExcludeTypes([Exclude.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL], undefined);
    const events = createResetRun(run.before(4), who, spec(run, 4, { exclude }), T0 + MINUTE)
      .toRunMutation()
      .newEvents.map((e) => decodeEvent(e.data));
    assert.equal(events.filter((e) => e.eventType === E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED).length, 0);
  });
});

describe('which events a reset reapplies (Temporal’s GetResetReapplyExcludeTypes)', () => {
  test('the deprecated reapply type adds to the exclude list', () => {
    assert.deepEqual([...resetReapplyExcludeTypes([], enums.ResetReapplyType.RESET_REAPPLY_TYPE_UNSPECIFIED)], []);
    assert.deepEqual([...resetReapplyExcludeTypes([], enums.ResetReapplyType.RESET_REAPPLY_TYPE_ALL_ELIGIBLE)], []);
    assert.deepEqual([...resetReapplyExcludeTypes([], enums.ResetReapplyType.RESET_REAPPLY_TYPE_SIGNAL)], [Exclude.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE]);
    assert.deepEqual([...resetReapplyExcludeTypes([Exclude.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE], enums.ResetReapplyType.RESET_REAPPLY_TYPE_NONE)].sort(), [
      Exclude.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL,
      Exclude.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE,
    ]);
  });

  test('an unknown reapply type is an internal error, as in Temporal', () => {
    assert.throws(
      () => resetReapplyExcludeTypes([], 99 as enums.ResetReapplyType),
      (err: unknown) => err instanceof ServiceError && err.code === 'INTERNAL' && err.message === 'unknown reset reapply type: 99',
    );
  });
});
