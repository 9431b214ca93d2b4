/**
 * API keys (`--api-key KEY`, `--api-key KEY=ns1,ns2`), driven by the official SDK's `apiKey` option (which sends
 * `authorization: Bearer <key>` on every call) over TLS, as a user runs it, and over the HTTP API and the UI's `/api/v1`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from '../src/common/logger';
import { HourglassServer } from '../src/server';
import { grpcCode, grpcDetails, installQuietRuntime, rejectionOf, uniqueName } from './helpers';
import { certificatesUnavailable, makeTestCertificates, runWorkflowOver, type TestCertificates } from './tls-fixtures';

const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;
const SYSTEM_KEY = 'sk-system-3f9a1c';
const NS1_KEY = 'sk-ns1-77b2e0';

/** Every log line the server writes, to check that no key ever appears in one. */
function recordingLogger(lines: string[]): Logger {
  const record = (message: string, fields?: Record<string, unknown>): void => void lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  return { debug: record, info: record, warn: record, error: record };
}

describe('API keys over TLS', { skip: certificatesUnavailable() }, () => {
  let certs: TestCertificates;
  let server: HourglassServer;
  const logLines: string[] = [];
  const connections: Connection[] = [];
  /** A client connection with this key (none: no `authorization` header at all). */
  const connect = async (apiKey?: string): Promise<Connection> => {
    const connection = await Connection.connect({ address: server.address, tls: { serverRootCACertificate: certs.ca }, apiKey });
    connections.push(connection);
    return connection;
  };

  before(async () => {
    installQuietRuntime();
    certs = makeTestCertificates();
    server = await HourglassServer.start({
      port: 0,
      namespaces: ['ns1', 'ns2'],
      tls: { certPath: certs.serverCertPath, keyPath: certs.serverKeyPath },
      apiKeys: [{ key: SYSTEM_KEY }, { key: NS1_KEY, namespaces: ['ns1'] }],
      logger: recordingLogger(logLines),
    });
  });
  after(async () => {
    await Promise.all(connections.map((c) => c.close()));
    await server?.close();
    certs?.remove();
  });

  it('serves a client and worker with the right key: a workflow with activities completes', async (t) => {
    const tls = { serverRootCACertificate: certs.ca };
    assert.deepEqual(await runWorkflowOver({ address: server.address, tls, apiKey: SYSTEM_KEY }, uniqueName(t)), ['A', 'B']);
  });

  it('serves a key bound to a namespace on that namespace', async (t) => {
    const tls = { serverRootCACertificate: certs.ca };
    assert.deepEqual(await runWorkflowOver({ address: server.address, tls, apiKey: NS1_KEY, namespace: 'ns1' }, uniqueName(t)), ['A', 'B']);
  });

  it('answers UNAUTHENTICATED to a call without a key (GetSystemInfo, a health check, still answers)', async () => {
    const connection = await connect();
    const err = await rejectionOf(connection.workflowService.describeNamespace({ namespace: 'default' }));
    assert.equal(grpcCode(err), UNAUTHENTICATED);
    assert.match(grpcDetails(err), /^Request unauthenticated: no API key/);
    const startErr = await rejectionOf(new Client({ connection }).workflow.start('returnValue', { taskQueue: 'q', workflowId: 'no-key', args: [1] }));
    assert.equal(grpcCode(startErr), UNAUTHENTICATED);
  });

  it('refuses a wrong key with UNAUTHENTICATED: the client and the worker cannot connect', async () => {
    const tls = { serverRootCACertificate: certs.ca };
    const err = await rejectionOf(Connection.connect({ address: server.address, tls, apiKey: 'sk-wrong' }), 'connect with a wrong key');
    assert.equal(grpcCode(err), UNAUTHENTICATED);
    assert.match(grpcDetails((err as { cause?: unknown }).cause), /^Request unauthenticated: invalid API key\.$/);
    const workerErr = await rejectionOf(NativeConnection.connect({ address: server.address, tls, apiKey: 'sk-wrong' }), 'a worker connection with a wrong key');
    assert.match(String(workerErr), /Unauthenticated|invalid API key/i);
  });

  it('answers PERMISSION_DENIED "Request unauthorized." to a key bound to ns1 used on ns2', async () => {
    const connection = await connect(NS1_KEY);
    const err = await rejectionOf(
      new Client({ connection, namespace: 'ns2' }).workflow.start('returnValue', { taskQueue: 'q', workflowId: 'ns2-wf', args: [1] }),
    );
    assert.equal(grpcCode(err), PERMISSION_DENIED);
    assert.equal(grpcDetails((err as { cause?: unknown }).cause ?? err), 'Request unauthorized.');
    await connection.workflowService.describeNamespace({ namespace: 'ns1' });
  });

  it('keeps cluster-wide calls (ListNamespaces) to keys bound to no namespace', async () => {
    const bound = await connect(NS1_KEY);
    assert.equal(grpcCode(await rejectionOf(bound.workflowService.listNamespaces({}))), PERMISSION_DENIED);
    const system = await connect(SYSTEM_KEY);
    const { namespaces } = await system.workflowService.listNamespaces({});
    assert.ok(namespaces.some((ns) => ns.namespaceInfo?.name === 'ns2'));
  });

  it('never writes a key to its logs', () => {
    assert.ok(logLines.length > 0);
    for (const line of logLines) {
      for (const key of [SYSTEM_KEY, NS1_KEY, 'sk-wrong']) assert.ok(!line.includes(key), `a log line holds a key: ${line}`);
    }
  });
});

/** A google.rpc.Status in proto3 JSON, as the HTTP API writes errors. */
interface ErrorBody {
  code?: number;
  message?: string;
  details?: { '@type'?: string }[];
}

describe('API keys on the HTTP API and the web UI', () => {
  let server: HourglassServer;
  before(async () => {
    server = await HourglassServer.start({
      port: 0,
      httpPort: 0,
      uiPort: 0,
      namespaces: ['ns1'],
      apiKeys: [{ key: SYSTEM_KEY }, { key: NS1_KEY, namespaces: ['ns1'] }],
    });
  });
  after(() => server?.close());

  const get = async (address: string | undefined, path: string, key?: string): Promise<{ status: number; body: ErrorBody; auth: string | null }> => {
    const res = await fetch(`http://${address ?? ''}${path}`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as ErrorBody, auth: res.headers.get('www-authenticate') };
  };

  for (const [where, address] of [
    ['the HTTP API', (): string | undefined => server.httpAddress],
    ['the UI’s /api/v1', (): string | undefined => server.uiAddress],
  ] as const) {
    it(`answers 401 UNAUTHENTICATED on ${where} without a key or with a wrong one, and the call with the right key`, async () => {
      const path = '/api/v1/namespaces/default/workflows';
      const missing = await get(address(), path);
      assert.deepEqual([missing.status, missing.body.code, missing.auth], [401, UNAUTHENTICATED, 'Bearer']);
      const wrong = await get(address(), path, 'sk-wrong');
      assert.deepEqual([wrong.status, wrong.body.message], [401, 'Request unauthenticated: invalid API key.']);
      assert.equal((await get(address(), path, SYSTEM_KEY)).status, 200);
      assert.equal((await get(address(), '/api/v1/system-info')).status, 200);
    });

    it(`answers 403 "Request unauthorized." on ${where} to a key bound to another namespace`, async () => {
      const denied = await get(address(), '/api/v1/namespaces/default/workflows', NS1_KEY);
      assert.deepEqual([denied.status, denied.body.code, denied.body.message], [403, PERMISSION_DENIED, 'Request unauthorized.']);
      assert.equal(denied.body.details?.[0]?.['@type'], 'type.googleapis.com/temporal.api.errordetails.v1.PermissionDeniedFailure');
      assert.equal((await get(address(), '/api/v1/namespaces/ns1/workflows', NS1_KEY)).status, 200);
    });
  }
});
