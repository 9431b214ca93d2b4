/**
 * Parallel fan-out example: every item of a batch is processed concurrently; failed items are
 * reported (ID + reason) instead of failing the batch.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/parallel';
import type { BatchRequest } from '../../patterns/domain';
import { fanOut, type FanOutResult } from '../../patterns/parallel';

const { parallelProcessItem } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
});

export interface ParallelBatchResult extends FanOutResult<activities.ParallelItemResult> {
  batchId: string;
}

/** `request.chunkSize`, when set, bounds how many items are in flight at once. */
export async function parallelBatchWorkflow(request: BatchRequest): Promise<ParallelBatchResult> {
  const outcome = await fanOut(request.items, (item) => parallelProcessItem(item), { maxConcurrency: request.chunkSize });
  return { batchId: request.batchId, ...outcome };
}
