import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowNotFoundError, type WorkflowExecutionInfo } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { EventType, countEvents, eventNames, grpcCode, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { customIntField, returnValue, upsertIntAttribute } from './workflows';

// Dev-server defaults on Hourglass; declared so that an external server is given them if it lacks them.
const env = useHourglassServer({
  searchAttributes: [
    { name: 'CustomKeywordField', type: 'Keyword' },
    { name: 'CustomIntField', type: 'Int' },
  ],
});

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;
const INVALID_ARGUMENT = 3;
const customKeywordField = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);

async function collect(query: string, pageSize?: number): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  for await (const execution of env.client.workflow.list({ query, pageSize })) found.push(execution);
  return found;
}

/** Every message and gRPC details string along an error's cause chain (the SDK wraps the gRPC error). */
function messagesOf(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const { message, details } = e as { message?: unknown; details?: unknown };
    if (typeof message === 'string') parts.push(message);
    if (typeof details === 'string') parts.push(details);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(' | ');
}

async function inChunks<T>(items: readonly T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

describe('visibility', () => {
  test('500 workflows: list by type, keyword attribute and status returns exactly the matching set; count groups by status', async (t) => {
    const prefix = uniqueName(t);
    const workflowType = `bulkType_${prefix.slice(-8)}`;
    const taskQueue = prefix;
    const indexes = Array.from({ length: 500 }, (_, i) => i);
    const idOf = (i: number) => `${prefix}-${i}`;
    const isGold = (i: number) => i % 5 === 0;
    const isTerminated = (i: number) => i < 100;

    await inChunks(indexes, 50, (i) =>
      env.client.workflow.start(workflowType, {
        taskQueue,
        workflowId: idOf(i),
        typedSearchAttributes: [{ key: customKeywordField, value: isGold(i) ? 'gold' : 'plain' }],
      }),
    );
    await inChunks(indexes.filter(isTerminated), 50, (i) => env.client.workflow.getHandle(idOf(i)).terminate('visibility spec'));

    const query = `WorkflowType = '${workflowType}' AND CustomKeywordField = 'gold' AND ExecutionStatus = 'Running'`;
    const expected = indexes
      .filter((i) => isGold(i) && !isTerminated(i))
      .map(idOf)
      .sort();
    assert.equal(expected.length, 80);

    const listed = await collect(query);
    assert.deepEqual(listed.map((e) => e.workflowId).sort(), expected);
    for (const e of listed) {
      assert.equal(e.type, workflowType);
      assert.equal(e.status.name, 'RUNNING');
      assert.equal(e.typedSearchAttributes.get(customKeywordField), 'gold');
    }

    const paged = await collect(query, 30);
    assert.deepEqual(paged.map((e) => e.workflowId).sort(), expected, 'paging through 30 at a time yields the same set, each once');

    const total = await env.client.workflow.count(`WorkflowType = '${workflowType}'`);
    assert.equal(total.count, 500);

    const grouped = await env.client.workflow.count(`WorkflowType = '${workflowType}' GROUP BY ExecutionStatus`);
    assert.equal(grouped.count, 500);
    const byStatus = Object.fromEntries(grouped.groups.map((g) => [String(Array.isArray(g.groupValues[0]) ? g.groupValues[0][0] : g.groupValues[0]), g.count]));
    assert.deepEqual(byStatus, { Running: 400, Terminated: 100 });

    await inChunks(
      indexes.filter((i) => !isTerminated(i)),
      50,
      (i) => env.client.workflow.getHandle(idOf(i)).terminate('cleanup'),
    );
  });

  test('a malformed query is rejected with INVALID_ARGUMENT naming the position of the error', async () => {
    const err = await rejectionOf(collect('WorkflowType = '), 'listing with a malformed query');
    assert.equal(grpcCode(err), INVALID_ARGUMENT, `got ${messagesOf(err)}`);
    assert.match(messagesOf(err), /position/i);

    const countErr = await rejectionOf(env.client.workflow.count('WorkflowType = '), 'counting with a malformed query');
    assert.equal(grpcCode(countErr), INVALID_ARGUMENT, `got ${messagesOf(countErr)}`);
    assert.match(messagesOf(countErr), /position/i);
  });

  test('a query on an unknown search attribute is rejected with INVALID_ARGUMENT', async () => {
    const err = await rejectionOf(collect("NoSuchAttribute = 'x'"), 'listing by an unknown attribute');
    assert.equal(grpcCode(err), INVALID_ARGUMENT, `got ${messagesOf(err)}`);
    assert.match(messagesOf(err), /NoSuchAttribute/);
    const countErr = await rejectionOf(env.client.workflow.count("NoSuchAttribute = 'x'"), 'counting by an unknown attribute');
    assert.equal(grpcCode(countErr), INVALID_ARGUMENT, `got ${messagesOf(countErr)}`);
  });

  test('a search attribute upserted by the workflow is visible to list queries and describe', async (t) => {
    const taskQueue = uniqueName(t);
    // A value of this test's own, so the list below finds only its run even on a server other specs share.
    const value = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
    await withWorker(env, { taskQueue }, () => env.client.workflow.execute(upsertIntAttribute, { taskQueue, workflowId: taskQueue, args: [value] }));
    const { events } = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    assert.equal(countEvents(events, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES), 1, eventNames(events).join(', '));

    const description = await env.client.workflow.getHandle(taskQueue).describe();
    assert.equal(description.typedSearchAttributes.get(customIntField), value);

    const found = await collect(`CustomIntField = ${value}`);
    assert.deepEqual(
      found.map((e) => e.workflowId),
      [taskQueue],
    );
    assert.equal(found[0]?.status.name, 'COMPLETED');
    assert.deepEqual(await collect(`CustomIntField = ${value + 1}`), []);
  });

  test('a search attribute registered through the OperatorService is listed and can be set and queried', async (t) => {
    const name = `Region_${uniqueName(t).slice(-8)}`;
    const before = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace });
    for (const preset of [
      'CustomKeywordField',
      'CustomIntField',
      'CustomDoubleField',
      'CustomBoolField',
      'CustomDatetimeField',
      'CustomTextField',
      'CustomStringField',
    ]) {
      assert.ok(
        preset in (before.customAttributes ?? {}),
        `the dev-server default ${preset} is pre-registered; got ${Object.keys(before.customAttributes ?? {}).join(', ')}`,
      );
    }
    assert.ok(!(name in (before.customAttributes ?? {})));

    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace,
      searchAttributes: { [name]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
    });
    const after = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace });
    assert.equal(after.customAttributes?.[name], IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);

    const region = defineSearchAttributeKey(name, SearchAttributeType.KEYWORD);
    const taskQueue = uniqueName(t);
    const handle = await env.client.workflow.start('registeredAttributeTarget', {
      taskQueue,
      workflowId: taskQueue,
      typedSearchAttributes: [{ key: region, value: 'emea' }],
    });
    try {
      const found = await collect(`${name} = 'emea'`);
      assert.deepEqual(
        found.map((e) => e.workflowId),
        [taskQueue],
      );
      assert.equal(found[0]?.typedSearchAttributes.get(region), 'emea');
      assert.deepEqual(await collect(`${name} = 'apac'`), []);
    } finally {
      await handle.terminate('cleanup').catch(() => undefined);
    }
    // Like Temporal, the system attributes listed include the built-in columns (WorkflowId, WorkflowType, ExecutionStatus,
    // StartTime...) as well as the predefined Temporal* ones.
    const system = after.systemAttributes ?? {};
    assert.deepEqual(
      ['WorkflowId', 'RunId', 'WorkflowType', 'ExecutionStatus', 'StartTime', 'CloseTime', 'TaskQueue'].filter((n) => !(n in system)),
      [],
      `systemAttributes: ${Object.keys(system).join(', ')}`,
    );
    assert.equal(system.WorkflowType, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    assert.equal(system.StartTime, IndexedValueType.INDEXED_VALUE_TYPE_DATETIME);
  });

  test('a list right after a start already sees the new workflow', async (t) => {
    const workflowId = uniqueName(t);
    const handle = await env.client.workflow.start('listedImmediately', { taskQueue: workflowId, workflowId });
    try {
      const found = await collect(`WorkflowId = '${workflowId}'`);
      assert.deepEqual(
        found.map((e) => [e.workflowId, e.runId, e.status.name]),
        [[workflowId, handle.firstExecutionRunId, 'RUNNING']],
      );
      assert.equal((await env.client.workflow.count(`WorkflowId = '${workflowId}'`)).count, 1);
      await handle.terminate('done');
      const afterTerminate = await collect(`WorkflowId = '${workflowId}'`);
      assert.equal(afterTerminate[0]?.status.name, 'TERMINATED', 'a list right after a terminate sees the new status');
    } finally {
      await handle.terminate('cleanup').catch(() => undefined);
    }
  });

  test('DeleteWorkflowExecution removes a completed workflow: describe then fails with WorkflowNotFoundError', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, () => env.client.workflow.execute(returnValue, { taskQueue, workflowId: taskQueue, args: ['bye'] }));
    assert.equal((await env.client.workflow.getHandle(taskQueue).describe()).status.name, 'COMPLETED');

    await env.connection.workflowService.deleteWorkflowExecution({ namespace: env.namespace, workflowExecution: { workflowId: taskQueue } });

    const err = await waitFor('the workflow to be deleted', async () => {
      try {
        await env.client.workflow.getHandle(taskQueue).describe();
        return undefined;
      } catch (e) {
        return e;
      }
    });
    assert.ok(err instanceof WorkflowNotFoundError, `expected WorkflowNotFoundError, got ${String(err)}`);
    assert.deepEqual(await collect(`WorkflowId = '${taskQueue}'`), [], 'a deleted workflow is no longer listed');
  });
});
