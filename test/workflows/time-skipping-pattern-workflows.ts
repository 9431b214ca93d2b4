/**
 * Workflows for the SDK's own time-skipping test patterns (sdk-typescript packages/test/src/test-testenvironment.ts),
 * reporting the workflow time they saw so the specs can check by how much the virtual clock moved.
 */
import assert from 'assert';
import type { Duration } from '@temporalio/common';
import { ApplicationFailure, condition, defineQuery, defineSignal, proxyActivities, setHandler, sleep, startChild, workflowInfo } from '@temporalio/workflow';

/** Activities that wait in the environment's virtual time; the spec builds them around its `env.sleep`. */
export interface VirtualTimeActivities {
  sleepInVirtualTime(durationMs: number): Promise<void>;
}

export interface RaceOutcome {
  winner: 'timer' | 'activity';
  /** Workflow time from the start of the run to the moment the race was decided. */
  decidedAfterMs: number;
  /** Workflow time from the start of the run to its completion. */
  completedAfterMs: number;
}

/**
 * The SDK's raceActivityAndTimer: a workflow timer against an activity that awaits `env.sleep`. With
 * `awaitActivity` the run waits for the loser too, as the SDK's spec does to work around the Java test server
 * (sdk-java#1138: an activity outliving its workflow kept time skipping locked there).
 */
export async function raceActivityAndTimer(timerMs: number, activityMs: number, awaitActivity: boolean): Promise<RaceOutcome> {
  const { sleepInVirtualTime } = proxyActivities<VirtualTimeActivities>({ startToCloseTimeout: '30 days', retry: { maximumAttempts: 1 } });
  const started = workflowInfo().runStartTime.getTime();
  const timer = sleep(timerMs).then(() => 'timer' as const);
  const activity = sleepInVirtualTime(activityMs).then(() => 'activity' as const);
  const winner = await Promise.race([timer, activity]);
  const decidedAfterMs = Date.now() - started;
  if (awaitActivity) await activity;
  return { winner, decidedAfterMs, completedAfterMs: Date.now() - started };
}

export const unblockSignal = defineSignal('unblock');

/**
 * The SDK's waitOnSignalWithTimeout: a signal racing a timer. If the timer fires first the run fails (an
 * ApplicationFailure: the SDK's version rejects with a string, which fails only the workflow task, and retries forever).
 */
export async function waitOnSignalWithTimeout(timeout: Duration): Promise<{ signalledAfterMs: number }> {
  const started = workflowInfo().runStartTime.getTime();
  let unblocked = false;
  setHandler(unblockSignal, () => void (unblocked = true));
  if (!(await condition(() => unblocked, timeout))) throw ApplicationFailure.create({ message: 'sleep finished before receiving signal' });
  return { signalledAfterMs: Date.now() - started };
}

/** The SDK's assertFromWorkflow: node's assert inside workflow code. */
export async function assertFromWorkflow(x: number): Promise<void> {
  assert.strictEqual(x, 7);
}

/** Sleeps `duration` of workflow time and reports the workflow time it saw pass. */
export async function sleepFor(duration: Duration): Promise<{ sleptMs: number; completedAt: number }> {
  const before = Date.now();
  await sleep(duration);
  return { sleptMs: Date.now() - before, completedAt: Date.now() };
}

/** The SDK's asyncChildStarter: starts a sleeping child with ParentClosePolicy ABANDON and completes at once. */
export async function asyncChildStarter(childWorkflowId: string, childSleep: Duration): Promise<void> {
  await startChild(sleepFor, { args: [childSleep], workflowId: childWorkflowId, parentClosePolicy: 'ABANDON' });
}

export const stepsDoneQuery = defineQuery<number>('stepsDone');

/** Sleeps `steps` times in a loop, answering a progress query between the sleeps. */
export async function queriedSleepLoop(steps: number, step: Duration): Promise<number> {
  let done = 0;
  setHandler(stepsDoneQuery, () => done);
  while (done < steps) {
    await sleep(step);
    done++;
  }
  return done;
}
