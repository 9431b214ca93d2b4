/**
 * Fan-out / fan-in with partial failure.
 *
 * Running independent activities concurrently is just `Promise.all` in a workflow — the SDK
 * schedules every activity in the same workflow task. What batch jobs need on top is to keep
 * going when some items fail and report exactly which ones did, instead of failing the whole
 * workflow on the first rejection. `fanOut` settles every item and returns successes, failures
 * (item ID + message) and totals, in input order, so the result is deterministic on replay.
 *
 * Workflow-safe: imports only `@temporalio/workflow`.
 */
import { ActivityFailure, ChildWorkflowFailure } from '@temporalio/workflow';

export interface FanOutSuccess<R> {
  id: string;
  result: R;
}

export interface FanOutFailure {
  id: string;
  /** The underlying error's message (an activity's or child's own failure, not the wrapper's). */
  error: string;
  /** The underlying failure's type (e.g. an ApplicationFailure type), when it has one. */
  type?: string;
}

export interface FanOutResult<R> {
  successes: FanOutSuccess<R>[];
  failures: FanOutFailure[];
  total: number;
  succeeded: number;
  failed: number;
}

export interface FanOutOptions<I> {
  /** How to name an item in the report. Default: `item.id` when it is a string, else the index. */
  id?: (item: I, index: number) => string;
  /**
   * At most this many items in flight at once (default: all). Bounds the activities one workflow
   * task schedules, for large batches or rate-limited downstreams.
   */
  maxConcurrency?: number;
}

function defaultId(item: unknown, index: number): string {
  if (typeof item === 'object' && item !== null && 'id' in item && typeof item.id === 'string') return item.id;
  return String(index);
}

/**
 * The error that explains a failure: activity and child-workflow failures wrap the real cause
 * ("Activity task failed"), so report the innermost meaningful one.
 */
export function describeFailure(err: unknown): { error: string; type?: string } {
  let e: unknown = err;
  while ((e instanceof ActivityFailure || e instanceof ChildWorkflowFailure) && e.cause) e = e.cause;
  if (e instanceof Error) {
    const type = 'type' in e && typeof e.type === 'string' ? e.type : e.name;
    return { error: e.message, type };
  }
  return { error: String(e) };
}

/**
 * Runs `fn` for every item concurrently (bounded by `maxConcurrency`) and collects every outcome;
 * never rejects because an item failed. Cancellation of the workflow still propagates: items in
 * flight are cancelled with their scope and reported as failures.
 */
export async function fanOut<I, R>(items: readonly I[], fn: (item: I, index: number) => Promise<R>, options: FanOutOptions<I> = {}): Promise<FanOutResult<R>> {
  const idOf = options.id ?? defaultId;
  const settled: PromiseSettledResult<R>[] = new Array<PromiseSettledResult<R>>(items.length);
  const limit = Math.max(1, Math.min(options.maxConcurrency ?? items.length, items.length));
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        settled[index] = { status: 'fulfilled', value: await fn(items[index] as I, index) };
      } catch (reason) {
        settled[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: items.length === 0 ? 0 : limit }, lane));

  const successes: FanOutSuccess<R>[] = [];
  const failures: FanOutFailure[] = [];
  settled.forEach((outcome, index) => {
    const id = idOf(items[index] as I, index);
    if (outcome.status === 'fulfilled') successes.push({ id, result: outcome.value });
    else failures.push({ id, ...describeFailure(outcome.reason) });
  });
  return { successes, failures, total: items.length, succeeded: successes.length, failed: failures.length };
}
