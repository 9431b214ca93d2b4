import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import type { EnhancedStackTrace } from '@temporalio/workflow';
import { activities, eventNames, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { failWorkflow, finishSignal, returnValue, sleeper, slowLocalActivityThenTimer, waitForFinish } from './workflows';

const env = useHourglassServer();

/** The result shape of the SDK's built-in `__temporal_workflow_metadata` query. */
interface WorkflowMetadata {
  definition: {
    type: string;
    queryDefinitions: { name: string; description?: string }[];
    signalDefinitions: { name: string; description?: string }[];
    updateDefinitions: { name: string; description?: string }[];
  };
  currentDetails?: string;
}

/** Asks the three built-in queries and checks what every answer must hold for a workflow of `workflowType`. */
async function builtInQueries(
  handle: WorkflowHandle,
  workflowType: string,
): Promise<{ stack: string; enhanced: EnhancedStackTrace; metadata: WorkflowMetadata }> {
  const stack = await handle.query<string>('__stack_trace');
  const enhanced = await handle.query<EnhancedStackTrace>('__enhanced_stack_trace');
  const metadata = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
  assert.equal(typeof stack, 'string');
  assert.equal(enhanced.sdk.name, 'typescript');
  assert.ok(Array.isArray(enhanced.stacks), 'the enhanced stack trace has stacks');
  assert.equal(typeof enhanced.sources, 'object');
  assert.equal(metadata.definition.type, workflowType);
  const queries = metadata.definition.queryDefinitions.map((q) => q.name);
  for (const name of ['__stack_trace', '__enhanced_stack_trace', '__temporal_workflow_metadata']) {
    assert.ok(queries.includes(name), `${name} in ${queries.join()}`);
  }
  return { stack, enhanced, metadata };
}

async function hasCompletedWorkflowTask(handle: WorkflowHandle): Promise<true | undefined> {
  return eventNames((await handle.fetchHistory()).events).includes('EVENT_TYPE_WORKFLOW_TASK_COMPLETED') ? true : undefined;
}

describe('built-in stack trace and metadata queries', () => {
  test('a running workflow blocked in condition() answers with its stack and its signal handlers (query task)', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(waitForFinish, { taskQueue, workflowId: taskQueue });
      await waitFor('the first workflow task', () => hasCompletedWorkflowTask(handle));
      const { stack, enhanced, metadata } = await builtInQueries(handle, 'waitForFinish');
      assert.match(stack, /waitForFinish/);
      assert.ok(enhanced.stacks.length >= 1, 'one stack for the blocked condition');
      assert.ok(
        enhanced.stacks.some((s) => s.locations.some((l) => l.function_name === 'waitForFinish')),
        JSON.stringify(enhanced.stacks),
      );
      assert.deepEqual(
        metadata.definition.signalDefinitions.map((s) => s.name),
        ['finish'],
      );
      await handle.signal(finishSignal);
      assert.equal(await handle.result(), 'finished');
    });
  });

  test('a running workflow blocked in sleep answers the built-in queries', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(sleeper, { taskQueue, workflowId: taskQueue, args: [60_000] });
      await waitFor('the first workflow task', () => hasCompletedWorkflowTask(handle));
      const { stack } = await builtInQueries(handle, 'sleeper');
      assert.match(stack, /sleeper/);
      await handle.terminate('test done');
    });
  });

  test('queries sent while the first workflow task is pending ride on it once a worker polls', async (t) => {
    const taskQueue = uniqueName(t);
    // No worker yet: the workflow task stays pending and the queries wait for it.
    const handle = await env.client.workflow.start(waitForFinish, { taskQueue, workflowId: taskQueue });
    const stack = handle.query<string>('__stack_trace');
    const enhanced = handle.query<EnhancedStackTrace>('__enhanced_stack_trace');
    const metadata = handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
    await withWorker(env, { taskQueue }, async () => {
      assert.match(await stack, /waitForFinish/);
      assert.equal((await enhanced).sdk.name, 'typescript');
      assert.equal((await metadata).definition.type, 'waitForFinish');
      await builtInQueries(handle, 'waitForFinish');
      await handle.signal(finishSignal);
      assert.equal(await handle.result(), 'finished');
    });
  });

  test('queries sent while a workflow task is in flight (a local activity holds it open) are answered after it', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(slowLocalActivityThenTimer, { taskQueue, workflowId: taskQueue, args: [taskQueue, 1500] });
      await waitFor('the local activity to start', () => (activities.executions.get(taskQueue) === 1 ? true : undefined));
      const { stack } = await builtInQueries(handle, 'slowLocalActivityThenTimer');
      assert.match(stack, /slowLocalActivityThenTimer/);
      assert.equal(await handle.result(), 'done after 1 execution(s)');
    });
  });

  test('a completed workflow answers by replaying its history', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(waitForFinish, { taskQueue, workflowId: taskQueue });
      await handle.signal(finishSignal);
      assert.equal(await handle.result(), 'finished');
      const { stack, enhanced } = await builtInQueries(handle, 'waitForFinish');
      // Nothing is blocked any more.
      assert.equal(stack, '');
      assert.deepEqual(enhanced.stacks, []);
    });
  });

  test('a completed workflow is queried by a worker started after it closed', async (t) => {
    const taskQueue = uniqueName(t);
    const handle = await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(returnValue, { taskQueue, workflowId: taskQueue, args: ['done'] });
      assert.equal(await handle.result(), 'done');
      return handle;
    });
    await withWorker(env, { taskQueue }, () => builtInQueries(handle, 'returnValue'));
  });

  test('a failed workflow still answers (no reject condition)', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(failWorkflow, { taskQueue, workflowId: taskQueue, args: ['boom'] });
      await rejectionOf(handle.result(), 'a failing workflow');
      assert.equal((await handle.describe()).status.name, 'FAILED');
      await builtInQueries(handle, 'failWorkflow');
    });
  });
});
