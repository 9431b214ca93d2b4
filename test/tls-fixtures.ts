/**
 * Fixtures of the TLS and API key specs. Test certificates, made at test time with the `openssl` command (Debian: `apt-get install openssl`): a CA, a server
 * certificate it signs for `localhost` / 127.0.0.1, a client certificate it signs, and a client certificate signed by
 * another CA. EC P-256 keys, valid for a day, with the extensions rustls (the Rust-based workers) insists on.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activities, workflowBundle } from './helpers';

export interface TestCertificates {
  /** Folder holding the PEM files (removed by `remove`). */
  dir: string;
  caPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  ca: Buffer;
  serverCert: Buffer;
  serverKey: Buffer;
  client: { crt: Buffer; key: Buffer };
  /** A client certificate from a CA the server does not trust. */
  otherClient: { crt: Buffer; key: Buffer };
  remove(): void;
}

/** Why the certificates cannot be made here (no `openssl`), or undefined. */
export function certificatesUnavailable(): string | undefined {
  // In CI the specs run, never skip: .ci/run installs openssl, and a missing one must fail loudly.
  if (process.env.CI) return undefined;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'needs the openssl command to make test certificates (apt-get install openssl)';
  }
}

export function makeTestCertificates(): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-tls-'));
  const file = (name: string): string => path.join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  // A config of our own, so the system's openssl.cnf adds nothing to the certificates.
  fs.writeFileSync(
    file('openssl.cnf'),
    '[req]\ndistinguished_name = dn\nx509_extensions = v3_ca\n[dn]\n[v3_ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n',
  );
  const ecKey = ['-config', 'openssl.cnf', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string): void => {
    openssl('req', '-x509', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '1', '-subj', `/CN=Hourglass test ${name}`);
  };
  const makeLeaf = (name: string, ca: string, extensions: string): void => {
    fs.writeFileSync(file(`${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n${extensions}\n`);
    openssl('req', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  };
  makeCa('ca');
  makeCa('other-ca');
  makeLeaf('server', 'ca', 'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1');
  makeLeaf('client', 'ca', 'extendedKeyUsage=clientAuth');
  makeLeaf('other-client', 'other-ca', 'extendedKeyUsage=clientAuth');
  const read = (name: string): Buffer => fs.readFileSync(file(name));
  return {
    dir,
    caPath: file('ca.crt'),
    serverCertPath: file('server.crt'),
    serverKeyPath: file('server.key'),
    ca: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    client: { crt: read('client.crt'), key: read('client.key') },
    otherClient: { crt: read('other-client.crt'), key: read('other-client.key') },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** How a spec's client and worker reach the server: what a user passes to `Connection.connect` and `NativeConnection.connect`. */
export interface SdkConnectionOptions {
  address: string;
  tls?: ConnectionOptions['tls'];
  apiKey?: string;
  namespace?: string;
}

/** Runs a workflow with two activities through an SDK worker and client connected with `options`; returns its result. */
export async function runWorkflowOver(options: SdkConnectionOptions, taskQueue: string): Promise<string[]> {
  const { address, tls, apiKey, namespace } = options;
  const connection = await Connection.connect({ address, tls, apiKey });
  try {
    const nativeConnection = await NativeConnection.connect({ address, tls, apiKey });
    try {
      const worker = await Worker.create({ connection: nativeConnection, namespace, taskQueue, workflowBundle: await workflowBundle(), activities });
      const client = new Client({ connection, namespace });
      return await worker.runUntil(
        client.workflow.execute<(values: string[]) => Promise<string[]>>('sequentialActivities', { taskQueue, workflowId: taskQueue, args: [['a', 'b']] }),
      );
    } finally {
      await nativeConnection.close();
    }
  } finally {
    await connection.close();
  }
}
