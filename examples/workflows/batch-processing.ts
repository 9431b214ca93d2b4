/**
 * Batch-processing example: a BatchRequest is split into chunks that fan out (bounded) to a validate
 * step and a process step, each on its own task queue; a local activity writes the summary.
 */
import { ActivityCancellationType, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import { chunk, mapWithConcurrency, stepTaskQueue } from '../../patterns/batch-processing';
import type { BatchRequest } from '../../patterns/domain';
import type * as activities from '../activities/batch-processing';
import type { BatchProcessingChunkResult, BatchProcessingInvalidItem, BatchProcessingSummary } from '../activities/batch-processing';

export interface BatchProcessingInput {
  request: BatchRequest;
  /** Base task queue: validation runs on `<taskQueue>-validate`, processing on `<taskQueue>-process`. */
  taskQueue: string;
  /** Chunks in flight at once. Default 4. */
  maxConcurrentChunks?: number;
  /** Simulated work per item, ms. Default 0. */
  itemDelayMs?: number;
}

export const BATCH_PROCESSING_DEFAULT_CHUNK_SIZE = 10;

export async function batchProcessingWorkflow(input: BatchProcessingInput): Promise<BatchProcessingSummary> {
  const { batchProcessingValidateChunk } = proxyActivities<typeof activities>({
    taskQueue: stepTaskQueue(input.taskQueue, 'validate'),
    startToCloseTimeout: '30s',
  });
  const { batchProcessingProcessChunk } = proxyActivities<typeof activities>({
    taskQueue: stepTaskQueue(input.taskQueue, 'process'),
    startToCloseTimeout: '10m',
    // Detects a dead worker in seconds, and is how cancellation reaches the activity.
    heartbeatTimeout: '5s',
    // Let the activity finish its cleanup before the workflow reports itself cancelled.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '200ms', maximumAttempts: 3 },
  });
  const { batchProcessingSummarize } = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '10s' });

  const { batchId, items } = input.request;
  const chunks = chunk(items, input.request.chunkSize ?? BATCH_PROCESSING_DEFAULT_CHUNK_SIZE);
  const invalidByChunk: BatchProcessingInvalidItem[][] = [];
  const results: BatchProcessingChunkResult[] = await mapWithConcurrency(chunks, input.maxConcurrentChunks ?? 4, async (chunkItems, chunkIndex) => {
    const validation = await batchProcessingValidateChunk({ batchId, chunkIndex, items: chunkItems });
    invalidByChunk[chunkIndex] = validation.invalid;
    return batchProcessingProcessChunk({ batchId, chunkIndex, items: validation.valid, itemDelayMs: input.itemDelayMs ?? 0 });
  });
  return batchProcessingSummarize({ batchId, chunkSizes: chunks.map((c) => c.length), invalid: invalidByChunk.flat(), chunks: results });
}
