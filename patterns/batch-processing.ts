/**
 * Batch processing building blocks: split a batch into chunks, fan the chunks out with a bounded
 * number in flight, route each step kind to its own task queue, and format progress uniformly.
 *
 * Why chunks: one activity per item floods history (every activity is several events) and the task
 * queue; one activity for the whole batch cannot be parallelised or partially retried. Chunks of a
 * few dozen items balance the two. Why a queue per step kind: validation and processing have
 * different resource profiles, so each gets its own worker pool, scaled and rate-limited separately.
 *
 * Plain functions with no imports: safe both in workflow code and in activities.
 */

/** Splits `items` into consecutive chunks of `size` (the last one may be shorter). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new TypeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * Maps `items` with `fn`, at most `limit` calls in flight, results in input order. In a workflow,
 * `fn` typically starts an activity or child workflow; the bound keeps the number of pending
 * activities (and the pressure on downstream systems) under control. Rejects on the first failure.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`concurrency limit must be a positive integer, got ${limit}`);
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** The task queue for one step kind of a batch: `<base>-<step>`, e.g. `orders-validate`. */
export function stepTaskQueue(baseTaskQueue: string, step: string): string {
  return `${baseTaskQueue}-${step}`;
}

/** Progress as heartbeat details: the count lets a retry resume; the message is for humans (UI, logs). */
export interface BatchProgress {
  processed: number;
  total: number;
  /** e.g. `Processed 40/100 (40.0%)`. */
  message: string;
}

/** `Processed 40/100 (40.0%)`. */
export function formatProgress(processed: number, total: number): string {
  const percent = total === 0 ? 100 : (processed / total) * 100;
  return `Processed ${processed}/${total} (${percent.toFixed(1)}%)`;
}

export function batchProgress(processed: number, total: number): BatchProgress {
  return { processed, total, message: formatProgress(processed, total) };
}
