import { invalidArgument } from '../../common/errors';

/** History page tokens carry the run and the next event id to read. */
export function encodePageToken(runId: string, nextEventId: number): Uint8Array {
  return Buffer.from(JSON.stringify({ runId, nextEventId }));
}

export function decodePageToken(bytes: Uint8Array | null | undefined, runId: string): number {
  if (!bytes || bytes.length === 0) return 1;
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString()) as { runId?: unknown; nextEventId?: unknown };
    if (parsed.runId === runId && typeof parsed.nextEventId === 'number' && parsed.nextEventId >= 1) return parsed.nextEventId;
  } catch {
    // fall through
  }
  throw invalidArgument('Invalid NextPageToken.');
}
