/**
 * Determinism helpers for workflow code.
 *
 * Temporal rebuilds a workflow's state by replaying its history through the same code, so every
 * value a workflow computes must come out the same on replay. The SDK's sandbox makes the common
 * sources safe: `Date.now()`/`new Date()` return workflow time (the time of the current workflow
 * task, recorded in history), `Math.random()` is a PRNG seeded per run, and `uuid4()` draws from
 * it. These helpers name those guarantees so workflow code reads as intentional, not accidental.
 * Real entropy or wall-clock readings (crypto keys, external clocks) belong in activities, whose
 * results are recorded in history and replayed verbatim.
 *
 * Workflow-safe: imports only `@temporalio/workflow`.
 */
import { uuid4, workflowInfo } from '@temporalio/workflow';

/**
 * Milliseconds of workflow time since this run started. Replays identically because both ends
 * come from history (the run's start event and the current workflow task's timestamp).
 */
export function elapsedSinceRunStart(): number {
  return Date.now() - workflowInfo().runStartTime.getTime();
}

/**
 * A random integer in `[minInclusive, maxExclusive)` from the run's seeded PRNG: different per
 * run, identical on replay. Not for secrets — use an activity for cryptographic randomness.
 */
export function randomInt(minInclusive: number, maxExclusive: number): number {
  if (!(maxExclusive > minInclusive)) throw new RangeError(`empty range [${minInclusive}, ${maxExclusive})`);
  return minInclusive + Math.floor(Math.random() * (maxExclusive - minInclusive));
}

/** One element chosen with the seeded PRNG (e.g. a load-balancing choice that must replay). */
export function pickRandom<T>(items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('cannot pick from an empty list');
  return items[randomInt(0, items.length)] as T;
}

/**
 * A replay-stable identifier such as `req-3b2f…` (UUIDv4 from the seeded PRNG): use it for request
 * IDs or idempotency keys generated inside a workflow, never `crypto.randomUUID()`.
 */
export function newId(prefix?: string): string {
  const id = uuid4();
  return prefix ? `${prefix}-${id}` : id;
}
