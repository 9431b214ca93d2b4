/** Activities for the parallel fan-out example. */
import { ApplicationFailure } from '@temporalio/activity';
import type { BatchItem } from '../../patterns/domain';

export interface ParallelItemResult {
  id: string;
  /** Sum of the item's numeric fields. */
  value: number;
}

/** Processes one item; an item with `data.fail === true` is rejected (non-retryable). */
export async function parallelProcessItem(item: BatchItem): Promise<ParallelItemResult> {
  if (item.data.fail === true) {
    throw ApplicationFailure.create({ type: 'InvalidItem', message: `item ${item.id} is invalid`, nonRetryable: true });
  }
  const value = Object.values(item.data).reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
  return { id: item.id, value };
}
