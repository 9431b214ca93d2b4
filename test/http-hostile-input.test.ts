/**
 * What the HTTP fuzzer found (issue 17): hostile input to Temporal's HTTP API, on its own port and under the web UI's
 * `/api/v1`, is answered with grpc-gateway's status and a google.rpc.Status body, the answer reaches a client that is
 * still sending, and nothing stored from JSON breaks a later answer. Raw sockets: a client library would refuse much of it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sendRequest } from '../bench/fuzz-http';
import type { HttpFuzzCase } from '../bench/fuzz-http-input';
import { needsInProcessServer, useHourglassServer } from './helpers';

const env = useHourglassServer({ httpPort: 0, uiPort: 0 });

interface Reply {
  status: number;
  json: Record<string, unknown>;
}

/** One request on its own `connection: close` connection, the body sent whole even when the server answers first. */
async function raw(
  method: string,
  path: string,
  body: Buffer | string = '',
  headers: Record<string, string> = {},
  target = env.server.httpAddress,
): Promise<Reply> {
  const c: HttpFuzzCase = {
    kind: 'spec',
    target: 'http',
    method,
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(body),
    transport: false,
    mayWait: false,
  };
  const outcome = await sendRequest(target ?? '', c, '', 20_000);
  assert.ok('status' in outcome, `no answer to ${method} ${path}: ${JSON.stringify(outcome)}`);
  return { status: outcome.status, json: JSON.parse(outcome.body.toString('utf8') || '{}') as Record<string, unknown> };
}

async function csrfToken(): Promise<string> {
  return ((await (await fetch(`http://${env.server.uiAddress}/ui-config.json`)).json()) as { csrfToken: string }).csrfToken;
}

const overLimit = (): string => JSON.stringify({ input: ['x'.repeat(5 * 1024 * 1024)] });

describe('hostile input to the HTTP API', needsInProcessServer('the HTTP API and the UI are options of the in-process server'), () => {
  test('a list filter longer than 16 KiB in the query string is read (headers may take 1 MiB, as Go allows), not refused with 431', async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `'w${i}'`).join(',');
    const reply = await raw('GET', `/api/v1/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId IN (${ids})`)}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.json));
  });

  test('a lone surrogate in a JSON string is read as U+FFFD, as Go reads it, so later answers carrying it still encode', async () => {
    const updated = await raw('POST', '/api/v1/namespaces/default/update', '{"updateInfo":{"description":"a\\ud800b"}}');
    assert.equal(updated.status, 200, JSON.stringify(updated.json));
    const described = await raw('GET', '/api/v1/namespaces/default');
    assert.equal(described.status, 200, JSON.stringify(described.json));
    assert.equal((described.json.namespaceInfo as { description?: string }).description, 'a\ufffdb');
    assert.equal((await raw('GET', '/api/v1/namespaces')).status, 200);
  });

  test('a body that is not UTF-8 is INVALID_ARGUMENT (400), as protojson refuses it', async () => {
    const body = Buffer.concat([Buffer.from('{"workflowType":{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
    const reply = await raw('POST', '/api/v1/namespaces/default/workflows/not-utf8', body);
    assert.equal(reply.status, 400);
    assert.equal(reply.json.code, 3);
    assert.match(String(reply.json.message), /UTF-8/);
  });

  test('a body over 4 MiB gets 413 RESOURCE_EXHAUSTED even when the client closes after it and is still sending', async () => {
    const reply = await raw('POST', '/api/v1/namespaces/default/workflows/too-big', overLimit());
    assert.equal(reply.status, 413);
    assert.equal(reply.json.code, 8);
  });

  test('a request refused before its body is read (no route, wrong verb) is answered to a client still sending a large body', async () => {
    const verb = await raw('POST', '/api/v1/system-info', overLimit());
    assert.equal(verb.status, 405);
    assert.equal(verb.json.code, 12);
    const route = await raw('POST', '/api/v1/nowhere', overLimit());
    assert.equal(route.status, 404);
    assert.equal(route.json.code, 5);
  });

  test('under the UI, a foreign Host and a missing CSRF token are PERMISSION_DENIED (403) google.rpc.Status answers, read by a client still sending', async () => {
    const host = await raw('GET', '/api/v1/system-info', '', { host: 'evil.example' }, env.server.uiAddress);
    assert.equal(host.status, 403);
    assert.equal(host.json.code, 7);
    assert.match(String(host.json.message), /Host header/);
    const csrf = await raw('POST', '/api/v1/namespaces/default/workflows/no-token', overLimit(), {}, env.server.uiAddress);
    assert.equal(csrf.status, 403);
    assert.equal(csrf.json.code, 7);
    const allowed = await raw('GET', '/api/v1/system-info', '', { 'x-csrf-token': await csrfToken() }, env.server.uiAddress);
    assert.equal(allowed.status, 200);
  });
});
