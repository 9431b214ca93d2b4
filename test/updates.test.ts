import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { eventNames, rejectionOf, uniqueName, useHourglassServer, withWorker } from './helpers';
import { addItemUpdate, cart, closeCartSignal, itemsQuery, slowAddItemUpdate } from './workflows';

const env = useHourglassServer();

function updateEvents(names: string[]): string[] {
  return names.filter((n) => n.startsWith('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_'));
}

describe('updates', () => {
  test('an update rejected by its validator fails with WorkflowUpdateFailedError and leaves no update events', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      const err = await rejectionOf(handle.executeUpdate(addItemUpdate, { args: [-5] }), 'a rejected update');
      assert.ok(err instanceof WorkflowUpdateFailedError, `expected WorkflowUpdateFailedError, got ${String(err)}`);
      assert.match(String(err.cause?.message), /negative numbers are not allowed: -5/);
      assert.deepEqual(await handle.query(itemsQuery), [], 'the handler must not run for a rejected update');

      const names = eventNames((await handle.fetchHistory()).events);
      assert.deepEqual(updateEvents(names), [], `history: ${names.join(', ')}`);
      await handle.signal(closeCartSignal);
      assert.deepEqual(await handle.result(), []);
    });
  });

  test('an accepted update returns the handler value and history records UPDATE_ACCEPTED then UPDATE_COMPLETED', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      assert.equal(await handle.executeUpdate(addItemUpdate, { args: [7] }), 7);
      assert.equal(await handle.executeUpdate(addItemUpdate, { args: [5] }), 12);
      assert.deepEqual(await handle.query(itemsQuery), [7, 5]);

      const names = eventNames((await handle.fetchHistory()).events);
      assert.deepEqual(
        updateEvents(names),
        [
          'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
          'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
          'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
          'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED',
        ],
        `history: ${names.join(', ')}`,
      );
      await handle.signal(closeCartSignal);
      assert.deepEqual(await handle.result(), [7, 5]);
    });
  });

  test('the same updateId sent twice runs the handler once and both calls return the same value', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      const first = await handle.executeUpdate(addItemUpdate, { args: [3], updateId: 'u1' });
      const second = await handle.executeUpdate(addItemUpdate, { args: [3], updateId: 'u1' });
      assert.equal(first, 3);
      assert.equal(second, first);
      assert.deepEqual(await handle.query(itemsQuery), [3], 'the handler ran more than once for one updateId');

      const names = eventNames((await handle.fetchHistory()).events);
      assert.deepEqual(
        updateEvents(names),
        ['EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED'],
        `history: ${names.join(', ')}`,
      );
      await handle.signal(closeCartSignal);
      await handle.result();
    });
  });

  test('startUpdate waiting for ACCEPTED returns a handle whose result() is the handler value', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      const updateHandle = await handle.startUpdate(slowAddItemUpdate, { args: [4, 500], waitForStage: WorkflowUpdateStage.ACCEPTED, updateId: 'slow-1' });
      assert.equal(updateHandle.updateId, 'slow-1');
      // Accepted but not yet completed: the handler is still sleeping on its workflow timer.
      assert.deepEqual(await handle.query(itemsQuery), []);
      assert.equal(await updateHandle.result(), 4);
      // A handle obtained by ID sees the same outcome.
      assert.equal(await handle.getUpdateHandle<number>('slow-1').result(), 4);
      await handle.signal(closeCartSignal);
      assert.deepEqual(await handle.result(), [4]);
    });
  });

  test('an update on a completed workflow is rejected', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      await handle.signal(closeCartSignal);
      await handle.result();
      const err = await rejectionOf(handle.executeUpdate(addItemUpdate, { args: [1] }), 'an update on a completed workflow');
      // As in Temporal: NOT_FOUND "workflow execution already completed", which the client maps to WorkflowNotFoundError.
      assert.ok(err instanceof WorkflowNotFoundError, `expected WorkflowNotFoundError, got ${String(err)}`);
      assert.match(err.message, /already completed/);
    });
  });
});
