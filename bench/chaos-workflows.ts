/**
 * Workflows of the chaos run (bench/chaos.ts), bundled once by the runner and loaded by every chaos worker process.
 * Their results are a function of their input alone, so the runner can tell a right result from a wrong one.
 */
import { condition, defineSignal, executeChild, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

export interface ChaosActivities {
  /** Appends `key` and the attempt to the durable log; returns 2 × value + 1. */
  record(key: string, value: number): Promise<number>;
  /** Appends `key` and the attempt to the log; attempt 1 never returns (the runner kills its worker meanwhile). */
  stall(key: string): Promise<string>;
}

// Short timeouts: a completion lost in a crash is retried after start-to-close, and the run has to finish in seconds.
const { record } = proxyActivities<ChaosActivities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', maximumInterval: '1s' },
});
const { stall } = proxyActivities<ChaosActivities>({
  startToCloseTimeout: '3s',
  retry: { initialInterval: '100ms', maximumInterval: '1s' },
});

export const tick = defineSignal<[number]>('tick');

export interface ChaosInput {
  id: string;
  activities: number;
  signals: number;
  sleepMs: number;
}

export interface ChaosResult {
  /** Σ record(i) = Σ (2i + 1) = activities². */
  sum: number;
  /** Every signal number received, duplicates included, sorted: 0 … signals − 1 when each was delivered once. */
  signals: number[];
  /** The child's result: 2 × 100 + 1. */
  child: number;
}

/** Activities in sequence, a durable timer, a child workflow, then waits for every signal (a timer canceled on time). */
export async function chaosWorkflow(input: ChaosInput): Promise<ChaosResult> {
  const received: number[] = [];
  setHandler(tick, (n: number) => void received.push(n));
  let sum = 0;
  for (let i = 0; i < input.activities; i++) sum += await record(`${input.id}/a${i}`, i);
  await sleep(input.sleepMs);
  const child = await executeChild(chaosChild, { workflowId: `${input.id}-child`, args: [input.id] });
  const allArrived = await condition(() => new Set(received).size >= input.signals, '1 hour');
  if (!allArrived) throw new Error(`signals missing after an hour: got ${JSON.stringify(received)}`);
  return { sum, signals: [...received].sort((a, b) => a - b), child };
}

/** A timer, then one activity. */
export async function chaosChild(parentId: string): Promise<number> {
  await sleep(300);
  return record(`${parentId}-child/a0`, 100);
}

/** One activity whose first attempt hangs until its worker is killed: it completes on a later attempt. */
export async function stallWorkflow(key: string): Promise<string> {
  return stall(key);
}
