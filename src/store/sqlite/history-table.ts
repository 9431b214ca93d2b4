import { HISTORY_EVENTS_TAG, historySize, writeHistoryEvents } from '../../common/history-bytes';
import type { SqliteDatabase } from './driver';

/**
 * A run's history as batches, one row per transaction's events (Temporal's history nodes): a commit writes one row,
 * not one per event, and the events are encoded into it once.
 *
 * A row holds events `first_event_id`…`last_event_id`, consecutive. A batch of several events is an encoded
 * `temporal.api.history.v1.History` message (field 1, the events, once per event), so it can be sent as it is; a
 * batch of one event is that event's bytes, which is also what migration 5 made of every row of the former
 * `history_events` table. Reads split the batches and return each event's bytes, as before.
 */
export interface StoredEvent {
  eventId: number;
  data: Uint8Array;
}

interface BatchRow {
  first_event_id: number;
  last_event_id: number;
  data: Uint8Array;
}

export class HistoryTable {
  private readonly stmt;

  constructor(db: SqliteDatabase) {
    this.stmt = {
      insert: db.prepare('INSERT INTO history_batches (run_id, first_event_id, last_event_id, data) VALUES (?, ?, ?, ?)'),
      // The batches holding events `from` ≤ id < `to`: from the batch holding `from` (the last one starting at or
      // before it) to the last one starting before `to`. Both ends are ranges of the key, so a page of a long history
      // reads only the batches it returns events from.
      range: db.prepare<[string, string, number, number], BatchRow>(
        `SELECT first_event_id, last_event_id, data FROM history_batches
         WHERE run_id = ? AND first_event_id >= COALESCE((SELECT MAX(first_event_id) FROM history_batches WHERE run_id = ? AND first_event_id <= ?), 0)
           AND first_event_id < ?
         ORDER BY first_event_id`,
      ),
      delete: db.prepare('DELETE FROM history_batches WHERE run_id = ?'),
    };
  }

  /** Writes `events` (ascending ids) as one batch per run of consecutive ids: one row for a transaction's events. */
  append(runId: string, events: readonly StoredEvent[]): void {
    let start = 0;
    for (let i = 1; i <= events.length; i++) {
      const prev = events[i - 1] as StoredEvent;
      const next = events[i];
      if (next && next.eventId === prev.eventId + 1) continue;
      const batch = events.slice(start, i);
      this.stmt.insert.run(runId, (batch[0] as StoredEvent).eventId, prev.eventId, encodeBatch(batch.map((e) => e.data)));
      start = i;
    }
  }

  /** Events `firstEventId` ≤ id < `nextEventId`, ascending, at most `limit`. */
  read(runId: string, firstEventId: number, nextEventId: number, limit: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    // A run's event ids have no gaps: the first `limit` events from `firstEventId` end before `firstEventId + limit`.
    for (const row of this.stmt.range.all(runId, runId, firstEventId, Math.min(nextEventId, firstEventId + limit))) {
      const events = splitBatch(row);
      for (let k = 0; k < events.length && out.length < limit; k++) {
        const id = row.first_event_id + k;
        if (id >= firstEventId && id < nextEventId) out.push(events[k] as Uint8Array);
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Events with id ≤ `lastEventId`, descending, at most `limit`. */
  readReverse(runId: string, lastEventId: number, limit: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const rows = this.stmt.range.all(runId, runId, Math.max(1, lastEventId - limit + 1), lastEventId + 1);
    for (const row of rows.reverse()) {
      const events = splitBatch(row);
      for (let k = events.length - 1; k >= 0 && out.length < limit; k--) {
        if (row.first_event_id + k <= lastEventId) out.push(events[k] as Uint8Array);
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  delete(runId: string): void {
    this.stmt.delete.run(runId);
  }
}

/** One event as it is; several as a `History` message. */
export function encodeBatch(events: readonly Uint8Array[]): Uint8Array {
  if (events.length === 1) return events[0] as Uint8Array;
  const out = Buffer.allocUnsafe(historySize(events));
  writeHistoryEvents(out, 0, events);
  return out;
}

/** The events of a stored batch, as views into its bytes (no copy). */
export function splitBatch(row: { first_event_id: number; last_event_id: number; data: Uint8Array }): Uint8Array[] {
  const count = row.last_event_id - row.first_event_id + 1;
  const data = row.data;
  if (count === 1) return [data];
  const events: Uint8Array[] = [];
  let pos = 0;
  while (pos < data.length) {
    if (data[pos++] !== HISTORY_EVENTS_TAG) throw new Error(`history batch at event ${row.first_event_id}: unexpected field tag at byte ${pos - 1}`);
    let length = 0;
    for (let shift = 1; ; shift *= 0x80) {
      const byte = data[pos++];
      if (byte === undefined) throw new Error(`history batch at event ${row.first_event_id}: truncated length`);
      length += (byte & 0x7f) * shift;
      if (byte < 0x80) break;
    }
    events.push(data.subarray(pos, pos + length));
    pos += length;
  }
  if (events.length !== count || pos !== data.length) {
    throw new Error(`history batch at event ${row.first_event_id}: ${events.length} events for ids ${row.first_event_id}–${row.last_event_id}`);
  }
  return events;
}
