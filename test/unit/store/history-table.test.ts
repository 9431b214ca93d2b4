/**
 * History in batches (migration 5): a transaction's events are one row, an encoded History message; reads return the
 * same event bytes, in the same order, from any event id, as one row per event did.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { history, int64 } from '../../../src/common/proto';
import { HistoryTable, type StoredEvent } from '../../../src/store/sqlite/history-table';
import { migrate } from '../../../src/store/sqlite/migrations';
import { openDatabase } from '../../../src/store/sqlite/open-database';

/** An event whose bytes are `size` bytes long (an identity padded to size), so multi-byte lengths are covered. */
function event(eventId: number, size = 40): StoredEvent {
  for (let pad = Math.max(0, size - 20); ; pad++) {
    const data = history.HistoryEvent.encode({ eventId: int64(eventId), workflowTaskCompletedEventAttributes: { identity: 'x'.repeat(pad) } }).finish();
    if (data.length >= size) return { eventId, data };
  }
}

function idsOf(events: Uint8Array[]): number[] {
  return events.map((d) => Number(history.HistoryEvent.decode(d).eventId));
}

function table(): { history: HistoryTable; rows: () => { run_id: string; first_event_id: number; last_event_id: number; data: Uint8Array }[] } {
  const db = openDatabase(':memory:');
  migrate(db);
  return {
    history: new HistoryTable(db),
    rows: () => db.prepare<[], { run_id: string; first_event_id: number; last_event_id: number; data: Uint8Array }>('SELECT * FROM history_batches').all(),
  };
}

describe('history in batches', () => {
  test("a transaction's events are one row holding an encoded History message", () => {
    const { history: h, rows } = table();
    const events = [event(1), event(2, 300), event(3, 20_000)];
    h.append('run-a', events);
    const [row, ...rest] = rows();
    assert.equal(rest.length, 0);
    assert.ok(row);
    assert.deepEqual([row.first_event_id, row.last_event_id], [1, 3]);
    const decoded = history.History.decode(row.data).events.map((e) => history.HistoryEvent.encode(e).finish());
    assert.deepEqual(
      decoded.map((d) => Buffer.from(d)),
      events.map((e) => Buffer.from(e.data)),
    );
  });

  test('reads return each event byte for byte, ascending from any id and descending from any id, up to the limit', () => {
    const { history: h } = table();
    const batches = [[event(1), event(2), event(3)], [event(4, 200)], [event(5), event(6, 129), event(7), event(8)], [event(9)]];
    for (const b of batches) h.append('run-a', b);
    h.append('run-b', [event(1), event(2)]);
    const all = batches.flat();
    const bytes = (list: Uint8Array[]): string[] => list.map((d) => Buffer.from(d).toString('hex'));
    assert.deepEqual(bytes(h.read('run-a', 1, 10, 100)), bytes(all.map((e) => e.data)));
    for (let first = 1; first <= 9; first++) {
      for (let next = first; next <= 10; next++) {
        for (const limit of [1, 2, 5, 100]) {
          const expected = all.filter((e) => e.eventId >= first && e.eventId < next).slice(0, limit);
          assert.deepEqual(
            idsOf(h.read('run-a', first, next, limit)),
            expected.map((e) => e.eventId),
            `read ${first}..<${next} limit ${limit}`,
          );
        }
      }
      for (const limit of [1, 3, 100]) {
        const expected = all
          .filter((e) => e.eventId <= first)
          .reverse()
          .slice(0, limit);
        assert.deepEqual(
          idsOf(h.readReverse('run-a', first, limit)),
          expected.map((e) => e.eventId),
          `reverse from ${first} limit ${limit}`,
        );
      }
    }
    assert.deepEqual(idsOf(h.read('run-b', 1, 100, 100)), [1, 2]);
    assert.deepEqual(h.read('run-c', 1, 100, 100), []);
  });

  test('events whose ids are not consecutive (a reset carrying its base history) are written as one batch per stretch', () => {
    const { history: h, rows } = table();
    h.append('run-a', [event(1), event(2), event(5), event(6), event(9)]);
    assert.deepEqual(
      rows().map((r) => [r.first_event_id, r.last_event_id]),
      [
        [1, 2],
        [5, 6],
        [9, 9],
      ],
    );
    assert.deepEqual(idsOf(h.read('run-a', 1, 100, 100)), [1, 2, 5, 6, 9]);
  });

  test("delete removes every batch of the run and nothing of another's", () => {
    const { history: h } = table();
    h.append('run-a', [event(1), event(2)]);
    h.append('run-a', [event(3)]);
    h.append('run-b', [event(1)]);
    h.delete('run-a');
    assert.deepEqual(h.read('run-a', 1, 100, 100), []);
    assert.deepEqual(idsOf(h.read('run-b', 1, 100, 100)), [1]);
  });
});
