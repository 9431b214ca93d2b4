/**
 * Batch-processing example activities. `validate` and `process` run on their own task queues
 * (`<base>-validate`, `<base>-process`); `summarize` runs as a local activity on the workflow's worker.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { BatchItem } from '../../patterns/domain';
import { formatProgress } from '../../patterns/batch-processing';
import { processWithHeartbeat } from '../../patterns/activities/batch-processing';

export interface BatchProcessingChunk {
  batchId: string;
  chunkIndex: number;
  items: BatchItem[];
}

export interface BatchProcessingInvalidItem {
  id: string;
  reason: string;
}

export interface BatchProcessingValidation {
  chunkIndex: number;
  taskQueue: string;
  valid: BatchItem[];
  invalid: BatchProcessingInvalidItem[];
}

export interface BatchProcessingProcessRequest extends BatchProcessingChunk {
  /** Simulated work per item, ms. */
  itemDelayMs: number;
}

export interface BatchProcessingChunkResult {
  chunkIndex: number;
  taskQueue: string;
  processed: number;
  total: number;
  /** Last progress message, e.g. `Processed 10/10 (100.0%)`. */
  message: string;
  attempt: number;
  resumedFrom: number;
  /** Sum of the processed items' `amount`. */
  amount: number;
}

export interface BatchProcessingSummaryRequest {
  batchId: string;
  chunkSizes: number[];
  invalid: BatchProcessingInvalidItem[];
  chunks: BatchProcessingChunkResult[];
}

export interface BatchProcessingSummary {
  batchId: string;
  chunkSizes: number[];
  processed: number;
  invalid: BatchProcessingInvalidItem[];
  totalAmount: number;
  /** Per chunk, in order: where it ran, its final progress, and whether a retry resumed it. */
  chunks: Pick<BatchProcessingChunkResult, 'chunkIndex' | 'taskQueue' | 'message' | 'attempt' | 'resumedFrom'>[];
  message: string;
}

/** An item is valid when its `data.amount` is a non-negative number. */
export async function batchProcessingValidateChunk(chunk: BatchProcessingChunk): Promise<BatchProcessingValidation> {
  const valid: BatchItem[] = [];
  const invalid: BatchProcessingInvalidItem[] = [];
  for (const item of chunk.items) {
    const amount = item.data.amount;
    if (typeof amount === 'number' && amount >= 0) valid.push(item);
    else invalid.push({ id: item.id, reason: `amount must be a non-negative number, got ${JSON.stringify(amount)}` });
  }
  return { chunkIndex: chunk.chunkIndex, taskQueue: Context.current().info.taskQueue, valid, invalid };
}

/**
 * Processes a chunk item by item with progress heartbeats; a retry resumes after the last reported item.
 * An item with `data.failOnce: true` makes the first attempt fail when it reaches it (a simulated crash).
 */
export async function batchProcessingProcessChunk(request: BatchProcessingProcessRequest): Promise<BatchProcessingChunkResult> {
  const ctx = Context.current();
  let amount = 0;
  const result = await processWithHeartbeat(
    request.items,
    async (item) => {
      if (item.data.failOnce === true && ctx.info.attempt === 1) {
        throw ApplicationFailure.create({ type: 'SimulatedCrash', message: `worker crashed at item ${item.id}` });
      }
      await ctx.sleep(request.itemDelayMs);
      amount += typeof item.data.amount === 'number' ? item.data.amount : 0;
    },
    {
      onCancel: (progress) => {
        ctx.log.info(`chunk ${request.chunkIndex} cancelled at ${progress.message}; discarding partial output`);
      },
    },
  );
  return { chunkIndex: request.chunkIndex, taskQueue: ctx.info.taskQueue, amount, ...result };
}

/** Aggregates the chunk results; cheap and local, so it runs as a local activity. */
export async function batchProcessingSummarize(request: BatchProcessingSummaryRequest): Promise<BatchProcessingSummary> {
  const processed = request.chunks.reduce((n, c) => n + c.processed, 0);
  const total = processed + request.invalid.length;
  return {
    batchId: request.batchId,
    chunkSizes: request.chunkSizes,
    processed,
    invalid: request.invalid,
    totalAmount: request.chunks.reduce((n, c) => n + c.amount, 0),
    chunks: request.chunks.map(({ chunkIndex, taskQueue, message, attempt, resumedFrom }) => ({ chunkIndex, taskQueue, message, attempt, resumedFrom })),
    message: `${formatProgress(processed, total)} in ${request.chunkSizes.length} chunks; ${request.invalid.length} invalid`,
  };
}
