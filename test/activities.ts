/**
 * Activities for the acceptance tests. They run inside the test process (the worker is in-process),
 * so tests can observe them through the module-level counters and latches exported here.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';

/** Executions per key (attempts, or runs across a server crash), observable from the tests. */
export const executions = new Map<string, number>();

function countExecution(key: string): number {
  const n = (executions.get(key) ?? 0) + 1;
  executions.set(key, n);
  return n;
}

/** Latches an activity can wait on until a test releases them. */
const latches = new Map<string, { promise: Promise<void>; release: () => void }>();

function latch(key: string): { promise: Promise<void>; release: () => void } {
  let entry = latches.get(key);
  if (!entry) {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    entry = { promise, release };
    latches.set(key, entry);
  }
  return entry;
}

export function releaseLatch(key: string): void {
  latch(key).release();
}

/** A sleep that ignores activity cancellation (unlike `Context.current().sleep`). */
function stubbornSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function echo(value: string): Promise<string> {
  return value;
}

/** A result of `size` characters, to exceed a payload size limit from a small input. */
export async function repeatChar(char: string, size: number): Promise<string> {
  return char.repeat(size);
}

export async function upperAfter(value: string, delayMs: number): Promise<string> {
  await stubbornSleep(delayMs);
  return value.toUpperCase();
}

/** Fails on attempts 1 and 2, succeeds on attempt 3 and returns the attempt number. */
export async function failTwiceThenSucceed(): Promise<number> {
  const { attempt } = Context.current().info;
  if (attempt < 3) throw new Error(`deliberate failure on attempt ${attempt}`);
  return attempt;
}

/** Throws a non-retryable ApplicationFailure of type MyType; counts attempts per workflow ID. */
export async function failNonRetryable(message: string): Promise<never> {
  countExecution(Context.current().info.workflowExecution?.workflowId ?? 'no-workflow');
  throw ApplicationFailure.nonRetryable(message, 'MyType', { detail: 42 });
}

/** Throws a retryable ApplicationFailure of the given type; counts attempts per workflow ID. */
export async function failWithType(message: string, type: string): Promise<never> {
  countExecution(Context.current().info.workflowExecution?.workflowId ?? 'no-workflow');
  throw ApplicationFailure.create({ message, type });
}

/**
 * Attempt 1 heartbeats `{ progress: 5 }` and then stalls (ignoring cancellation) longer than its heartbeat timeout.
 * Later attempts return what they saw as heartbeat details.
 */
export async function heartbeatThenStall(stallMs: number): Promise<{ attempt: number; details: unknown }> {
  const { attempt } = Context.current().info;
  const heartbeatDetails: unknown = Context.current().info.heartbeatDetails;
  if (attempt === 1) {
    Context.current().heartbeat({ progress: 5 });
    await stubbornSleep(stallMs);
    return { attempt, details: 'attempt 1 should have timed out' };
  }
  return { attempt, details: heartbeatDetails };
}

/** Attempt 1 fails; attempt 2 blocks until the test releases latch `key`, then returns its attempt number. */
export async function failOnceThenWait(key: string): Promise<number> {
  const { attempt } = Context.current().info;
  if (attempt === 1) throw ApplicationFailure.create({ message: 'first attempt fails', type: 'FirstAttempt' });
  // Give up after 10 s in case a test forgot to release the latch; the unref'd timer never holds the process open.
  await Promise.race([latch(key).promise, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  return attempt;
}

/** Counts its executions under `key`, then takes `ms` to finish (ignoring cancellation). */
export async function countedSlow(key: string, ms: number): Promise<string> {
  const n = countExecution(key);
  await stubbornSleep(ms);
  return `done after ${n} execution(s)`;
}

export async function localGreet(name: string): Promise<string> {
  return `hello ${name}`;
}
