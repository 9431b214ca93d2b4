/**
 * Batch processing with child workflows: one child per item, ID `<parentId>-<itemId>`, its own
 * execution timeout; failures are collected per item (unwrapped from ChildWorkflowFailure) and the
 * batch ends with exactly one summary.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { needsTimeSkipping, uniqueName } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';
import type { BatchItem, BatchRequest } from '../../patterns/domain';
import type * as exampleActivities from '../../examples/activities/batch-children';
import type { batchChildrenWorkflow } from '../../examples/workflows/batch-children';

type Activities = typeof exampleActivities;

describe('batch processing with child workflows', needsTimeSkipping(), () => {
  const pattern = usePatternEnvironment('batch-children');

  test('10 items, 2 failing (one rejected, one timing out): exact results and failures, one summary with the counts', async (t) => {
    const taskQueue = uniqueName(t);
    const items: BatchItem[] = Array.from({ length: 10 }, (_, i) => ({ id: `item-${i}`, data: { value: i } }));
    // item-3 is rejected by its activity; item-7 takes 2 minutes against a 1-minute child timeout.
    items[3] = { id: 'item-3', data: { value: 3, invalid: true } };
    items[7] = { id: 'item-7', data: { value: 7, delayMs: 120_000 } };
    const request: BatchRequest = { batchId: 'b-1', items, chunkSize: 4 };

    const processed: string[] = [];
    const summaries: exampleActivities.BatchChildrenSummary[] = [];
    const activities: Activities = {
      batchChildrenProcessItem: async (item) => {
        processed.push(item.id);
        if (item.data.invalid) throw ApplicationFailure.create({ type: 'InvalidItem', message: `item ${item.id} is invalid`, nonRetryable: true });
        return { itemId: item.id, value: (item.data.value as number) * 10 };
      },
      batchChildrenSummarize: async (summary) => void summaries.push(summary),
    };

    const outcome = await pattern.run(taskQueue, activities, () =>
      pattern.env.client.workflow.execute<typeof batchChildrenWorkflow>('batchChildrenWorkflow', { taskQueue, workflowId: taskQueue, args: [request, 60_000] }),
    );

    const succeeded = [0, 1, 2, 4, 5, 6, 8, 9];
    assert.deepEqual(
      outcome.results,
      succeeded.map((i) => ({ itemId: `item-${i}`, result: { itemId: `item-${i}`, value: i * 10 } })),
    );
    assert.deepEqual(outcome.failures, [
      { itemId: 'item-3', type: 'InvalidItem', message: 'item item-3 is invalid' },
      { itemId: 'item-7', type: 'Timeout', message: 'timed out' },
    ]);
    const expectedSummary = { batchId: 'b-1', total: 10, succeeded: 8, failed: 2, failedItemIds: ['item-3', 'item-7'] };
    assert.deepEqual(summaries, [expectedSummary], 'summary activity called exactly once, with the counts');
    assert.deepEqual(outcome.summary, expectedSummary);
    // item-3 was not retried (non-retryable); item-7 never reached its activity.
    assert.deepEqual(
      processed.filter((id) => id === 'item-3' || id === 'item-7'),
      ['item-3'],
    );
    assert.equal(processed.length, 9);

    // Each child ran under its own ID, <parentId>-<itemId>, with the requested execution timeout.
    const child = await pattern.env.client.workflow.getHandle(`${taskQueue}-item-7`).describe();
    assert.equal(child.type, 'batchChildrenItemWorkflow');
    assert.equal(child.status.name, 'TIMED_OUT');
    assert.equal(child.parentExecution?.workflowId, taskQueue);
    assert.equal(child.raw.executionConfig?.workflowExecutionTimeout?.seconds?.toString(), '60');
    const ok = await pattern.env.client.workflow.getHandle(`${taskQueue}-item-0`).describe();
    assert.equal(ok.status.name, 'COMPLETED');
  });
});
