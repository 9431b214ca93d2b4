import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { historyEntrySize } from '../../../src/common/history-bytes';
import { DEFAULT_RUN_LIMITS } from '../../../src/engine/state/run-limits';
import {
  completeWorkflowTask,
  failWorkflowTask,
  retryWorkflowTask,
  startWorkflowTask,
  suggestContinueAsNewReasons,
  transientWorkflowTaskEvents,
} from '../../../src/engine/state/workflow-task-state';
import { T0, change, commit, newRun } from '../fixtures';

const Reason = temporal.api.enums.v1.SuggestContinueAsNewReason;

describe('suggestContinueAsNewReasons', () => {
  test('has Temporal defaults: 4 MiB of history, 4096 events', () => {
    assert.deepEqual(DEFAULT_RUN_LIMITS.suggestContinueAsNew, { historySizeBytes: 4 * 1024 * 1024, historyCount: 4 * 1024 });
    assert.deepEqual(suggestContinueAsNewReasons(4 * 1024 * 1024 - 1, 4095), []);
    assert.deepEqual(suggestContinueAsNewReasons(4 * 1024 * 1024, 1), [Reason.SUGGEST_CONTINUE_AS_NEW_REASON_HISTORY_SIZE_TOO_LARGE]);
    assert.deepEqual(suggestContinueAsNewReasons(0, 4096), [Reason.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS]);
  });

  test('a limit is reached at equality, and both reasons can hold', () => {
    const limits = { historySizeBytes: 100, historyCount: 10 };
    assert.deepEqual(suggestContinueAsNewReasons(99, 9, limits), []);
    assert.deepEqual(suggestContinueAsNewReasons(100, 10, limits), [
      Reason.SUGGEST_CONTINUE_AS_NEW_REASON_HISTORY_SIZE_TOO_LARGE,
      Reason.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS,
    ]);
  });
});

describe('historyEntrySize', () => {
  test('is what an event adds to a serialised History message', () => {
    const { History, HistoryEvent } = temporal.api.history.v1;
    for (const size of [0, 1, 127, 128, 300, 16_383, 16_384, 70_000]) {
      const event = HistoryEvent.create({ eventId: Long.fromNumber(1), markerRecordedEventAttributes: { markerName: 'x'.repeat(size) } });
      const alone = HistoryEvent.encode(event).finish().length;
      assert.equal(historyEntrySize(alone), History.encode({ events: [event] }).finish().length, `event of ${alone} bytes`);
    }
  });
});

describe('WorkflowTaskStarted history size and continue-as-new suggestion', () => {
  const E = temporal.api.enums.v1.EventType;
  const started = (events: readonly temporal.api.history.v1.IHistoryEvent[]) =>
    events.filter((e) => e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_STARTED).map((e) => e.workflowTaskStartedEventAttributes);

  test('a task started past the size limit suggests continue-as-new; its transient retry carries the same', () => {
    const ms = commit(newRun());
    ms.historySizeBytes = DEFAULT_RUN_LIMITS.suggestContinueAsNew.historySizeBytes;
    const first = change(ms, T0);
    startWorkflowTask(first, 'poll-1', 'worker');
    const [attrs] = started(first.events);
    assert.equal(Number(attrs?.historySizeBytes), DEFAULT_RUN_LIMITS.suggestContinueAsNew.historySizeBytes);
    assert.equal(attrs?.suggestContinueAsNew, true);
    assert.deepEqual(attrs?.suggestContinueAsNewReasons, [Reason.SUGGEST_CONTINUE_AS_NEW_REASON_HISTORY_SIZE_TOO_LARGE]);

    // Attempt 1 fails; attempt 2 is transient: its Started event is sent, and written on completion, with the same values.
    const failed = change(commit(first), T0);
    retryWorkflowTask(failed, failWorkflowTask(failed, temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED, null, 'worker'));
    const afterFailure = commit(failed);
    const retry = change(afterFailure, T0);
    const wt = startWorkflowTask(retry, 'poll-2', 'worker');
    assert.equal(wt.attempt, 2);
    const sent = started(transientWorkflowTaskEvents(retry, wt))[0];
    assert.equal(sent?.suggestContinueAsNew, true);
    assert.equal(Number(sent?.historySizeBytes), afterFailure.historySizeBytes);
    const done = change(commit(retry), T0);
    completeWorkflowTask(done, { identity: 'worker' });
    assert.deepEqual(started(done.events)[0], sent);
  });

  test('the count is the next event id when the task starts (its Started event id)', () => {
    const ms = commit(newRun());
    const m = change(ms, T0);
    m.ms.nextEventId = DEFAULT_RUN_LIMITS.suggestContinueAsNew.historyCount;
    startWorkflowTask(m, 'poll-1', 'worker');
    const [attrs] = started(m.events);
    assert.equal(attrs?.suggestContinueAsNew, true);
    assert.deepEqual(attrs?.suggestContinueAsNewReasons, [Reason.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS]);
    const below = change(commit(newRun()), T0);
    below.ms.nextEventId = DEFAULT_RUN_LIMITS.suggestContinueAsNew.historyCount - 1;
    startWorkflowTask(below, 'poll-1', 'worker');
    assert.equal(started(below.events)[0]?.suggestContinueAsNew, false);
  });

  test("the thresholds are the server's dynamic config (limit.historyCount / limit.historySize .suggestContinueAsNew)", () => {
    const m = change(commit(newRun()), T0);
    m.limits = { ...DEFAULT_RUN_LIMITS, suggestContinueAsNew: { historySizeBytes: 1 << 30, historyCount: 2 } };
    startWorkflowTask(m, 'poll-1', 'worker');
    assert.deepEqual(started(m.events)[0]?.suggestContinueAsNewReasons, [Reason.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS]);
    const bySize = change(commit(newRun()), T0);
    bySize.limits = { ...DEFAULT_RUN_LIMITS, suggestContinueAsNew: { historySizeBytes: 1, historyCount: 1 << 30 } };
    startWorkflowTask(bySize, 'poll-1', 'worker');
    assert.deepEqual(started(bySize.events)[0]?.suggestContinueAsNewReasons, [Reason.SUGGEST_CONTINUE_AS_NEW_REASON_HISTORY_SIZE_TOO_LARGE]);
  });
});
