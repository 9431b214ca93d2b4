/**
 * Batch processing: chunked fan-out over dedicated task queues per step kind, a heartbeating
 * activity that resumes from its last heartbeat on retry and cleans up on cancellation, and a
 * summary written by a local activity.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { processWithHeartbeat } from '../../patterns/activities/batch-processing';
import { chunk, formatProgress, mapWithConcurrency, stepTaskQueue, type BatchProgress } from '../../patterns/batch-processing';
import type { BatchItem, BatchRequest } from '../../patterns/domain';
import * as exampleActivities from '../../examples/activities/batch-processing';
import { batchProcessingWorkflow, type BatchProcessingInput } from '../../examples/workflows/batch-processing';
import { EventType, countEvents, needsTimeSkipping, uniqueName, waitFor } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';

const pattern = usePatternEnvironment('batch-processing');

function batch(batchId: string, count: number, chunkSize: number, data: (i: number) => Record<string, unknown> = (i) => ({ amount: i })): BatchRequest {
  const items: BatchItem[] = Array.from({ length: count }, (_, i) => ({ id: `item-${i}`, data: data(i) }));
  return { batchId, items, chunkSize };
}

type Activities = typeof exampleActivities;

/**
 * Runs the workflow with a worker on the base queue (workflows + the local summary activity) and one
 * on each step queue, each given only the activities of its step.
 */
async function runBatch<R>(
  taskQueue: string,
  activities: Pick<Activities, 'batchProcessingValidateChunk' | 'batchProcessingProcessChunk'>,
  fn: () => Promise<R>,
): Promise<R> {
  const validate = await Worker.create({
    connection: pattern.env.nativeConnection,
    taskQueue: stepTaskQueue(taskQueue, 'validate'),
    activities: { batchProcessingValidateChunk: activities.batchProcessingValidateChunk },
  });
  const processor = await Worker.create({
    connection: pattern.env.nativeConnection,
    taskQueue: stepTaskQueue(taskQueue, 'process'),
    activities: { batchProcessingProcessChunk: activities.batchProcessingProcessChunk },
    // Flush heartbeats quickly so progress (and cancellation) travel within the test's time budget.
    maxHeartbeatThrottleInterval: '20ms',
    defaultHeartbeatThrottleInterval: '20ms',
  });
  return validate.runUntil(processor.runUntil(pattern.run(taskQueue, { batchProcessingSummarize: exampleActivities.batchProcessingSummarize }, fn)));
}

function start(taskQueue: string, input: Omit<BatchProcessingInput, 'taskQueue'>) {
  return pattern.env.client.workflow.start(batchProcessingWorkflow, { taskQueue, workflowId: taskQueue, args: [{ ...input, taskQueue }] });
}

describe('batch processing (time-skipping env, mocked step activities)', needsTimeSkipping(), () => {
  test('25 items in chunks of 10 are validated and processed as chunks of 10, 10 and 5 on the dedicated step queues; the summary is a local activity', async (t) => {
    const taskQueue = uniqueName(t);
    const validated: string[] = [];
    const processedChunks: string[] = [];
    const activities: Pick<Activities, 'batchProcessingValidateChunk' | 'batchProcessingProcessChunk'> = {
      batchProcessingValidateChunk: async (c) => {
        validated.push(`chunk ${c.chunkIndex}: ${c.items.length} items on ${Context.current().info.taskQueue}`);
        // item-7 is invalid
        return exampleActivities.batchProcessingValidateChunk(c);
      },
      batchProcessingProcessChunk: async (r) => {
        processedChunks.push(`chunk ${r.chunkIndex}: ${r.items.length} items on ${Context.current().info.taskQueue}`);
        return exampleActivities.batchProcessingProcessChunk(r);
      },
    };
    const request = batch('b-sizes', 25, 10, (i) => ({ amount: i === 7 ? -1 : 1 }));
    const { summary, history } = await runBatch(taskQueue, activities, async () => {
      const handle = await start(taskQueue, { request });
      return { summary: await handle.result(), history: await handle.fetchHistory() };
    });

    const v = stepTaskQueue(taskQueue, 'validate');
    const p = stepTaskQueue(taskQueue, 'process');
    assert.deepEqual(validated.sort(), [`chunk 0: 10 items on ${v}`, `chunk 1: 10 items on ${v}`, `chunk 2: 5 items on ${v}`]);
    assert.deepEqual(processedChunks.sort(), [`chunk 0: 9 items on ${p}`, `chunk 1: 10 items on ${p}`, `chunk 2: 5 items on ${p}`]);
    assert.deepEqual(summary, {
      batchId: 'b-sizes',
      chunkSizes: [10, 10, 5],
      processed: 24,
      invalid: [{ id: 'item-7', reason: 'amount must be a non-negative number, got -1' }],
      totalAmount: 24,
      chunks: [
        { chunkIndex: 0, taskQueue: p, message: 'Processed 9/9 (100.0%)', attempt: 1, resumedFrom: 0 },
        { chunkIndex: 1, taskQueue: p, message: 'Processed 10/10 (100.0%)', attempt: 1, resumedFrom: 0 },
        { chunkIndex: 2, taskQueue: p, message: 'Processed 5/5 (100.0%)', attempt: 1, resumedFrom: 0 },
      ],
      message: 'Processed 24/25 (96.0%) in 3 chunks; 1 invalid',
    });
    assert.equal(countEvents(history.events, EventType.EVENT_TYPE_MARKER_RECORDED), 1, 'the summary ran as a local activity (a marker)');
    assert.equal(countEvents(history.events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 6, '3 validate + 3 process activities, no summary activity');
  });

  test('a chunk that fails after some progress is retried from its last heartbeat: no item is processed twice', async (t) => {
    const taskQueue = uniqueName(t);
    const handled = new Map<string, number>();
    const heartbeats: string[] = [];
    const attempts: { attempt: number; resumedFrom: number }[] = [];
    const activities: Pick<Activities, 'batchProcessingValidateChunk' | 'batchProcessingProcessChunk'> = {
      batchProcessingValidateChunk: exampleActivities.batchProcessingValidateChunk,
      batchProcessingProcessChunk: async (r) => {
        const ctx = Context.current();
        attempts.push({ attempt: ctx.info.attempt, resumedFrom: (ctx.info.heartbeatDetails as BatchProgress | undefined)?.processed ?? 0 });
        const result = await processWithHeartbeat(r.items, async (item, index) => {
          if (ctx.info.attempt === 1 && index === 4) {
            // Injected crash after 4 items. The heartbeat of item 4 may still be throttled in the worker:
            // the SDK sends the latest details along with the failure, so the retry sees it.
            throw ApplicationFailure.create({ type: 'InjectedFailure', message: 'crash after 4 items' });
          }
          handled.set(item.id, (handled.get(item.id) ?? 0) + 1);
          heartbeats.push(formatProgress(index + 1, r.items.length));
        });
        return { chunkIndex: r.chunkIndex, taskQueue: ctx.info.taskQueue, amount: result.processed, ...result };
      },
    };
    const summary = await runBatch(taskQueue, activities, async () => (await start(taskQueue, { request: batch('b-resume', 10, 10) })).result());

    assert.deepEqual(attempts, [
      { attempt: 1, resumedFrom: 0 },
      { attempt: 2, resumedFrom: 4 },
    ]);
    assert.equal(handled.size, 10);
    assert.deepEqual([...handled.values()], Array<number>(10).fill(1), 'every item handled exactly once across both attempts');
    assert.equal(heartbeats[3], 'Processed 4/10 (40.0%)');
    assert.equal(summary.processed, 10);
    assert.deepEqual(
      summary.chunks.map(({ attempt, resumedFrom }) => ({ attempt, resumedFrom })),
      [{ attempt: 2, resumedFrom: 4 }],
    );
    assert.equal(summary.message, 'Processed 10/10 (100.0%) in 1 chunks; 0 invalid');
  });

  test('cancelling the workflow cancels the heartbeating activity, which runs its cleanup before the workflow ends', async (t) => {
    const taskQueue = uniqueName(t);
    const cleanups: BatchProgress[] = [];
    let progress = 0;
    const activities: Pick<Activities, 'batchProcessingValidateChunk' | 'batchProcessingProcessChunk'> = {
      batchProcessingValidateChunk: exampleActivities.batchProcessingValidateChunk,
      batchProcessingProcessChunk: async (r) => {
        const ctx = Context.current();
        const result = await processWithHeartbeat(
          r.items,
          async () => {
            await ctx.sleep(20);
            progress++;
          },
          { onCancel: (p) => void cleanups.push(p) },
        );
        return { chunkIndex: r.chunkIndex, taskQueue: ctx.info.taskQueue, amount: 0, ...result };
      },
    };
    const err = await runBatch(taskQueue, activities, async () => {
      const handle = await start(taskQueue, { request: batch('b-cancel', 500, 500) });
      await waitFor('some progress', () => (progress >= 5 ? true : undefined));
      await handle.cancel();
      return handle.result().then(
        () => assert.fail('the workflow should have been cancelled'),
        (e: unknown) => e,
      );
    });

    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.equal(err.cause?.name, 'CancelledFailure');
    assert.equal(cleanups.length, 1, 'cleanup ran once');
    const [cleanup] = cleanups;
    assert.ok(cleanup && cleanup.processed >= 5 && cleanup.processed < 500, JSON.stringify(cleanup));
    assert.equal(cleanup.message, formatProgress(cleanup.processed, 500));
  });
});

describe('batch helpers (unit)', () => {
  test('chunk, formatProgress and mapWithConcurrency', async () => {
    assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
    assert.deepEqual(chunk([], 3), []);
    assert.throws(() => chunk([1], 0), TypeError);
    assert.equal(formatProgress(40, 100), 'Processed 40/100 (40.0%)');
    assert.equal(formatProgress(1, 3), 'Processed 1/3 (33.3%)');

    let inFlight = 0;
    let peak = 0;
    const out = await mapWithConcurrency([5, 1, 3, 2, 4], 2, async (n, i) => {
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, n * 3));
      inFlight--;
      return `${i}:${n}`;
    });
    assert.deepEqual(out, ['0:5', '1:1', '2:3', '3:2', '4:4']);
    assert.equal(peak, 2);
  });
});
