import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { activities, freePort, installQuietRuntime, repoRoot, uniqueName, workflowBundle } from './helpers';
import { firstStdoutLine } from './dev-server-process';
import { sequentialActivities } from './workflows';

const binary = path.join(repoRoot, 'node_modules', '.bin', 'hourglass');
/** This checkout's bin script (the linked `binary` may belong to another checkout sharing node_modules). */
const binScript = path.join(repoRoot, 'bin', 'hourglass.js');

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [binScript, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('dev server binary', () => {
  test('TestWorkflowEnvironment.createLocal with the hourglass binary as an existing-path executable runs a workflow end to end', async (t) => {
    assert.ok(fs.existsSync(binary), `${binary} is missing (the package's bin should be linked into node_modules/.bin)`);
    installQuietRuntime();
    const testEnv = await TestWorkflowEnvironment.createLocal({
      // This checkout's bin (executable, `#!/usr/bin/env node`): the linked one may run another checkout's build.
      server: { executable: { type: 'existing-path', path: binScript } },
    });
    try {
      const taskQueue = uniqueName(t);
      const worker = await Worker.create({
        connection: testEnv.nativeConnection,
        namespace: testEnv.namespace ?? 'default',
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities,
      });
      const result = await worker.runUntil(
        testEnv.client.workflow.execute(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['dev', 'server']] }),
      );
      assert.deepEqual(result, ['DEV', 'SERVER']);
    } finally {
      await testEnv.teardown();
    }
  });

  test('an unsupported --sqlite-pragma exits 2 before starting anything', () => {
    const result = runCli(['server', 'start-dev', '--port', '0', '--sqlite-pragma', 'foo=bar']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /unsupported pragma "foo" \(supported: journal_mode, synchronous\)/);
    assert.equal(result.stdout, '');
  });

  test('--version prints the package version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = runCli(['--version']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `hourglass version ${pkg.version}\n`);
  });

  test('the ready line carries the package version', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const line = await readyLine(['server', 'start-dev', '--port', '0', '--ip', '127.0.0.1']);
    assert.ok(line.startsWith('Hourglass server listening on 127.0.0.1:'), line);
    assert.ok(line.includes(`(version: ${pkg.version}; namespace: default;`), line);
  });

  test('the ready line names the HTTP API: on --http-port when given, else on a free port (as the Temporal CLI)', async () => {
    const httpPort = await freePort();
    const given = await readyLine(['server', 'start-dev', '--port', '0', '--http-port', String(httpPort)]);
    assert.ok(given.includes(`HTTP API: http://127.0.0.1:${httpPort})`), given);
    const chosen = await readyLine(['server', 'start-dev', '--port', '0']);
    assert.match(chosen, /HTTP API: http:\/\/127\.0\.0\.1:\d+\)$/);
  });

  test('the ready line names the Web UI (as the Temporal CLI\'s "UI:" line) unless --headless', async () => {
    const uiPort = await freePort();
    const line = await readyLine(['server', 'start-dev', '--port', '0', '--ui-port', String(uiPort)]);
    assert.ok(line.includes(`; UI: http://127.0.0.1:${uiPort}; HTTP API: http://127.0.0.1:`), line);
    const headless = await readyLine(['server', 'start-dev', '--port', '0', '--headless']);
    assert.doesNotMatch(headless, /UI: /);
  });

  test('--dynamic-config-value: an honoured key with a good value and an unknown key are accepted', async () => {
    const line = await readyLine([
      'server',
      'start-dev',
      '--port',
      '0',
      '--dynamic-config-value',
      'limit.blobSize.error=1024',
      '--dynamic-config-value',
      'history.longPollExpirationInterval="5s"',
      '--dynamic-config-value',
      'frontend.enableServerVersionCheck=false',
    ]);
    assert.ok(line.startsWith('Hourglass server listening on'), line);
  });

  test('--dynamic-config-value: a bad value for an honoured key exits 2 naming the key', () => {
    const result = runCli(['server', 'start-dev', '--port', '0', '--dynamic-config-value', 'system.enableActivityEagerExecution="sometimes"']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(
      result.stderr,
      /--dynamic-config-value: invalid value "sometimes" for dynamic config system\.enableActivityEagerExecution: expected true or false/,
    );
    assert.equal(result.stdout, '');
  });

  test('started as sdk-core starts an existing-path dev server (stdout a pipe, --log-level warn), it prints nothing to stdout', async () => {
    const port = await freePort();
    // The arguments sdk-core's ephemeral_server passes to `server start-dev`; it detects readiness by connecting.
    const sdkArgs = ['--port', String(port), '--namespace', 'default', '--ip', '127.0.0.1', '--log-format', 'pretty', '--log-level', 'warn'];
    const dynamicConfig = ['frontend.enableServerVersionCheck=false', 'frontend.enableUpdateWorkflowExecution=true'];
    const child = spawn(
      process.execPath,
      [binScript, 'server', 'start-dev', ...sdkArgs, ...dynamicConfig.flatMap((v) => ['--dynamic-config-value', v]), '--headless'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    try {
      await waitForPort(port, 20_000);
      // Give a ready line written just after listen() time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(out, '');
      assert.equal(child.exitCode, null, err);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('without a terminal, --log-level info asks for the ready line; --log-config prints the configuration to stderr', async () => {
    const child = spawn(process.execPath, [binScript, 'server', 'start-dev', '--port', '0', '--log-level', 'info', '--log-config', '--color', 'never'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${err}`)));
      });
      assert.ok(line.startsWith('Hourglass server listening on 127.0.0.1:'), line);
      assert.match(err, /"dbFilename"|"ip": "127\.0\.0\.1"/);
      assert.match(err, /"sqlitePragmas": \{\}/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

/** Resolves once a TCP connection to 127.0.0.1:`port` succeeds, as sdk-core's readiness check does. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (connected) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the bin with `args`, returns the first line it prints once listening, and stops it. */
async function readyLine(args: string[]): Promise<string> {
  // Stdout is a pipe here, not a terminal: `--output text` asks for the ready line.
  const child = spawn(process.execPath, [binScript, ...args, '--output', 'text'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    return await firstStdoutLine(child, () => err);
  } finally {
    child.kill('SIGTERM');
  }
}
