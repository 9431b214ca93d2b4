import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { UsageError } from '../../../src/cli/args';
import { parseWorkflowArgs, type WorkflowCommandOptions } from '../../../src/cli/commands/client-args';

function options(argv: string[]): WorkflowCommandOptions {
  const command = parseWorkflowArgs(argv);
  if (command.kind !== 'workflow') throw new Error(`expected a workflow command, got ${command.kind}`);
  return command.options;
}

test('workflow commands default to the Temporal CLI defaults: address 127.0.0.1:7233, namespace "default", text output, no limit', () => {
  assert.deepEqual(options(['list']), { subcommand: 'list', address: '127.0.0.1:7233', namespace: 'default', limit: 0, output: 'text' });
});

test('workflow flags take the Temporal CLI names and shorthands, as --flag value, --flag=value, -f value and -fvalue', () => {
  assert.deepEqual(options(['describe', '-w', 'wf', '-r=run', '-n', 'ns', '--address=localhost:1234', '-ojson']), {
    subcommand: 'describe',
    address: 'localhost:1234',
    namespace: 'ns',
    workflowId: 'wf',
    runId: 'run',
    limit: 0,
    output: 'json',
  });
  assert.equal(options(['list', '-q', "WorkflowType = 'x'", '--limit', '5']).query, "WorkflowType = 'x'");
  assert.equal(options(['list', '--limit=5']).limit, 5);
});

test('workflow describe and show require --workflow-id', () => {
  assert.throws(
    () => parseWorkflowArgs(['show']),
    (e: unknown) => e instanceof UsageError && /required flag\(s\) "workflow-id" not set/.test(e.message),
  );
});

test('workflow: unknown subcommands and flags, flags of another subcommand and bad values are usage errors (exit 2)', () => {
  for (const argv of [
    ['start'],
    ['list', '--workflow-id', 'x'],
    ['describe', '-w', 'x', '--query', 'q'],
    ['list', '--limit', '-1'],
    ['list', '-o', 'yaml'],
    ['list', '--address', 'nohost'],
    ['list', '--namespace'],
  ]) {
    assert.throws(
      () => parseWorkflowArgs(argv),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2,
      argv.join(' '),
    );
  }
});

test('workflow help: no subcommand, --help or -h', () => {
  for (const argv of [[], ['--help'], ['list', '-h'], ['show', '--help']]) assert.deepEqual(parseWorkflowArgs(argv), { kind: 'help', topic: 'workflow' });
});
