import { condition, defineSignal, proxyActivities, sleep, workflowInfo, ActivityFailure } from '@temporalio/workflow';

/** Activities these workflows expect; tests mock them in the worker, as the guide's unit tests do. */
export interface OrderActivities {
  validateOrder(orderId: string, amount: number): Promise<boolean>;
  processPayment(orderId: string, amount: number): Promise<string>;
  neverCompletes(): Promise<void>;
}

export async function sleepThirtyDays(): Promise<{ elapsedMs: number; runStartTime: number; now: number }> {
  const before = Date.now();
  await sleep('30 days');
  return { elapsedMs: Date.now() - before, runStartTime: workflowInfo().runStartTime.getTime(), now: Date.now() };
}

export async function awaitHangingActivity(): Promise<{ failure: string; elapsedHours: number }> {
  const { neverCompletes } = proxyActivities<OrderActivities>({ startToCloseTimeout: '24h', retry: { maximumAttempts: 1 } });
  const before = Date.now();
  try {
    await neverCompletes();
    return { failure: 'none', elapsedHours: 0 };
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    return { failure: cause?.constructor.name ?? 'unknown', elapsedHours: (Date.now() - before) / 3_600_000 };
  }
}

export const approveSignal = defineSignal('approve');

/** A 24 h approval window racing a signal. */
export async function approvalOrTimeout(): Promise<'approved' | 'timed out'> {
  let approved = false;
  const { setHandler } = await import('@temporalio/workflow');
  setHandler(approveSignal, () => void (approved = true));
  return (await condition(() => approved, '24 hours')) ? 'approved' : 'timed out';
}

/** The guide's order processing: validate, charge, then wait a day for the shipping window. */
export async function processOrder(orderId: string, amount: number): Promise<{ status: 'completed' | 'rejected'; transactionId?: string }> {
  const { validateOrder, processPayment } = proxyActivities<OrderActivities>({ startToCloseTimeout: '1 minute' });
  if (!(await validateOrder(orderId, amount))) return { status: 'rejected' };
  const transactionId = await processPayment(orderId, amount);
  await sleep('1 day');
  return { status: 'completed', transactionId };
}

/** A parent whose child sleeps a week: both skip in a time-skipping environment. */
export async function parentOfSleeper(): Promise<number> {
  const { executeChild } = await import('@temporalio/workflow');
  const started = Date.now();
  await executeChild(sleepThirtyDays, { workflowId: `${workflowInfo().workflowId}-child` });
  return Date.now() - started;
}
