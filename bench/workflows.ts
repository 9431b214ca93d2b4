/**
 * Workflows for the benchmark harness (bundled by the bench worker via workflowsPath).
 */
import { proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';

export interface BenchActivities {
  inc(x: number): Promise<number>;
}

const { inc } = proxyActivities<BenchActivities>({ startToCloseTimeout: '10s' });
const local = proxyLocalActivities<BenchActivities>({ startToCloseTimeout: '10s' });

/** Calls activity `inc` three times in sequence: returns x + 3. */
export async function threeSteps(x: number): Promise<number> {
  let v = x;
  for (let i = 0; i < 3; i++) v = await inc(v);
  return v;
}

/** Same as threeSteps, with local activities. */
export async function threeStepsLocal(x: number): Promise<number> {
  let v = x;
  for (let i = 0; i < 3; i++) v = await local.inc(v);
  return v;
}

/** Sleeps 2 s (a durable timer), then one activity: returns x + 1. */
export async function sleepThenInc(x: number): Promise<number> {
  await sleep(2000);
  return inc(x);
}

/**
 * Runs `total` activities, `batch` at a time in parallel (each inc(i)), and returns the sum of their results.
 * 3 events per activity plus the workflow tasks': total = 3,300 gives a history of about 10,000 events.
 */
export async function fanOut(total: number, batch: number): Promise<number> {
  let sum = 0;
  for (let start = 0; start < total; start += batch) {
    const results = await Promise.all(Array.from({ length: Math.min(batch, total - start) }, (_, k) => inc(start + k)));
    for (const r of results) sum += r;
  }
  return sum;
}

/** Sleeps one hour (a durable timer): W7 keeps thousands of these open and idle to measure the server's footprint. */
export async function sleepLong(): Promise<void> {
  await sleep('1 hour');
}
