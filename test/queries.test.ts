import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, QueryNotRegisteredError, QueryRejectedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { bumpSignal, counterStateQuery, explodingQuery, finishCounterSignal, queryableCounter } from './workflows';

const env = useHourglassServer();
const { WorkflowExecutionStatus } = temporal.api.enums.v1;

describe('queries', () => {
  test('a query on a running workflow returns its current state', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(queryableCounter, { taskQueue, workflowId: taskQueue });
      assert.deepEqual(await handle.query(counterStateQuery), { count: 0, finished: false });
      await handle.signal(bumpSignal);
      await handle.signal(bumpSignal);
      // Signals are processed by a workflow task; a query answered after it sees both.
      const state = await waitFor('count 2', async () => {
        const s = await handle.query(counterStateQuery);
        return s.count === 2 ? s : undefined;
      });
      assert.deepEqual(state, { count: 2, finished: false });
      await handle.signal(finishCounterSignal);
      await handle.result();
    });
  });

  test('a query on a completed workflow returns its final state (the worker replays it)', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(queryableCounter, { taskQueue, workflowId: taskQueue });
      await handle.signal(bumpSignal);
      await handle.signal(bumpSignal);
      await handle.signal(bumpSignal);
      await handle.signal(finishCounterSignal);
      assert.deepEqual(await handle.result(), { count: 3, finished: true });
      assert.equal((await handle.describe()).status.name, 'COMPLETED');
      assert.deepEqual(await handle.query(counterStateQuery), { count: 3, finished: true });
    });
  });

  test('an unknown query type fails with QueryNotRegisteredError naming the query', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(queryableCounter, { taskQueue, workflowId: taskQueue });
      const err = await rejectionOf(handle.query('noSuchQuery'), 'an unknown query');
      assert.ok(err instanceof QueryNotRegisteredError, `expected QueryNotRegisteredError, got ${String(err)}`);
      assert.match(err.message, /noSuchQuery/);
      // The workflow is unaffected and still answers known queries.
      assert.deepEqual(await handle.query(counterStateQuery), { count: 0, finished: false });
      await handle.signal(finishCounterSignal);
      await handle.result();
    });
  });

  test('a query handler that throws fails the query with the handler message, not the workflow', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(queryableCounter, { taskQueue, workflowId: taskQueue });
      const err = await rejectionOf(handle.query(explodingQuery), 'a throwing query handler');
      // The server answers a failed query with INVALID_ARGUMENT (QueryFailed), which the 1.24 client turns into
      // QueryNotRegisteredError carrying the handler's message.
      assert.ok(err instanceof QueryNotRegisteredError, `expected QueryNotRegisteredError, got ${String(err)}`);
      assert.match(err.message, /the query handler exploded/);
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      await handle.signal(finishCounterSignal);
      assert.deepEqual(await handle.result(), { count: 0, finished: true });
    });
  });

  test("queryRejectCondition 'NOT_OPEN' rejects a query on a completed workflow with QueryRejectedError", async (t) => {
    const taskQueue = uniqueName(t);
    const strictClient = new Client({ connection: env.connection, namespace: env.namespace, workflow: { queryRejectCondition: 'NOT_OPEN' } });
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(queryableCounter, { taskQueue, workflowId: taskQueue });
      // While it is open the condition does not apply.
      assert.deepEqual(await strictClient.workflow.getHandle(taskQueue).query(counterStateQuery), { count: 0, finished: false });
      await handle.signal(finishCounterSignal);
      await handle.result();
      const err = await rejectionOf(strictClient.workflow.getHandle(taskQueue).query(counterStateQuery), 'a query on a closed workflow');
      assert.ok(err instanceof QueryRejectedError, `expected QueryRejectedError, got ${String(err)}`);
      assert.equal(err.status, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    });
  });

  test('a query while no worker polls fails at the client deadline instead of hanging', async (t) => {
    const taskQueue = uniqueName(t);
    const handle = await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(queryableCounter, { taskQueue, workflowId: taskQueue });
      assert.deepEqual(await handle.query(counterStateQuery), { count: 0, finished: false });
      return handle;
    });
    // The worker has shut down; the workflow is still running.
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    const started = Date.now();
    const err = await rejectionOf(
      env.client.withDeadline(Date.now() + 1500, () => handle.query(counterStateQuery)),
      'a query nobody can answer',
    );
    const elapsed = Date.now() - started;
    assert.ok(err instanceof Error, `expected an error, got ${String(err)}`);
    assert.ok(elapsed < 30_000, `the query failed at the caller's deadline instead of hanging (${elapsed}ms)`);
    t.diagnostic(`query without a worker failed after ${elapsed}ms: ${err.name}: ${err.message}`);
    await handle.terminate('test done');
  });
});
