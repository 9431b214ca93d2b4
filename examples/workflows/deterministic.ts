/**
 * Determinism example: everything this workflow computes replays identically.
 * - time: `Date.now()` is workflow time and `workflowInfo()` comes from history;
 * - randomness: `Math.random()` is seeded per run and `uuid4()` uses it;
 * - real entropy: produced by an activity, whose result history records.
 */
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities/deterministic';
import { elapsedSinceRunStart, newId, randomInt } from '../../patterns/determinism';

const { deterministicIssueToken } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });

export interface DeterministicInput {
  /** Durable wait between issuing the token and returning, to show workflow time advancing. */
  wait: number | string;
}

export interface DeterministicResult {
  workflowId: string;
  /** From `workflowInfo()`, i.e. the run's start event. */
  runStartTime: number;
  /** `Date.now()` in the first workflow task. */
  startedAt: number;
  /** `Date.now()` after the wait. */
  finishedAt: number;
  /** Workflow time elapsed since the run started, when the workflow returned. */
  elapsedMs: number;
  /** From the seeded `Math.random()`. */
  roll: number;
  /** From `uuid4()`. */
  requestId: string;
  /** From the activity (real randomness). */
  token: string;
}

export async function deterministicWorkflow(input: DeterministicInput): Promise<DeterministicResult> {
  const { workflowId, runStartTime } = workflowInfo();
  const startedAt = Date.now();
  const requestId = newId('req');
  const roll = randomInt(0, 100);
  // The activity receives the values; on replay they must come out the same, or the result
  // below would disagree with what the activity was given.
  const token = await deterministicIssueToken({ requestId, roll });
  await sleep(input.wait);
  return { workflowId, runStartTime: runStartTime.getTime(), startedAt, finishedAt: Date.now(), elapsedMs: elapsedSinceRunStart(), roll, requestId, token };
}
