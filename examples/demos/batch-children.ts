/** Demo: 6 items, one child workflow each (IDs <parentId>-<itemId>), one invalid; results, failures and the summary. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { BatchItem } from '../../patterns/domain';
import { batchChildrenWorkflow } from '../workflows/batch-children';

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const items: BatchItem[] = Array.from({ length: 6 }, (_, i) => ({ id: `item-${i}`, data: i === 4 ? { value: i, invalid: true } : { value: i } }));
  const workflowId = `demo-batch-children-${randomUUID()}`;
  const outcome = await ctx.client.workflow.execute(batchChildrenWorkflow, {
    taskQueue: ctx.taskQueue,
    workflowId,
    args: [{ batchId: 'batch-1', items, chunkSize: 3 }, 30_000],
  });
  return [
    `batch-children: ${outcome.summary.total} items, one child workflow each (IDs <parentId>-<itemId>, e.g. ${workflowId}-item-0), 3 at a time`,
    `  succeeded ${outcome.summary.succeeded}: ${outcome.results.map((r) => `${r.itemId}=${r.result.value}`).join(', ')}`,
    `  failed ${outcome.summary.failed}: ${outcome.failures.map((f) => `${f.itemId} (${f.type}: ${f.message})`).join(', ')}`,
    `  summary activity reported ${JSON.stringify(outcome.summary)}`,
  ];
}
