/** Temporal's `limit.maxIDLength` default: the longest namespace name, workflow id, request id… a request may carry. */
export const MAX_ID_LENGTH = 1000;

/** Whether an id is longer than the limit, measured as Temporal's Go `len` does: in UTF-8 bytes. */
export function idTooLong(id: string | null | undefined, maxLength: number): boolean {
  // A UTF-8 byte count is at least the UTF-16 length and at most three times it: most ids need no encoding.
  if (!id || id.length * 3 <= maxLength) return false;
  return Buffer.byteLength(id, 'utf8') > maxLength;
}
