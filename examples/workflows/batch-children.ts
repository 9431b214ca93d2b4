/**
 * A batch processed with one child workflow per item (IDs `<parentId>-<itemId>`, each with its own
 * execution timeout), then one summary activity with the counts.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import { runChildBatch, type ChildBatchFailure, type ChildBatchSuccess } from '../../patterns/child-batch';
import type { BatchItem, BatchRequest } from '../../patterns/domain';
import type * as activities from '../activities/batch-children';

const { batchChildrenProcessItem, batchChildrenSummarize } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3, initialInterval: '200ms' },
});

/**
 * One item. `data.delayMs` makes the item take that long first, to show the per-child execution
 * timeout.
 */
export async function batchChildrenItemWorkflow(item: BatchItem): Promise<activities.BatchChildrenItemResult> {
  if (typeof item.data.delayMs === 'number') await sleep(item.data.delayMs);
  return batchChildrenProcessItem(item);
}

export interface BatchChildrenOutcome {
  batchId: string;
  results: ChildBatchSuccess<activities.BatchChildrenItemResult>[];
  failures: ChildBatchFailure[];
  summary: activities.BatchChildrenSummary;
}

/** Runs every item as a child (`chunkSize` at a time, default 10; each limited to `childTimeoutMs`), collects results and failures, then reports. */
export async function batchChildrenWorkflow(request: BatchRequest, childTimeoutMs = 60_000): Promise<BatchChildrenOutcome> {
  const { results, failures } = await runChildBatch({
    workflow: batchChildrenItemWorkflow,
    items: request.items,
    itemId: (item) => item.id,
    workflowExecutionTimeout: childTimeoutMs,
    maxConcurrent: request.chunkSize ?? 10,
  });
  const summary: activities.BatchChildrenSummary = {
    batchId: request.batchId,
    total: request.items.length,
    succeeded: results.length,
    failed: failures.length,
    failedItemIds: failures.map((f) => f.itemId),
  };
  await batchChildrenSummarize(summary);
  return { batchId: request.batchId, results, failures, summary };
}
