import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enums, Long, msToDuration } from '../../../src/common/proto';
import {
  applyPatch,
  confirmStart,
  futureActionTimes,
  newProgress,
  recordRunClosed,
  tick,
  type ISchedule,
  type ScheduleDoc,
} from '../../../src/schedules/schedule-state';
import { canonicalize } from '../../../src/schedules/spec';

// The scheduler's decisions as Temporal's v1 scheduler workflow takes them (service/worker/scheduler/workflow.go,
// buffer.go and their tests): what starts, what is skipped, buffered or missed, and what the counters say.

const P = enums.ScheduleOverlapPolicy;
const Status = enums.WorkflowExecutionStatus;
const MINUTE = 60_000;
const T0 = Date.parse('2024-01-01T00:00:30Z');

function makeDoc(schedule: ISchedule = {}): ScheduleDoc {
  return {
    namespaceId: 'ns',
    scheduleId: 'sched',
    schedule: {
      spec: { interval: [{ interval: msToDuration(MINUTE) }] },
      action: { startWorkflow: { workflowId: 'wf', workflowType: { name: 'W' }, taskQueue: { name: 'q' } } },
      ...schedule,
    },
    progress: newProgress(T0),
    conflictToken: 1,
  };
}

const spec = (doc: ScheduleDoc) => canonicalize(doc.schedule.spec);
const runTick = (doc: ScheduleDoc, now: number) => tick(doc, spec(doc), now);
/** Starts every pending start as if the engine answered with run `r-<workflow id>`. */
function startAll(doc: ScheduleDoc): string[] {
  const ids = doc.progress.pendingStarts.map((p) => p.workflowId);
  for (const p of [...doc.progress.pendingStarts]) confirmStart(doc, p, `r-${p.workflowId}`);
  return ids;
}
const closeRun = (doc: ScheduleDoc, workflowId: string, status = Status.WORKFLOW_EXECUTION_STATUS_COMPLETED, failureMessage?: string) =>
  recordRunClosed(doc, { workflowId, runId: `r-${workflowId}`, status, failureMessage });

describe('schedule state', () => {
  test('each due time starts one workflow named <workflowId>-<nominal time, RFC 3339 to the second>; the next wake-up is the next time', () => {
    const doc = makeDoc();
    const result = runTick(doc, T0 + MINUTE);
    assert.deepEqual(startAll(doc), ['wf-2024-01-01T00:01:00Z']);
    assert.equal(result.nextWakeup, Date.parse('2024-01-01T00:02:00Z'));
    assert.equal(doc.progress.actionCount, 1);
    assert.deepEqual(doc.progress.running, [{ workflowId: 'wf-2024-01-01T00:01:00Z', runId: 'r-wf-2024-01-01T00:01:00Z' }]);
  });

  test('pending starts carry a request id derived from the schedule and the nominal time, the same when decided again', () => {
    const a = makeDoc();
    const b = makeDoc();
    runTick(a, T0 + MINUTE);
    runTick(b, T0 + MINUTE);
    assert.equal(a.progress.pendingStarts[0]?.requestId, b.progress.pendingStarts[0]?.requestId);
  });

  test('SKIP: a time that comes while the last run is open is skipped and counted', () => {
    const doc = makeDoc();
    runTick(doc, T0 + MINUTE);
    startAll(doc);
    runTick(doc, T0 + 2 * MINUTE);
    assert.deepEqual(startAll(doc), []);
    assert.equal(doc.progress.overlapSkipped, 1);
  });

  test('BUFFER_ONE keeps one start for when the run closes and skips the rest; BUFFER_ALL keeps them all', () => {
    const one = makeDoc({ policies: { overlapPolicy: P.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE } });
    runTick(one, T0 + MINUTE);
    const [first = ''] = startAll(one);
    runTick(one, T0 + 3 * MINUTE);
    assert.equal(one.progress.buffer.length, 1);
    assert.equal(one.progress.overlapSkipped, 1);
    closeRun(one, first);
    runTick(one, T0 + 3 * MINUTE + 1);
    assert.deepEqual(startAll(one), ['wf-2024-01-01T00:02:00Z']);

    const all = makeDoc({ policies: { overlapPolicy: P.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL } });
    runTick(all, T0 + MINUTE);
    startAll(all);
    runTick(all, T0 + 3 * MINUTE);
    assert.equal(all.progress.buffer.length, 2);
    assert.equal(all.progress.overlapSkipped, 0);
  });

  test('CANCEL_OTHER and TERMINATE_OTHER ask to stop the open run and start the new one once it has closed', () => {
    for (const [policy, field] of [
      [P.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER, 'cancel'],
      [P.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER, 'terminate'],
    ] as const) {
      const doc = makeDoc({ policies: { overlapPolicy: policy } });
      runTick(doc, T0 + MINUTE);
      const [first = ''] = startAll(doc);
      const result = runTick(doc, T0 + 2 * MINUTE);
      assert.deepEqual(result[field], [{ workflowId: first, runId: `r-${first}` }]);
      assert.equal(doc.progress.buffer.length, 1);
      closeRun(doc, first, Status.WORKFLOW_EXECUTION_STATUS_CANCELED);
      runTick(doc, T0 + 2 * MINUTE + 1);
      assert.deepEqual(startAll(doc), ['wf-2024-01-01T00:02:00Z']);
    }
  });

  test('ALLOW_ALL starts every time, and its runs do not hold back the others', () => {
    const doc = makeDoc({ policies: { overlapPolicy: P.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL } });
    runTick(doc, T0 + 3 * MINUTE);
    assert.equal(startAll(doc).length, 3);
    assert.deepEqual(doc.progress.running, []);
  });

  test('times older than the catch-up window when the scheduler wakes are counted as missed, not run (minimum 10 s)', () => {
    const doc = makeDoc({ policies: { catchupWindow: msToDuration(1000), overlapPolicy: P.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL } });
    runTick(doc, Date.parse('2024-01-01T00:10:05Z'));
    assert.deepEqual(startAll(doc), ['wf-2024-01-01T00:10:00Z'], 'the window is raised to 10 s');
    assert.equal(doc.progress.missedCatchupWindow, 9);
  });

  test('paused: times pass without actions and are not caught up after unpausing', () => {
    const doc = makeDoc();
    applyPatch(doc, { pause: 'stop' }, T0);
    runTick(doc, T0 + 5 * MINUTE);
    assert.deepEqual(startAll(doc), []);
    assert.equal(doc.conflictToken, 2);
    applyPatch(doc, { unpause: 'go' }, T0 + 5 * MINUTE);
    runTick(doc, T0 + 6 * MINUTE);
    assert.deepEqual(startAll(doc), ['wf-2024-01-01T00:06:00Z']);
    assert.equal(doc.schedule.state?.notes, 'go');
  });

  test('limited actions: each scheduled start uses one up, and none start at zero; future times show only what is left', () => {
    const doc = makeDoc({ state: { limitedActions: true, remainingActions: Long.fromNumber(2) } });
    assert.equal(futureActionTimes(doc, spec(doc), 10).length, 2);
    runTick(doc, T0 + MINUTE);
    closeRun(doc, startAll(doc)[0] ?? '');
    runTick(doc, T0 + 2 * MINUTE);
    closeRun(doc, startAll(doc)[0] ?? '');
    runTick(doc, T0 + 3 * MINUTE);
    assert.deepEqual(startAll(doc), []);
    assert.equal(doc.progress.actionCount, 2);
    assert.equal(Number(doc.schedule.state?.remainingActions), 0);
  });

  test('trigger immediately starts now even while paused, with its own overlap policy', () => {
    const doc = makeDoc({ state: { paused: true } });
    applyPatch(doc, { triggerImmediately: { overlapPolicy: P.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL } }, T0 + 1500);
    runTick(doc, T0 + 1500);
    assert.deepEqual(startAll(doc), ['wf-2024-01-01T00:00:31Z']);
  });

  test('a backfill acts on the times in its range, start inclusive, outside the catch-up window and pause', () => {
    const doc = makeDoc({ state: { paused: true }, policies: { catchupWindow: msToDuration(10_000) } });
    const start = Date.parse('2023-12-31T00:00:00Z');
    applyPatch(
      doc,
      {
        backfillRequest: [
          {
            startTime: { seconds: Long.fromNumber(start / 1000) },
            endTime: { seconds: Long.fromNumber(start / 1000 + 180) },
            overlapPolicy: P.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
          },
        ],
      },
      T0,
    );
    runTick(doc, T0);
    assert.deepEqual(startAll(doc), ['wf-2023-12-31T00:00:00Z', 'wf-2023-12-31T00:01:00Z', 'wf-2023-12-31T00:02:00Z', 'wf-2023-12-31T00:03:00Z']);
  });

  test('pause on failure: a failed run pauses the schedule with a note naming it', () => {
    const doc = makeDoc({ policies: { pauseOnFailure: true } });
    runTick(doc, T0 + MINUTE);
    const [first = ''] = startAll(doc);
    closeRun(doc, first, Status.WORKFLOW_EXECUTION_STATUS_FAILED, 'boom');
    assert.equal(doc.schedule.state?.paused, true);
    assert.equal(doc.schedule.state?.notes, `paused due to workflow failure: ${first}: boom`);
    assert.equal(doc.progress.recentActions[0]?.status, Status.WORKFLOW_EXECUTION_STATUS_FAILED);
    runTick(doc, T0 + 5 * MINUTE);
    assert.deepEqual(startAll(doc), []);
  });

  test('the last 10 actions are kept, newest last', () => {
    const doc = makeDoc({ policies: { overlapPolicy: P.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL } });
    runTick(doc, T0 + 12 * MINUTE);
    startAll(doc);
    assert.equal(doc.progress.actionCount, 12);
    assert.equal(doc.progress.recentActions.length, 10);
    assert.equal(doc.progress.recentActions[9]?.workflowId, 'wf-2024-01-01T00:12:00Z');
  });
});
