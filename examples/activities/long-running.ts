/** Activities for the long-running, pausable process example. */
import { log } from '@temporalio/activity';

export interface LongRunningStepInput {
  processId: string;
  step: number;
}

/** One unit of work of the process (here: a log line). */
export async function longRunningProcessStep(input: LongRunningStepInput): Promise<void> {
  log.info('Process step done', { processId: input.processId, step: input.step });
}
