import { invalidArgument } from '../../common/errors';

/**
 * A history page token: the run and the next event id to read. A workflow task's token also bounds the read at the
 * task's own history (`endEventId`, exclusive), as Temporal's HistoryContinuation carries NextEventId: events the run
 * gains while the task is out stay out of its pages.
 */
export interface HistoryContinuation {
  nextEventId: number;
  endEventId?: number;
}

export function encodePageToken(runId: string, nextEventId: number, endEventId?: number): Uint8Array {
  return Buffer.from(JSON.stringify(endEventId === undefined ? { runId, nextEventId } : { runId, nextEventId, endEventId }));
}

export function decodeHistoryContinuation(bytes: Uint8Array | null | undefined, runId: string): HistoryContinuation {
  if (!bytes || bytes.length === 0) return { nextEventId: 1 };
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString()) as { runId?: unknown; nextEventId?: unknown; endEventId?: unknown };
    const { nextEventId, endEventId } = parsed;
    if (parsed.runId === runId && typeof nextEventId === 'number' && nextEventId >= 1) {
      if (endEventId === undefined) return { nextEventId };
      if (typeof endEventId === 'number' && endEventId >= nextEventId) return { nextEventId, endEventId };
    }
  } catch {
    // fall through
  }
  throw invalidArgument('Invalid NextPageToken.');
}

export function decodePageToken(bytes: Uint8Array | null | undefined, runId: string): number {
  return decodeHistoryContinuation(bytes, runId).nextEventId;
}
