/**
 * Encoded history events spliced into a `temporal.api.history.v1.History` message byte for byte (its field 1,
 * `events`, once per event), so events encoded once are never decoded and encoded again: the store's history
 * batches, the history in a response, and the history size Temporal counts are all this layout.
 */

/** `History.events`: field 1, length-delimited. */
export const HISTORY_EVENTS_TAG = 0x0a;

/** The bytes of `value` as a protobuf varint. */
export function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v > 0x7f; v = Math.floor(v / 0x80)) size++;
  return size;
}

/** Writes `value` as a varint at `at`; returns the position after it. */
export function writeVarint(out: Uint8Array, at: number, value: number): number {
  let i = at;
  let v = value;
  while (v > 0x7f) {
    out[i++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[i++] = v;
  return i;
}

/** What one encoded event of `eventBytes` bytes takes in a History message: its tag, its length, its bytes. */
export function historyEntrySize(eventBytes: number): number {
  return 1 + varintSize(eventBytes) + eventBytes;
}

/** The byte length of a History message holding `events`. */
export function historySize(events: readonly Uint8Array[]): number {
  let size = 0;
  for (const e of events) size += historyEntrySize(e.length);
  return size;
}

/** Writes `events` as History message entries at `at`; returns the position after them. */
export function writeHistoryEvents(out: Uint8Array, at: number, events: readonly Uint8Array[]): number {
  let i = at;
  for (const e of events) {
    out[i++] = HISTORY_EVENTS_TAG;
    i = writeVarint(out, i, e.length);
    out.set(e, i);
    i += e.length;
  }
  return i;
}
