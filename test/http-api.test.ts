import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import jsonRoot from '@temporalio/proto/protos/json-module';
import { httpRoutes } from '../src/api/http/http-server';
import { messageFromJson, type ReflectedMessageType } from '../src/api/http/proto-json';
import { needsInProcessServer, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { cart, waitForFinish } from './workflows';

const env = useHourglassServer({ httpPort: 0 });

/** The value at a dotted path (`history.events.0.eventId`) of a JSON answer. */
function at(json: unknown, path: string): unknown {
  let value = json;
  for (const key of path.split('.')) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** The string at a path (its JSON when it is not a string), for `assert.match`. */
function str(json: unknown, path: string): string {
  const value = at(json, path);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(`http://${env.server.httpAddress}${path}`, init);
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as unknown };
}

const ns = '/api/v1/namespaces/default';

async function fetchText(path: string, headers: Record<string, string> = {}): Promise<string> {
  return (await fetch(`http://${env.server.httpAddress}${path}`, { headers })).text();
}

async function stillServing(): Promise<void> {
  const { status, json } = await call('GET', '/api/v1/system-info');
  assert.equal(status, 200);
  assert.equal(at(json, 'capabilities.signalAndQueryHeader'), true);
}

interface Codec extends ReflectedMessageType {
  toObject(message: unknown, options: Record<string, unknown>): unknown;
}

/** A message as a comparable plain object, whichever proto root built it (the SDK's or the server's). */
function canonical(typeName: string, message: unknown, encode: (m: unknown) => Uint8Array): unknown {
  const type = (jsonRoot as { lookupType(name: string): Codec }).lookupType(typeName);
  return type.toObject(type.decode(encode(message)), { longs: String, enums: String, bytes: String });
}

describe("Temporal's HTTP API", needsInProcessServer('the HTTP API is an option of the in-process server'), () => {
  test('GetSystemInfo answers on /api/v1/system-info with the capabilities, in lowerCamelCase', async () => {
    const { status, json } = await call('GET', '/api/v1/system-info');
    assert.equal(status, 200);
    assert.match(str(json, 'serverVersion'), /^\d+\.\d+/);
    assert.equal(at(json, 'capabilities.supportsSchedules'), true);
  });

  test('a workflow started by POST with shorthand payloads runs, and its result is read from the history (long poll for the close event)', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const started = await call('POST', `${ns}/workflows/${taskQueue}`, {
        workflowType: { name: 'returnValue' },
        task_queue: { name: taskQueue }, // snake_case is read too
        input: [{ greeting: 'hello', n: 3 }],
        requestId: `req-${taskQueue}`,
        workflowRunTimeout: '60s',
      });
      assert.equal(started.status, 200, JSON.stringify(started.json));
      assert.match(str(started.json, 'runId'), /^[0-9a-f-]{36}$/);

      const close = await call('GET', `${ns}/workflows/${taskQueue}/history?waitNewEvent=true&historyEventFilterType=HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT`);
      assert.equal(close.status, 200);
      assert.equal(at(close.json, 'history.events.length'), 1);
      assert.equal(at(close.json, 'history.events.0.eventType'), 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
      assert.deepEqual(at(close.json, 'history.events.0.workflowExecutionCompletedEventAttributes.result'), [{ greeting: 'hello', n: 3 }]);

      const history = await call('GET', `${ns}/workflows/${taskQueue}/history?execution.runId=${str(started.json, 'runId')}`);
      const first = at(history.json, 'history.events.0');
      assert.equal(at(first, 'eventId'), '1', 'int64 as a string');
      assert.match(str(first, 'eventTime'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'RFC 3339');
      assert.equal(at(first, 'workflowExecutionStartedEventAttributes.workflowRunTimeout'), '60s');
      assert.deepEqual(at(first, 'workflowExecutionStartedEventAttributes.input'), [{ greeting: 'hello', n: 3 }]);

      const raw = await call('GET', `${ns}/workflows/${taskQueue}/history?noPayloadShorthand`);
      const input = at(raw.json, 'history.events.0.workflowExecutionStartedEventAttributes.input');
      assert.equal(Buffer.from(str(input, 'payloads.0.metadata.encoding'), 'base64').toString(), 'json/plain');
      const byAccept = JSON.parse(await fetchText(`${ns}/workflows/${taskQueue}/history`, { accept: 'application/json+no-payload-shorthand' })) as unknown;
      assert.deepEqual(at(byAccept, 'history.events.0.workflowExecutionStartedEventAttributes.input'), input);
      const pretty = await fetchText(`${ns}/workflows/${taskQueue}/history?pretty&maximumPageSize=1`);
      assert.match(pretty, /^\{\n {2}"history": \{\n/);
      assert.equal(at(JSON.parse(pretty), 'history.events.length'), 1);
    });
  });

  test('list (?query=), count and describe answer for a run, with enums by name', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(waitForFinish, { taskQueue, workflowId: taskQueue });
      const query = encodeURIComponent(`WorkflowId="${taskQueue}"`);
      const listed = await waitFor('the run to be listed', async () => {
        const { json } = await call('GET', `${ns}/workflows?query=${query}&pageSize=10&_=cache-buster`);
        return at(json, 'executions.length') ? json : undefined;
      });
      assert.equal(at(listed, 'executions.0.execution.runId'), handle.firstExecutionRunId);
      assert.equal(at(listed, 'executions.0.status'), 'WORKFLOW_EXECUTION_STATUS_RUNNING');

      const counted = await call('GET', `${ns}/workflow-count?query=${query}`);
      assert.deepEqual(counted.json, { count: '1' });

      const described = await call('GET', `${ns}/workflows/${taskQueue}`);
      assert.equal(described.status, 200);
      assert.equal(at(described.json, 'workflowExecutionInfo.type.name'), 'waitForFinish');
      assert.equal(at(described.json, 'executionConfig.taskQueue.name'), taskQueue);

      const terminated = await call('POST', `${ns}/workflows/${taskQueue}/terminate`, { reason: 'enough' });
      assert.equal(terminated.status, 200);
      assert.deepEqual(terminated.json, {});
      const after = await call('GET', `${ns}/workflows/${taskQueue}`);
      assert.equal(at(after.json, 'workflowExecutionInfo.status'), 'WORKFLOW_EXECUTION_STATUS_TERMINATED');
    });
  });

  test('query (answered by the worker), update and signal reach the workflow through their routes', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      const updated = await call('POST', `${ns}/workflows/${taskQueue}/update/addItem`, {
        request: { meta: { updateId: 'u1' }, input: { args: [7] } },
        waitPolicy: { lifecycleStage: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED' },
      });
      assert.equal(updated.status, 200, JSON.stringify(updated.json));
      assert.deepEqual(at(updated.json, 'outcome.success'), [7]);

      const queried = await call('POST', `${ns}/workflows/${taskQueue}/query/items`, { query: {} });
      assert.equal(queried.status, 200, JSON.stringify(queried.json));
      assert.deepEqual(at(queried.json, 'queryResult'), [[7]]);

      const signalled = await call('POST', `${ns}/workflows/${taskQueue}/signal/closeCart`, {});
      assert.equal(signalled.status, 200);
      assert.deepEqual(await handle.result(), [7]);
    });
  });

  test('an HTTP answer read back from its JSON is field for field the gRPC answer to the same request', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start('returnValue', {
        taskQueue,
        workflowId: taskQueue,
        args: [{ list: [1, 'a', null] }],
        memo: { note: 'm' },
      });
      await handle.result();
      const service = temporal.api.workflowservice.v1;
      const pairs: [string, string, () => Promise<Uint8Array>][] = [
        [
          'DescribeWorkflowExecutionResponse',
          `${ns}/workflows/${taskQueue}`,
          async () =>
            service.DescribeWorkflowExecutionResponse.encode(
              await env.connection.workflowService.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: taskQueue } }),
            ).finish(),
        ],
        [
          'GetWorkflowExecutionHistoryResponse',
          `${ns}/workflows/${taskQueue}/history`,
          async () =>
            service.GetWorkflowExecutionHistoryResponse.encode(
              await env.connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: taskQueue } }),
            ).finish(),
        ],
      ];
      for (const [name, path, grpcCall] of pairs) {
        const typeName = `temporal.api.workflowservice.v1.${name}`;
        const type = (jsonRoot as { lookupType(n: string): Codec }).lookupType(typeName);
        const { status, json } = await call('GET', path);
        assert.equal(status, 200);
        const fromHttp = canonical(typeName, messageFromJson(type, json, { payloadShorthand: true }), (m) => type.encode(m).finish());
        const fromGrpc = canonical(typeName, await grpcCall(), (bytes) => bytes as Uint8Array);
        assert.deepEqual(fromHttp, fromGrpc, name);
      }
    });
  });

  test('DescribeTaskQueue answers on the task-queue route, query parameters typed as the fields', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { status, json } = await waitFor('a poller to be seen', async () => {
        const r = await call('GET', `${ns}/task-queues/${taskQueue}?taskQueueType=TASK_QUEUE_TYPE_WORKFLOW`);
        return at(r.json, 'pollers.length') ? r : undefined;
      });
      assert.equal(status, 200);
      assert.match(str(json, 'pollers.0.lastAccessTime'), /Z$/);
    });
  });

  test('a missing workflow is 404 with the gRPC code and message; an unknown namespace carries its failure detail', async () => {
    const missing = await call('GET', `${ns}/workflows/no-such-workflow`);
    assert.equal(missing.status, 404);
    assert.equal(at(missing.json, 'code'), 5);
    assert.match(str(missing.json, 'message'), /no-such-workflow|not found/i);
    assert.equal(at(missing.json, 'details'), undefined, 'no details key when there are none');

    const namespace = await call('GET', '/api/v1/namespaces/no-such-namespace/workflows/x');
    assert.equal(namespace.status, 404);
    assert.equal(at(namespace.json, 'details.0.@type'), 'type.googleapis.com/temporal.api.errordetails.v1.NamespaceNotFoundFailure');
    assert.equal(at(namespace.json, 'details.0.namespace'), 'no-such-namespace');
    await stillServing();
  });

  test('bad requests get 400 (malformed JSON, a field of the wrong type, an unknown field), 404 (unknown route), 405 (wrong verb), 413 (too large)', async () => {
    const malformed = await call('POST', `${ns}/workflows/bad-json`, '{"workflowType": ');
    assert.equal(malformed.status, 400);
    assert.equal(at(malformed.json, 'code'), 3);
    assert.match(str(malformed.json, 'message'), /JSON/);
    await stillServing();

    const wrongType = await call('POST', `${ns}/workflows/bad-type`, { workflowType: { name: 42 } });
    assert.equal(wrongType.status, 400);
    assert.equal(at(wrongType.json, 'code'), 3);
    assert.match(str(wrongType.json, 'message'), /workflowType\.name/);
    await stillServing();

    const unknownField = await call('POST', `${ns}/workflows/bad-field`, { noSuchField: 1 });
    assert.equal(unknownField.status, 400);
    assert.match(str(unknownField.json, 'message'), /unknown field "noSuchField"/);

    const route = await call('GET', '/api/v1/nowhere');
    assert.equal(route.status, 404);
    assert.deepEqual(route.json, { code: 5, message: 'Not Found' });

    const verb = await call('DELETE', '/api/v1/system-info');
    assert.equal(verb.status, 405);

    const big = await call('POST', `${ns}/workflows/too-big`, JSON.stringify({ input: ['x'.repeat(5 * 1024 * 1024)] }));
    assert.equal(big.status, 413);
    assert.equal(at(big.json, 'code'), 8);
    await stillServing();
  });

  test('every annotated GET route answers with a status, never an internal error (unimplemented RPCs: 501)', async () => {
    for (const route of httpRoutes().filter((r) => r.method === 'GET')) {
      const path = route.template.replace('{namespace}', 'default').replace(/\{[^}]+\}/g, 'x');
      const { status, json } = await call('GET', path);
      assert.ok(status < 500 || status === 501, `${route.rpc} ${path}: ${status} ${JSON.stringify(json)}`);
      assert.equal(typeof at(json, 'code') === 'number' || status === 200, true, path);
    }
    await stillServing();
  });

  test('a history long poll whose client goes away is abandoned, and the server keeps serving', async (t) => {
    const taskQueue = uniqueName(t);
    await env.client.workflow.start(waitForFinish, { taskQueue, workflowId: taskQueue });
    const abort = new AbortController();
    const poll = fetch(
      `http://${env.server.httpAddress}${ns}/workflows/${taskQueue}/history?waitNewEvent=true&historyEventFilterType=HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT`,
      { signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 200);
    await assert.rejects(poll);
    await stillServing();
    await call('POST', `${ns}/workflows/${taskQueue}/terminate`, {});
  });
});
