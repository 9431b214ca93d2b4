/**
 * Demo: 25 items in chunks of 10, validated and processed on dedicated task queues (this demo starts
 * the step workers), one simulated crash resumed from its heartbeat, and a local-activity summary.
 */
import { randomUUID } from 'node:crypto';
import { Connection, type Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { BatchItem } from '../../patterns/domain';
import { stepTaskQueue } from '../../patterns/batch-processing';
import * as activities from '../activities/batch-processing';
import { batchProcessingWorkflow } from '../workflows/batch-processing';

/** A NativeConnection for the step workers, to the server the client talks to. */
async function nativeConnectionFor(client: Client): Promise<{ connection: NativeConnection; owned: boolean }> {
  const c = client.connection;
  if (c instanceof NativeConnection) return { connection: c, owned: false };
  if (c instanceof Connection) return { connection: await NativeConnection.connect({ address: c.options.address }), owned: true };
  throw new Error('batch-processing demo: unsupported client connection type');
}

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const items: BatchItem[] = Array.from({ length: 25 }, (_, i) => ({
    id: `item-${i}`,
    data: { amount: i === 7 ? -5 : 10, ...(i === 13 ? { failOnce: true } : {}) },
  }));
  const { connection, owned } = await nativeConnectionFor(ctx.client);
  const namespace = ctx.client.options.namespace;
  try {
    const validateQueue = stepTaskQueue(ctx.taskQueue, 'validate');
    const processQueue = stepTaskQueue(ctx.taskQueue, 'process');
    const validateWorker = await Worker.create({
      connection,
      namespace,
      taskQueue: validateQueue,
      activities: { batchProcessingValidateChunk: activities.batchProcessingValidateChunk },
    });
    const processWorker = await Worker.create({
      connection,
      namespace,
      taskQueue: processQueue,
      activities: { batchProcessingProcessChunk: activities.batchProcessingProcessChunk },
      maxConcurrentActivityTaskExecutions: 4,
    });
    const summary = await validateWorker.runUntil(
      processWorker.runUntil(
        ctx.client.workflow.execute(batchProcessingWorkflow, {
          taskQueue: ctx.taskQueue,
          workflowId: `demo-batch-processing-${randomUUID()}`,
          args: [{ request: { batchId: 'demo-batch', items, chunkSize: 10 }, taskQueue: ctx.taskQueue, itemDelayMs: 15 }],
        }),
      ),
    );
    return [
      `batch of ${items.length} items, chunk size 10 → chunks of ${summary.chunkSizes.join(', ')}; validate on ${validateQueue}, process on ${processQueue}`,
      ...summary.chunks.map(
        (c) =>
          `  chunk ${c.chunkIndex} on ${c.taskQueue}: ${c.message}` +
          (c.attempt > 1 ? ` — attempt ${c.attempt} resumed from its heartbeat after ${c.resumedFrom} items` : ''),
      ),
      `  invalid: ${summary.invalid.map((i) => `${i.id} (${i.reason})`).join('; ') || 'none'}`,
      `  summary (local activity): ${summary.message}; total amount ${summary.totalAmount}`,
    ];
  } finally {
    if (owned) await connection.close();
  }
}
