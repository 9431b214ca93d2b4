/** Demo: 10 items in parallel, 3 of them invalid; the batch reports each outcome. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { BatchRequest } from '../../patterns/domain';
import { parallelBatchWorkflow } from '../workflows/parallel';

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const request: BatchRequest = {
    batchId: `batch-${randomUUID().slice(0, 8)}`,
    items: Array.from({ length: 10 }, (_, i) => ({ id: `item-${i}`, data: { amount: i, ...(i % 4 === 1 ? { fail: true } : {}) } })),
  };
  const result = await ctx.client.workflow.execute(parallelBatchWorkflow, {
    taskQueue: ctx.taskQueue,
    workflowId: `parallel-${request.batchId}`,
    args: [request],
  });
  return [
    `parallel: ${result.batchId}: ${result.total} items, ${result.succeeded} succeeded, ${result.failed} failed`,
    ...result.failures.map((f) => `parallel:   ${f.id} failed: ${f.error}`),
  ];
}
