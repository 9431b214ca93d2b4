import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  ServerFailure,
  executeChild,
  proxyActivities,
  proxyLocalActivities,
  sleep,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
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

/** Schedules an activity whose input is `size` characters, made in the workflow (a start input that large would be refused). */
export async function oversizedActivityInput(size: number): Promise<string> {
  return echo('x'.repeat(size));
}

/** Calls an activity whose result is `size` characters and reports the failure it ends with (a server-imposed limit). */
export async function oversizedActivityResult(size: number): Promise<{ cause: string; message: string; nonRetryable: boolean | undefined }> {
  const { repeatChar } = proxyActivities<typeof activities>({ startToCloseTimeout: '5s', retry: { initialInterval: '100ms', maximumAttempts: 3 } });
  try {
    await repeatChar('x', size);
    throw new Error('activity unexpectedly succeeded');
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    return { cause: cause?.name ?? 'none', message: cause?.message ?? '', nonRetryable: cause instanceof ServerFailure ? cause.nonRetryable : undefined };
  }
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

/** How an activity or child workflow ended, as the workflow sees it. */
export interface RetryOutcome {
  /** `ActivityFailure.retryState` / `ChildWorkflowFailure.retryState` (a RetryState name). */
  retryState: string;
  cause: string;
  message: string;
  /** The cause's timeout type, when the cause is a TimeoutFailure (a TimeoutType name). */
  timeoutType?: string;
}

export type ActivityRetryCase =
  | 'maximumAttempts1'
  | 'attemptsExhausted'
  | 'nonRetryable'
  | 'typeListed'
  | 'startToCloseListed'
  | 'startToCloseOutOfTime'
  | 'scheduleToClose'
  | 'scheduleToStart';

function outcomeOf(err: unknown): RetryOutcome {
  if (!(err instanceof ActivityFailure) && !(err instanceof ChildWorkflowFailure)) throw err;
  const cause = err.cause;
  return {
    retryState: err.retryState ?? 'none',
    cause: cause?.name ?? 'none',
    message: cause?.message ?? '',
    ...(cause instanceof TimeoutFailure ? { timeoutType: cause.timeoutType } : {}),
  };
}

/** Runs one activity set up to fail in the way `which` names and reports the ActivityFailure it raised. */
export async function activityRetryState(which: ActivityRetryCase): Promise<RetryOutcome> {
  const key = workflowInfo().workflowId;
  const slow = (options: Parameters<typeof proxyActivities>[0]): typeof activities.countedSlow => proxyActivities<typeof activities>(options).countedSlow;
  try {
    switch (which) {
      case 'maximumAttempts1':
        await proxyActivities<typeof activities>({ startToCloseTimeout: '5s', retry: { maximumAttempts: 1 } }).failWithType('boom', 'Flaky');
        break;
      case 'attemptsExhausted':
        await proxyActivities<typeof activities>({ startToCloseTimeout: '5s', retry: { initialInterval: '50ms', maximumAttempts: 2 } }).failWithType(
          'boom',
          'Flaky',
        );
        break;
      case 'nonRetryable':
        await proxyActivities<typeof activities>({ startToCloseTimeout: '5s', retry: { maximumAttempts: 5 } }).failNonRetryable('boom: not retryable');
        break;
      case 'typeListed':
        await proxyActivities<typeof activities>({
          startToCloseTimeout: '5s',
          retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['Fatal'] },
        }).failWithType('boom', 'Fatal');
        break;
      case 'startToCloseListed':
        await slow({
          startToCloseTimeout: '500ms',
          retry: { initialInterval: '50ms', maximumAttempts: 5, nonRetryableErrorTypes: ['TemporalTimeout:StartToClose'] },
        })(key, 2000);
        break;
      case 'startToCloseOutOfTime':
        await slow({ startToCloseTimeout: '500ms', scheduleToCloseTimeout: '1200ms', retry: { initialInterval: '1s' } })(key, 2000);
        break;
      case 'scheduleToClose':
        await slow({ scheduleToCloseTimeout: '1s', retry: { initialInterval: '50ms' } })(key, 2000);
        break;
      case 'scheduleToStart':
        // No worker polls this queue: the task is never picked up.
        await slow({ taskQueue: `${workflowInfo().taskQueue}-nobody`, scheduleToStartTimeout: '500ms', startToCloseTimeout: '5s' })(key, 0);
        break;
    }
  } catch (err) {
    return outcomeOf(err);
  }
  throw ApplicationFailure.nonRetryable('the activity unexpectedly succeeded');
}

export type ChildRetryCase = 'noPolicy' | 'maximumAttempts1' | 'attemptsExhausted' | 'nonRetryable' | 'executionTimeout';

/** Runs one child workflow set up to fail in the way `which` names and reports the ChildWorkflowFailure it raised. */
export async function childRetryState(which: ChildRetryCase): Promise<RetryOutcome> {
  const workflowId = `${workflowInfo().workflowId}-child`;
  try {
    switch (which) {
      case 'noPolicy':
        await executeChild('failUntilAttempt', { workflowId, args: [100] });
        break;
      case 'maximumAttempts1':
        await executeChild('failUntilAttempt', { workflowId, args: [100], retry: { maximumAttempts: 1 } });
        break;
      case 'attemptsExhausted':
        await executeChild('failUntilAttempt', { workflowId, args: [100], retry: { initialInterval: '50ms', maximumAttempts: 2 } });
        break;
      case 'nonRetryable':
        await executeChild('failWorkflow', { workflowId, args: ['the child gave up'], retry: { maximumAttempts: 5 } });
        break;
      case 'executionTimeout':
        await executeChild('sleeper', { workflowId, args: [60_000], workflowExecutionTimeout: '1s', retry: { initialInterval: '50ms' } });
        break;
    }
  } catch (err) {
    return outcomeOf(err);
  }
  throw ApplicationFailure.nonRetryable('the child unexpectedly succeeded');
}

/** A slow activity, then a short timer: the run needs a workflow task after the activity and another after the timer. */
export async function slowActivityThenTimer(key: string, ms: number): Promise<string> {
  const { countedSlow } = proxyActivities<typeof activities>({ startToCloseTimeout: '20s', retry: { maximumAttempts: 1 } });
  const result = await countedSlow(key, ms);
  await sleep(100);
  return result;
}

/** A slow local activity (it holds the workflow task open), then a short timer. */
export async function slowLocalActivityThenTimer(key: string, ms: number): Promise<string> {
  const { countedSlow } = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '20s', retry: { maximumAttempts: 1 } });
  const result = await countedSlow(key, ms);
  await sleep(100);
  return result;
}
