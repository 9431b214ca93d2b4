/**
 * TLS and mutual TLS on the gRPC frontend (and the HTTP API), driven by the official SDK's client and worker: what a
 * user does with `--tls-cert-path`, `--tls-key-path` and `--tls-ca-path`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { Connection } from '@temporalio/client';
import { NativeConnection, TransportError } from '@temporalio/worker';
import { HourglassServer } from '../src/server';
import { installQuietRuntime, rejectionOf, uniqueName } from './helpers';
import { certificatesUnavailable, makeTestCertificates, runWorkflowOver, type TestCertificates } from './tls-fixtures';

const skip = certificatesUnavailable();

/** GET over HTTPS with the test CA (and a client certificate when given); resolves with the status, or rejects. */
function httpsGet(url: string, ca: Buffer, client?: { crt: Buffer; key: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, ...(client ? { cert: client.crt, key: client.key } : {}) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

describe('TLS', { skip }, () => {
  let certs: TestCertificates;
  let server: HourglassServer;
  before(async () => {
    installQuietRuntime();
    certs = makeTestCertificates();
    server = await HourglassServer.start({ port: 0, httpPort: 0, tls: { certPath: certs.serverCertPath, keyPath: certs.serverKeyPath } });
  });
  after(async () => {
    await server?.close();
    certs?.remove();
  });

  it('serves the SDK client and worker over TLS: a workflow with activities completes', async (t) => {
    const result = await runWorkflowOver({ address: server.address, tls: { serverRootCACertificate: certs.ca } }, uniqueName(t));
    assert.deepEqual(result, ['A', 'B']);
  });

  it('refuses a plaintext client: the SDK cannot connect', async () => {
    const err = await rejectionOf(Connection.connect({ address: server.address, connectTimeout: '3s' }), 'a plaintext connect');
    assert.match(String(err), /Failed to connect before the deadline/);
  });

  it('serves the HTTP API over HTTPS with the same certificate', async () => {
    assert.equal(await httpsGet(`https://${server.httpAddress}/api/v1/system-info`, certs.ca), 200);
  });
});

describe('mutual TLS', { skip }, () => {
  let certs: TestCertificates;
  let server: HourglassServer;
  /** Every call the server answered, by method: a refused client must never reach a handler. */
  const answered: string[] = [];
  before(async () => {
    installQuietRuntime();
    certs = makeTestCertificates();
    server = await HourglassServer.start({
      port: 0,
      httpPort: 0,
      tls: { cert: certs.serverCert, key: certs.serverKey, caPath: certs.caPath },
      onRpc: (method) => void answered.push(method),
    });
  });
  after(async () => {
    await server?.close();
    certs?.remove();
  });

  it('serves a client and worker presenting a certificate the CA signed', async (t) => {
    const result = await runWorkflowOver({ address: server.address, tls: { serverRootCACertificate: certs.ca, clientCertPair: certs.client } }, uniqueName(t));
    assert.deepEqual(result, ['A', 'B']);
  });

  it('refuses a client without a certificate: the client never connects, the worker gets a transport error', async () => {
    const tls = { serverRootCACertificate: certs.ca };
    const before = answered.length;
    const err = await rejectionOf(Connection.connect({ address: server.address, tls, connectTimeout: '3s' }), 'connect without a certificate');
    assert.match(String(err), /Failed to connect before the deadline/);
    const workerErr = await rejectionOf(NativeConnection.connect({ address: server.address, tls }), 'a worker connection without a certificate');
    assert.ok(workerErr instanceof TransportError);
    // TLS 1.3 checks the client's certificate after the client has finished its handshake: the client reads the
    // server's CertificateRequired alert or, when its first request wins the race, a broken pipe or the connection
    // closed under it. Whichever it reads, the server answered nothing.
    assert.match(workerErr.message, /CertificateRequired|broken pipe|connection closed/);
    assert.deepEqual(answered.slice(before), [], 'no call from a client without a certificate reached a handler');
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const tls = { serverRootCACertificate: certs.ca, clientCertPair: certs.otherClient };
    const before = answered.length;
    const err = await rejectionOf(Connection.connect({ address: server.address, tls, connectTimeout: '3s' }), 'connect with a foreign certificate');
    assert.match(String(err), /Failed to connect before the deadline/);
    const workerErr = await rejectionOf(NativeConnection.connect({ address: server.address, tls }), 'a worker connection with a foreign certificate');
    assert.ok(workerErr instanceof TransportError);
    assert.deepEqual(answered.slice(before), [], 'no call from a client with a foreign certificate reached a handler');
  });

  it('asks the HTTP API client for a certificate too', async () => {
    const url = `https://${server.httpAddress}/api/v1/system-info`;
    assert.equal(await httpsGet(url, certs.ca, certs.client), 200);
    await rejectionOf(httpsGet(url, certs.ca), 'an HTTPS request without a client certificate');
  });
});

describe('TLS configuration errors', { skip }, () => {
  let certs: TestCertificates;
  before(() => {
    certs = makeTestCertificates();
  });
  after(() => certs?.remove());

  it('fails start naming a certificate file that does not exist', async () => {
    const err = await rejectionOf(HourglassServer.start({ port: 0, tls: { certPath: `${certs.dir}/missing.crt`, keyPath: certs.serverKeyPath } }));
    assert.match(String(err), /cannot read the TLS certificate .*missing\.crt: no such file/);
  });

  it('fails start when the key is not the certificate’s', async () => {
    const err = await rejectionOf(HourglassServer.start({ port: 0, tls: { cert: certs.serverCert, key: certs.client.key } }));
    assert.match(String(err), /the TLS private key does not belong to the certificate/);
  });

  it('fails start for a certificate without its key, or a file that is not PEM', async () => {
    assert.match(String(await rejectionOf(HourglassServer.start({ port: 0, tls: { certPath: certs.serverCertPath } }))), /needs the private key/);
    const notPem = await rejectionOf(
      HourglassServer.start({ port: 0, tls: { certPath: certs.serverCertPath, keyPath: certs.serverKeyPath, caPath: `${certs.dir}/openssl.cnf` } }),
    );
    assert.match(String(notPem), /is not a PEM file/);
  });
});
