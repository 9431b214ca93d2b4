/**
 * Parallel fan-out: all items run concurrently, failures are collected per item instead of
 * failing the batch, and the totals add up.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { delay, needsTimeSkipping, uniqueName } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';
import type { BatchItem, BatchRequest } from '../../patterns/domain';
import { parallelProcessItem } from '../../examples/activities/parallel';
import { parallelBatchWorkflow } from '../../examples/workflows/parallel';

/** 10 items; items 2, 5 and 8 are flagged to fail. */
function batch(batchId: string, chunkSize?: number): BatchRequest {
  const items: BatchItem[] = Array.from({ length: 10 }, (_, i) => ({
    id: `item-${i}`,
    data: { value: i * 10, ...([2, 5, 8].includes(i) ? { fail: true } : {}) },
  }));
  return { batchId, items, ...(chunkSize !== undefined ? { chunkSize } : {}) };
}

describe('parallel fan-out', needsTimeSkipping(), () => {
  const pattern = usePatternEnvironment('parallel');

  /** Runs a batch with the real item activity, slowed down to measure how many run at once. */
  async function runBatch(taskQueue: string, request: BatchRequest) {
    let inFlight = 0;
    let maxInFlight = 0;
    const started: string[] = [];
    const activities = {
      parallelProcessItem: async (item: BatchItem) => {
        started.push(item.id);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          await delay(150);
          return await parallelProcessItem(item);
        } finally {
          inFlight--;
        }
      },
    };
    const result = await pattern.run(taskQueue, activities, () =>
      pattern.env.client.workflow.execute(parallelBatchWorkflow, { taskQueue, workflowId: taskQueue, args: [request] }),
    );
    return { result, maxInFlight, started };
  }

  test('10 items with 3 failing: 7 successes and 3 failures with item ID and reason, and the batch still completes', async (t) => {
    const { result, maxInFlight, started } = await runBatch(uniqueName(t), batch('batch-1'));
    assert.equal(started.length, 10, 'every item ran exactly once (failures are not retried)');
    assert.ok(maxInFlight > 1, `items ran in parallel (max in flight ${maxInFlight})`);
    assert.deepEqual(result, {
      batchId: 'batch-1',
      total: 10,
      succeeded: 7,
      failed: 3,
      successes: [0, 1, 3, 4, 6, 7, 9].map((i) => ({ id: `item-${i}`, result: { id: `item-${i}`, value: i * 10 } })),
      failures: [2, 5, 8].map((i) => ({ id: `item-${i}`, error: `item item-${i} is invalid`, type: 'InvalidItem' })),
    });
  });

  test('maxConcurrency (the batch chunkSize) bounds the items in flight without changing the outcome', async (t) => {
    const { result, maxInFlight } = await runBatch(uniqueName(t), batch('batch-2', 3));
    assert.ok(maxInFlight <= 3, `at most 3 in flight, saw ${maxInFlight}`);
    assert.equal(result.total, 10);
    assert.equal(result.succeeded, 7);
    assert.deepEqual(
      result.failures.map((f) => f.id),
      ['item-2', 'item-5', 'item-8'],
    );
  });
});
