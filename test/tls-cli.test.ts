/**
 * `hourglass server start-dev` with `--tls-cert-path`, `--tls-key-path`, `--tls-ca-path` and `--api-key`: the ready
 * line, the start errors, the warning for a reachable server without them, and keys kept out of `--log-config`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { firstStdoutLine } from './dev-server-process';
import { repoRoot } from './helpers';
import { certificatesUnavailable, makeTestCertificates, type TestCertificates } from './tls-fixtures';

const binScript = path.join(repoRoot, 'bin', 'hourglass.js');

/** Starts the CLI (ready line forced with `--output text`), stops it, and resolves with its ready line and all its stderr. */
async function started(args: string[]): Promise<{ line: string; stderr: string }> {
  const child = spawn(process.execPath, [binScript, 'server', 'start-dev', '--port', '0', '--headless', ...args, '--output', 'text'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const line = await firstStdoutLine(child, () => stderr);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    return { line, stderr };
  } finally {
    child.kill('SIGKILL');
  }
}

describe('server start-dev with TLS and API keys', { skip: certificatesUnavailable() }, () => {
  let certs: TestCertificates;
  before(() => {
    certs = makeTestCertificates();
  });
  after(() => certs?.remove());

  it('says mTLS and API keys in the ready line, with https addresses, and prints no key with --log-config', async () => {
    const tlsFlags = ['--tls-cert-path', certs.serverCertPath, '--tls-key-path', certs.serverKeyPath, '--tls-ca-path', certs.caPath];
    const { line, stderr } = await started([...tlsFlags, '--api-key', 'sk-cli-secret=default', '--log-config']);
    assert.match(line, /\(version: [^;]+; mTLS; API keys; namespace: default; .*HTTP API: https:\/\/127\.0\.0\.1:\d+\)$/);
    assert.match(stderr, /"key": "<redacted>"/);
    assert.ok(!stderr.includes('sk-cli-secret'), stderr);
  });

  it('exits 1 naming a TLS file it cannot read', () => {
    const result = spawnSync(
      process.execPath,
      [
        binScript,
        'server',
        'start-dev',
        '--port',
        '0',
        '--headless',
        '--tls-cert-path',
        path.join(certs.dir, 'nope.crt'),
        '--tls-key-path',
        certs.serverKeyPath,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /cannot start the server: cannot read the TLS certificate .*nope\.crt: no such file/);
  });

  it('warns when listening beyond loopback without TLS or API keys', async () => {
    const { stderr } = await started(['--ip', '0.0.0.0']);
    assert.match(stderr, /listening on a non-loopback address without TLS .* or API keys/);
    const { stderr: quiet } = await started(['--ip', '127.0.0.1']);
    assert.doesNotMatch(quiet, /non-loopback/);
  });
});
