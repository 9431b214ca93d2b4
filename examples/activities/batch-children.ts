/**
 * Activities of the batch-with-children example: the per-item work each child runs, and the
 * summary the parent reports once every child has finished.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import type { BatchItem } from '../../patterns/domain';

export interface BatchChildrenItemResult {
  itemId: string;
  value: number;
}

/** Doubles `data.value`; an item with `data.invalid` is rejected for good (non-retryable `InvalidItem`). */
export async function batchChildrenProcessItem(item: BatchItem): Promise<BatchChildrenItemResult> {
  if (item.data.invalid) throw ApplicationFailure.create({ type: 'InvalidItem', message: `item ${item.id} is invalid`, nonRetryable: true });
  const value = typeof item.data.value === 'number' ? item.data.value : 0;
  return { itemId: item.id, value: value * 2 };
}

export interface BatchChildrenSummary {
  batchId: string;
  total: number;
  succeeded: number;
  failed: number;
  failedItemIds: string[];
}

/** Reports the batch outcome (in a real system: a report, an email, a metrics event). */
export async function batchChildrenSummarize(summary: BatchChildrenSummary): Promise<void> {
  log.info('batch finished', { ...summary });
}
