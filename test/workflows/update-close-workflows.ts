import { HandlerUnfinishedPolicy } from '@temporalio/common';
import { ApplicationFailure, condition, continueAsNew, defineUpdate, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type * as activities from '../activities';
import { cart } from './interaction-workflows';

// ---------------------------------------------------------------------------------------------------------------
// Updates a run leaves unfinished when it closes.

/** An update whose handler never returns. */
export const hangingUpdate = defineUpdate<string>('hanging');

export type UpdateEnd = 'return' | 'fail' | 'continueAsNew' | 'none';

/**
 * Accepts `hanging` (its handler never returns), then, in the same workflow task, returns, fails or
 * continues as new (the new run, given 'none', returns at once) with the update unfinished.
 */
export async function acceptThenEnd(end: UpdateEnd): Promise<string> {
  if (end === 'none') return 'done';
  let accepted = false;
  setHandler(
    hangingUpdate,
    async () => {
      accepted = true;
      await condition(() => false);
      return 'unreachable';
    },
    { unfinishedPolicy: HandlerUnfinishedPolicy.ABANDON },
  );
  await condition(() => accepted);
  if (end === 'fail') throw ApplicationFailure.nonRetryable('ending with an unfinished update');
  if (end === 'continueAsNew') await continueAsNew<typeof acceptThenEnd>('none');
  return 'done';
}

/**
 * The first run holds its first workflow task open on a local activity of `holdMs`, then continues as
 * new; the new run is a `cart`. An update sent meanwhile is admitted but never reaches the first run.
 */
export async function cartAfterContinueAsNew(holdMs: number): Promise<number[]> {
  if (holdMs > 0) {
    await proxyLocalActivities<typeof activities>({ startToCloseTimeout: '30s' }).upperAfter('hold', holdMs);
    await continueAsNew<typeof cartAfterContinueAsNew>(0);
  }
  return cart();
}
