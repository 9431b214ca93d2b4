import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities';

const { echo, upperAfter } = proxyActivities<typeof activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '100ms', maximumAttempts: 3 },
});

export async function sequentialActivities(values: string[]): Promise<string[]> {
  const results: string[] = [];
  for (const v of values) results.push(await upperAfter(await echo(v), 50));
  return results;
}

export async function parallelActivities(values: string[]): Promise<string[]> {
  // Later values finish first, so the results only come back in order if each is matched to its activity.
  return Promise.all(values.map((v, i) => upperAfter(v, (values.length - i) * 100)));
}

export async function retryingActivity(): Promise<number> {
  const { failTwiceThenSucceed } = proxyActivities<typeof activities>({
    startToCloseTimeout: '5s',
    retry: { initialInterval: '100ms', backoffCoefficient: 1, maximumAttempts: 5 },
  });
  return failTwiceThenSucceed();
}

export interface CaughtFailure {
  outer: string;
  cause: string;
  type: string | undefined;
  message: string;
  nonRetryable: boolean | undefined;
}

/** Calls an activity that fails without retry and reports what the workflow caught. */
export async function catchActivityFailure(mode: 'nonRetryable' | 'typeListed'): Promise<CaughtFailure> {
  const { failNonRetryable, failWithType } = proxyActivities<typeof activities>({
    startToCloseTimeout: '5s',
    retry: { initialInterval: '100ms', maximumAttempts: 5, nonRetryableErrorTypes: ['MyType'] },
  });
  try {
    if (mode === 'nonRetryable') await failNonRetryable('boom: not retryable');
    else await failWithType('boom: type listed as non-retryable', 'MyType');
    throw new Error('activity unexpectedly succeeded');
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    return {
      outer: err.name,
      cause: cause?.name ?? 'none',
      type: cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined,
      message: cause?.message ?? '',
      nonRetryable: cause instanceof ApplicationFailure ? (cause.nonRetryable ?? undefined) : undefined,
    };
  }
}

export async function heartbeatRetry(stallMs: number): Promise<{ attempt: number; details: unknown }> {
  const { heartbeatThenStall } = proxyActivities<typeof activities>({
    startToCloseTimeout: '10s',
    heartbeatTimeout: '1s',
    retry: { initialInterval: '100ms', maximumAttempts: 3 },
  });
  return heartbeatThenStall(stallMs);
}

export async function failOnceThenWaitWorkflow(key: string): Promise<number> {
  const { failOnceThenWait } = proxyActivities<typeof activities>({
    startToCloseTimeout: '15s',
    retry: { initialInterval: '100ms', backoffCoefficient: 1, maximumAttempts: 5 },
  });
  return failOnceThenWait(key);
}

export async function slowActivityWorkflow(key: string, ms: number): Promise<string> {
  const { countedSlow } = proxyActivities<typeof activities>({
    startToCloseTimeout: '6s',
    retry: { initialInterval: '100ms', maximumAttempts: 5 },
  });
  return countedSlow(key, ms);
}
