/**
 * Long-running process example: `totalSteps` steps with a durable delay between them, which an
 * operator can pause, resume or cancel (signals from `patterns/process-control`) and observe
 * through the `status` query.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities/long-running';
import { useProcessControl, type ProcessState, type StepDelay } from '../../patterns/process-control';
import { elapsedSinceRunStart } from '../../patterns/determinism';

const { longRunningProcessStep } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export interface LongRunningInput {
  totalSteps: number;
  /** Durable wait between steps, e.g. `'1 hour'`. */
  delayBetweenSteps?: StepDelay;
}

export interface LongRunningResult extends ProcessState {
  /** Workflow time from start to finish (delays included). */
  elapsedMs: number;
}

export async function longRunningProcessWorkflow(input: LongRunningInput): Promise<LongRunningResult> {
  const control = useProcessControl({ totalSteps: input.totalSteps, delayBetweenSteps: input.delayBetweenSteps });
  const processId = workflowInfo().workflowId;
  while (await control.checkpoint()) {
    await longRunningProcessStep({ processId, step: control.completedSteps });
    control.stepCompleted();
  }
  return { ...control.finish(), elapsedMs: elapsedSinceRunStart() };
}
