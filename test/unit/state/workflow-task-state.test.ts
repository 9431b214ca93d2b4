import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { historyEntrySize } from '../../../src/engine/state/mutator';
import { SUGGEST_CONTINUE_AS_NEW_LIMITS, suggestContinueAsNewReasons } from '../../../src/engine/state/workflow-task-state';

const Reason = temporal.api.enums.v1.SuggestContinueAsNewReason;

describe('suggestContinueAsNewReasons', () => {
  test('has Temporal defaults: 4 MiB of history, 4096 events', () => {
    assert.deepEqual(SUGGEST_CONTINUE_AS_NEW_LIMITS, { historySizeBytes: 4 * 1024 * 1024, historyCount: 4 * 1024 });
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
