import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type * as interactionActivities from '../interaction-activities';

// ---------------------------------------------------------------------------------------------------------------
// Long-running process controlled by signals and observed by a query.

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal('cancel');

export interface ProcessStatus {
  status: 'running' | 'paused' | 'completed' | 'cancelled';
  /** Completed steps, as a percentage of all steps (0-100). */
  progress: number;
  paused: boolean;
  cancelRequested: boolean;
  /** 1-based number of the step running or last run; 0 before the first. */
  currentStep: number;
}

export const getStatusQuery = defineQuery<ProcessStatus>('getStatus');

/**
 * Runs `steps` activities one after the other (each counted under the workflow ID and taking `stepDelayMs`).
 * `pause` stops it from starting further steps until `resume`; `cancel` ends it early with status 'cancelled'.
 */
export async function longRunningProcess(steps: number, stepDelayMs: number): Promise<ProcessStatus> {
  const { processStep } = proxyActivities<typeof interactionActivities>({ startToCloseTimeout: '10s' });
  const key = workflowInfo().workflowId;
  let paused = false;
  let cancelRequested = false;
  let completedSteps = 0;
  let currentStep = 0;
  let finished: 'completed' | 'cancelled' | undefined = undefined;
  const status = (): ProcessStatus => ({
    status: finished ?? (cancelRequested ? 'cancelled' : paused ? 'paused' : 'running'),
    progress: Math.floor((completedSteps * 100) / steps),
    paused,
    cancelRequested,
    currentStep,
  });
  setHandler(pauseSignal, () => void (paused = true));
  setHandler(resumeSignal, () => void (paused = false));
  setHandler(cancelSignal, () => void (cancelRequested = true));
  setHandler(getStatusQuery, status);

  for (let step = 1; step <= steps; step++) {
    if (paused) await condition(() => !paused || cancelRequested);
    if (cancelRequested) break;
    currentStep = step;
    await processStep(key, step, stepDelayMs);
    completedSteps++;
  }
  finished = cancelRequested ? 'cancelled' : 'completed';
  return status();
}

// ---------------------------------------------------------------------------------------------------------------
// Signals.

export const incrementSignal = defineSignal<[number]>('increment');

/** Completes once it has received `target` `increment` signals; returns how many it received. */
export async function countSignals(target: number): Promise<{ count: number; sum: number }> {
  let count = 0;
  let sum = 0;
  setHandler(incrementSignal, (n) => {
    count++;
    sum += n;
  });
  await condition(() => count >= target);
  return { count, sum };
}

export const addMessageSignal = defineSignal<[string]>('addMessage');
export const doneSignal = defineSignal('done');
export const messagesQuery = defineQuery<string[]>('messages');

/** Collects `addMessage` signals until `done`; returns the messages in the order its handler saw them. */
export async function collectMessages(): Promise<string[]> {
  const messages: string[] = [];
  let done = false;
  setHandler(addMessageSignal, (m) => void messages.push(m));
  setHandler(doneSignal, () => void (done = true));
  setHandler(messagesQuery, () => [...messages]);
  await condition(() => done);
  return messages;
}

// ---------------------------------------------------------------------------------------------------------------
// Queries.

export interface CounterState {
  count: number;
  finished: boolean;
}

export const bumpSignal = defineSignal('bump');
export const finishCounterSignal = defineSignal('finishCounter');
export const counterStateQuery = defineQuery<CounterState>('counterState');
export const explodingQuery = defineQuery<never>('explodingQuery');

/** A counter bumped by signals, readable by a query, ending on `finishCounter`. */
export async function queryableCounter(): Promise<CounterState> {
  const state: CounterState = { count: 0, finished: false };
  setHandler(bumpSignal, () => void state.count++);
  setHandler(finishCounterSignal, () => void (state.finished = true));
  setHandler(counterStateQuery, () => ({ ...state }));
  setHandler(explodingQuery, () => {
    throw new Error('the query handler exploded');
  });
  await condition(() => state.finished);
  return { ...state };
}

// ---------------------------------------------------------------------------------------------------------------
// Updates.

export const addItemUpdate = defineUpdate<number, [number]>('addItem');
export const slowAddItemUpdate = defineUpdate<number, [number, number]>('slowAddItem');
export const itemsQuery = defineQuery<number[]>('items');
export const closeCartSignal = defineSignal('closeCart');

/** Update validator: rejects the update if any of its numeric arguments is negative. */
function rejectNegative(...numbers: number[]): void {
  const negative = numbers.find((n) => n < 0);
  if (negative !== undefined) throw new Error(`negative numbers are not allowed: ${negative}`);
}

/**
 * A cart of numbers. `addItem` appends one (the validator rejects negative numbers) and returns the new total;
 * `slowAddItem` does the same after a workflow timer of `delayMs`. Ends on `closeCart` and returns the items.
 */
export async function cart(): Promise<number[]> {
  const items: number[] = [];
  let closed = false;
  const total = (): number => items.reduce((a, b) => a + b, 0);
  setHandler(
    addItemUpdate,
    (n) => {
      items.push(n);
      return total();
    },
    { validator: rejectNegative },
  );
  setHandler(
    slowAddItemUpdate,
    async (n, delayMs) => {
      await sleep(delayMs);
      items.push(n);
      return total();
    },
    { validator: rejectNegative },
  );
  setHandler(itemsQuery, () => [...items]);
  setHandler(closeCartSignal, () => void (closed = true));
  await condition(() => closed);
  return items;
}

export const repeatUpdate = defineUpdate<string, [number]>('repeat');

/** Answers `repeat(n)` with n characters: an update result over a payload size limit from a small input. Runs until ended. */
export async function repeater(): Promise<void> {
  setHandler(repeatUpdate, (n) => 'x'.repeat(n));
  await condition(() => false);
}

// ---------------------------------------------------------------------------------------------------------------
// Cancellation.

/**
 * Waits on a long heartbeating activity. When the workflow is cancelled it runs the `cleanup` activity in a
 * non-cancellable scope and rethrows the cancellation.
 */
export async function cancellableWithCleanup(): Promise<string> {
  const key = workflowInfo().workflowId;
  const { heartbeatUntilCancelled, cleanup } = proxyActivities<typeof interactionActivities>({
    startToCloseTimeout: '30s',
    heartbeatTimeout: '2s',
  });
  try {
    return await heartbeatUntilCancelled(key, 200, 20_000);
  } catch (err) {
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(() => cleanup(key));
    }
    throw err;
  }
}

/**
 * Starts a heartbeating activity (WAIT_CANCELLATION_COMPLETED) in a scope, cancels the scope after `cancelAfterMs`
 * and reports what the activity's promise settled with.
 */
export async function cancelHeartbeatingActivity(cancelAfterMs: number): Promise<{ cancelled: boolean; error: string; cause: string }> {
  const key = workflowInfo().workflowId;
  const { heartbeatUntilCancelled } = proxyActivities<typeof interactionActivities>({
    startToCloseTimeout: '30s',
    heartbeatTimeout: '2s',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { maximumAttempts: 1 },
  });
  const scope = new CancellationScope();
  const activity = scope.run(() => heartbeatUntilCancelled(key, 200, 20_000));
  await sleep(cancelAfterMs);
  scope.cancel();
  try {
    await activity;
    throw ApplicationFailure.nonRetryable('the activity completed although it was cancelled');
  } catch (err) {
    if (!isCancellation(err)) throw err;
    const e = err as Error & { cause?: Error };
    return { cancelled: true, error: e.name, cause: e.cause?.name ?? 'none' };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sticky execution.

/** Runs `n` trivial activities one after the other; returns the last result (n). */
export async function manySequentialActivities(n: number): Promise<number> {
  const { trivialStep } = proxyActivities<typeof interactionActivities>({ startToCloseTimeout: '10s' });
  let value = 0;
  for (let i = 0; i < n; i++) value = await trivialStep(value);
  return value;
}
