/**
 * Integration: every pattern demo runs against a real `hourglass server start-dev` process, with one
 * worker hosting all the examples' workflows and activities — as `npm run demo` does. With
 * HOURGLASS_TEST_ADDRESS the demos run against that server instead of a process of their own.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from '../../examples/activities';
import { DEMO_NAMES, loadDemo } from '../../examples/demo';
import { externalAddress, freePort, installQuietRuntime, repoRoot, uniqueName } from '../helpers';

/** Spawns the CLI dev server on `port` and resolves once it prints its ready line. */
function startDevServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin', 'hourglass.js'), 'server', 'start-dev', '--port', String(port), '--headless', '--log-level', 'error', '--output', 'text'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print a ready line within 15s; output:\n${out}`));
    }, 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(`:${port}`)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal}); output:\n${out}`));
    });
  });
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

let server: ChildProcess | undefined;
let connection: Connection | undefined;
let nativeConnection: NativeConnection | undefined;
let worker: Worker | undefined;
let running: Promise<void> | undefined;
let client: Client;
const taskQueue = uniqueName('patterns-integration');

before(async () => {
  installQuietRuntime();
  let address = externalAddress;
  if (address === undefined) {
    const port = await freePort();
    server = await startDevServer(port);
    address = `127.0.0.1:${port}`;
  }
  connection = await Connection.connect({ address });
  client = new Client({ connection });
  nativeConnection = await NativeConnection.connect({ address });
  worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('../../examples/workflows'),
    activities,
  });
  running = worker.run();
});

after(async () => {
  if (worker && worker.getState() === 'RUNNING') worker.shutdown();
  await running;
  await nativeConnection?.close().catch(() => undefined);
  await connection?.close().catch(() => undefined);
  await stop(server);
});

describe(
  externalAddress === undefined ? 'every pattern demo against `hourglass server start-dev`' : 'every pattern demo against the server at HOURGLASS_TEST_ADDRESS',
  () => {
    for (const name of DEMO_NAMES) {
      test(name, async (t) => {
        const run = loadDemo(name);
        if (!run) {
          t.skip(`examples/demos/${name}.ts does not exist yet`);
          return;
        }
        const lines = await run({ client, taskQueue });
        assert.ok(Array.isArray(lines) && lines.length > 0, `${name} returned no lines`);
        for (const line of lines) assert.ok(typeof line === 'string' && line.trim().length > 0, `${name} returned an empty line: ${JSON.stringify(lines)}`);
        for (const line of lines) t.diagnostic(line);
      });
    }
  },
);
