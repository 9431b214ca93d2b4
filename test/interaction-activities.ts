/**
 * Activities for the interaction tests (signals, queries, updates, cancellation, sticky execution). Like
 * test/activities.ts they run in the test process, so tests observe them through the module-level maps exported here.
 */
import { CancelledFailure, Context } from '@temporalio/activity';

/** Executions per key, observable from the tests. */
export const interactionExecutions = new Map<string, number>();

/** When (Date.now()) an activity first noticed that it was cancelled, per key. */
export const cancellationObservedAt = new Map<string, number>();

function countExecution(key: string): number {
  const n = (interactionExecutions.get(key) ?? 0) + 1;
  interactionExecutions.set(key, n);
  return n;
}

/** One step of the long-running process: counted under `key` when it starts, then takes `delayMs`. */
export async function processStep(key: string, step: number, delayMs: number): Promise<number> {
  countExecution(key);
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  return step;
}

/** Cleanup run by a cancelled workflow; counted under `cleanup:<key>`. */
export async function cleanup(key: string): Promise<string> {
  countExecution(`cleanup:${key}`);
  return `cleaned up ${key}`;
}

/**
 * Heartbeats every `intervalMs` until it is cancelled (or `maxMs` passes). Records under `key` the moment it noticed
 * the cancellation, through either the cancellation signal or `Context.current().sleep` rejecting, then rethrows.
 */
export async function heartbeatUntilCancelled(key: string, intervalMs: number, maxMs: number): Promise<string> {
  const ctx = Context.current();
  countExecution(key);
  const noticed = (): void => {
    if (!cancellationObservedAt.has(key)) cancellationObservedAt.set(key, Date.now());
  };
  ctx.cancellationSignal.addEventListener('abort', noticed);
  const deadline = Date.now() + maxMs;
  try {
    while (Date.now() < deadline) {
      ctx.heartbeat({ at: Date.now() });
      await ctx.sleep(intervalMs);
    }
    return 'never cancelled';
  } catch (err) {
    if (err instanceof CancelledFailure) noticed();
    throw err;
  }
}

/** A trivial activity for workflows that need many of them. */
export async function trivialStep(i: number): Promise<number> {
  return i + 1;
}
