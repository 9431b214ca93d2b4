import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { commandFirst } from '../../../src/cli/command-first';

test('global flags before the command apply as the Temporal CLI takes them (temporal --color never server start-dev)', () => {
  const command = parseArgs(commandFirst(['--color', 'never', '--log-level', 'info', 'server', 'start-dev', '--port', '7300']));
  assert.equal(command.kind, 'start-dev');
  if (command.kind !== 'start-dev') throw new Error('unreachable');
  assert.equal(command.options.port, 7300);
  assert.equal(command.options.logLevel, 'info');
});

test('leading flags move behind a client command and its subcommand', () => {
  assert.deepEqual(commandFirst(['--address', '127.0.0.1:7300', 'workflow', 'list', '-q', 'x']), [
    'workflow',
    'list',
    '-q',
    'x',
    '--address',
    '127.0.0.1:7300',
  ]);
});

test('arguments that start with the command, or have no command, are left as they are', () => {
  assert.deepEqual(commandFirst(['server', 'start-dev', '--color', 'never']), ['server', 'start-dev', '--color', 'never']);
  assert.deepEqual(commandFirst(['--version']), ['--version']);
  assert.deepEqual(commandFirst(['7233']), ['7233']);
});

test('an unknown flag before the command is still refused with exit 2', () => {
  assert.throws(
    () => parseArgs(commandFirst(['--no-such-flag', 'server', 'start-dev'])),
    (err: unknown) => err instanceof UsageError && err.exitCode === 2,
  );
});
