/**
 * A resumable, cancellable, heartbeating loop for long-running activities.
 *
 * Why: an activity that works through many items must (1) heartbeat, so the server notices a dead
 * worker within the heartbeat timeout rather than the (long) start-to-close timeout; (2) put its
 * progress in the heartbeat details, so the retry that follows a crash or failure resumes where the
 * last attempt got to instead of redoing the work; and (3) notice cancellation — delivered to an
 * activity only through heartbeating — and clean up after itself before reporting it.
 *
 * Node-side module: do not import from workflow code.
 */
import { CancelledFailure, Context } from '@temporalio/activity';
import { batchProgress, type BatchProgress } from '../batch-processing';

export interface ProcessWithHeartbeatOptions {
  /**
   * Runs once when the activity is cancelled, with the progress reached, before the cancellation is
   * rethrown: release locks, delete partial output, etc.
   */
  onCancel?: (progress: BatchProgress) => Promise<void> | void;
}

export interface ProcessWithHeartbeatResult extends BatchProgress {
  /** Items skipped because a previous attempt's heartbeat said they were done (0 on the first attempt). */
  resumedFrom: number;
  attempt: number;
}

function isBatchProgress(value: unknown): value is BatchProgress {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.processed === 'number' && typeof v.total === 'number';
}

/**
 * Calls `handle` for each item in order, heartbeating `{ processed, total, message }` after each one.
 * On a retry it starts after the items the last heartbeat reported as processed (so `handle` should
 * be idempotent for at most the one item in flight when an attempt died). On cancellation it runs
 * `onCancel` and rethrows. `handle` receives the activity's cancellation signal for its own I/O.
 */
export async function processWithHeartbeat<T>(
  items: readonly T[],
  handle: (item: T, index: number, signal: AbortSignal) => Promise<void>,
  options: ProcessWithHeartbeatOptions = {},
): Promise<ProcessWithHeartbeatResult> {
  const ctx = Context.current();
  const total = items.length;
  const previous: unknown = ctx.info.heartbeatDetails;
  const resumedFrom = isBatchProgress(previous) && previous.total === total ? Math.min(previous.processed, total) : 0;
  let processed = resumedFrom;
  ctx.heartbeat(batchProgress(processed, total));
  try {
    for (let index = resumedFrom; index < total; index++) {
      // Racing `cancelled` makes even a handler that ignores the signal stop at cancellation.
      await Promise.race([handle(items[index] as T, index, ctx.cancellationSignal), ctx.cancelled]);
      processed = index + 1;
      ctx.heartbeat(batchProgress(processed, total));
    }
  } catch (err) {
    if (err instanceof CancelledFailure || ctx.cancellationSignal.aborted) await options.onCancel?.(batchProgress(processed, total));
    throw err;
  }
  return { ...batchProgress(processed, total), resumedFrom, attempt: ctx.info.attempt };
}
