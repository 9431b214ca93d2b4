import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseArgs, UsageError, type StartDevOptions } from '../../../src/cli/args';

function startDev(argv: string[]): StartDevOptions {
  const command = parseArgs(['server', 'start-dev', ...argv]);
  if (command.kind !== 'start-dev') throw new Error(`expected start-dev, got ${command.kind}`);
  return command.options;
}

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(
    () => parseArgs(['server', 'start-dev', ...argv]),
    (err: unknown) => err instanceof UsageError && err.exitCode === 2 && pattern.test(err.message),
  );
}

test('--tls-cert-path, --tls-key-path and --tls-ca-path give the TLS files', () => {
  const options = startDev(['--tls-cert-path', 'server.crt', '--tls-key-path=server.key', '--tls-ca-path', 'ca.crt']);
  assert.deepEqual([options.tlsCertPath, options.tlsKeyPath, options.tlsCaPath], ['server.crt', 'server.key', 'ca.crt']);
});

test('a certificate needs its key, a key its certificate, and a client CA both', () => {
  usageError(['--tls-cert-path', 'server.crt'], /--tls-cert-path needs --tls-key-path/);
  usageError(['--tls-key-path', 'server.key'], /--tls-key-path needs --tls-cert-path/);
  usageError(['--tls-ca-path', 'ca.crt'], /--tls-ca-path \(mTLS\) needs --tls-cert-path and --tls-key-path/);
  usageError(['--tls-cert-path='], /invalid value "" for --tls-cert-path/);
});

test('--api-key KEY is a key for every namespace, KEY=ns1,ns2 one bound to those namespaces (repeatable)', () => {
  assert.deepEqual(startDev(['--api-key', 'k1', '--api-key=k2=ns1,ns2', '--api-key', 'k1']).apiKeys, [
    { key: 'k1' },
    { key: 'k2', namespaces: ['ns1', 'ns2'] },
  ]);
});

test('an --api-key ending in = (base64 padding) is a key taken whole', () => {
  assert.deepEqual(startDev(['--api-key', 'c2VjcmV0==']).apiKeys, [{ key: 'c2VjcmV0==' }]);
  assert.deepEqual(startDev(['--api-key', 'c2VjcmV0==default']).apiKeys, [{ key: 'c2VjcmV0=', namespaces: ['default'] }]);
});

test('a bad --api-key is a usage error that never repeats the key', () => {
  for (const [value, pattern] of [
    ['', /a key cannot be empty/],
    ['my secret', /cannot be empty or contain whitespace/],
    ['secret-1=ns1,,ns2', /expected KEY or KEY=namespace/],
    ['secret-2=ns 1', /expected KEY or KEY=namespace/],
  ] as const) {
    assert.throws(
      () => parseArgs(['server', 'start-dev', '--api-key', value]),
      (err: unknown) => err instanceof UsageError && pattern.test(err.message) && !err.message.includes('secret'),
    );
  }
  usageError(['--api-key', 'k1=ns1', '--api-key', 'k1=ns2'], /a key is given twice with different namespaces/);
});
