import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { freePort, repoRoot, uniqueName, useHourglassServer, withWorker, workflowBundle } from './helpers';
import { returnValue, sequentialActivities, waitForFinish } from './workflows';

const env = useHourglassServer();

const binScript = path.join(repoRoot, 'bin', 'hourglass.js');

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns the binary without blocking: the server answering it runs in this process. */
function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill(), 20_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function workflowArgs(sub: string, ...rest: string[]): string[] {
  return ['workflow', sub, '--address', env.address, '--namespace', env.namespace, ...rest];
}

describe('hourglass workflow list / describe / show', () => {
  test('workflow show --output json prints the history that historyFromJSON reads and Worker.runReplayHistory replays', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, () => env.client.workflow.execute(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['a', 'b']] }));

    const shown = await runCli(workflowArgs('show', '--workflow-id', taskQueue, '--output', 'json'));
    assert.equal(shown.status, 0, shown.stderr);
    const json = JSON.parse(shown.stdout) as { events: { eventType: string }[] };
    assert.deepEqual(Object.keys(json), ['events']);
    assert.equal(json.events[0]?.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    assert.equal(json.events.at(-1)?.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');

    const history = historyFromJSON(json);
    const fetched = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    assert.equal(history.events?.length, fetched.events?.length);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, taskQueue);
  });

  test('workflow list --output json prints one object per execution (WorkflowExecutionInfo as proto3 JSON), filtered by --query', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      await env.client.workflow.execute(returnValue, { taskQueue, workflowId: `${taskQueue}-1`, args: [1] });
      await env.client.workflow.execute(returnValue, { taskQueue, workflowId: `${taskQueue}-2`, args: [2] });
    });

    const listed = await runCli(workflowArgs('list', '--query', `TaskQueue = '${taskQueue}'`, '--output', 'json'));
    assert.equal(listed.status, 0, listed.stderr);
    const infos = JSON.parse(listed.stdout) as { execution: { workflowId: string }; type: { name: string }; status: string; taskQueue: string }[];
    assert.deepEqual(infos.map((i) => i.execution.workflowId).sort(), [`${taskQueue}-1`, `${taskQueue}-2`]);
    for (const info of infos) {
      assert.equal(info.type.name, 'returnValue');
      assert.equal(info.status, 'WORKFLOW_EXECUTION_STATUS_COMPLETED');
      assert.equal(info.taskQueue, taskQueue);
    }

    const lines = await runCli(workflowArgs('list', '-q', `TaskQueue = '${taskQueue}'`, '-o', 'jsonl', '--limit', '1'));
    assert.equal(lines.status, 0, lines.stderr);
    assert.equal(lines.stdout.trim().split('\n').length, 1);

    const text = await runCli(workflowArgs('list', '--query', `TaskQueue = '${taskQueue}'`));
    assert.equal(text.status, 0, text.stderr);
    const rows = text.stdout.trim().split('\n');
    assert.match(rows[0] ?? '', /^Status\s+WorkflowId\s+Type\s+StartTime$/);
    assert.equal(rows.length, 3);
    assert.match(rows[1] ?? '', /^Completed\s+\S+-[12]\s+returnValue\s+\d{4}-/);
  });

  test('workflow describe prints the execution info; a closed run also shows its close event and result', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, () => env.client.workflow.execute(returnValue, { taskQueue, workflowId: taskQueue, args: [{ answer: 42 }] }));

    const described = await runCli(workflowArgs('describe', '-w', taskQueue, '--output', 'json'));
    assert.equal(described.status, 0, described.stderr);
    const json = JSON.parse(described.stdout) as {
      workflowExecutionInfo: { execution: { workflowId: string; runId: string }; status: string };
      closeEvent: { eventType: string };
      result: unknown;
    };
    assert.equal(json.workflowExecutionInfo.execution.workflowId, taskQueue);
    assert.equal(json.workflowExecutionInfo.status, 'WORKFLOW_EXECUTION_STATUS_COMPLETED');
    assert.equal(json.closeEvent.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
    assert.deepEqual(json.result, [{ answer: 42 }]);

    const text = await runCli(workflowArgs('describe', '--workflow-id', taskQueue, '--run-id', json.workflowExecutionInfo.execution.runId));
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^Execution Info:\n/);
    assert.match(text.stdout, new RegExp(`WorkflowId\\s+${taskQueue}\\n`));
    assert.match(text.stdout, /Status\s+Completed\n/);
  });

  test('workflow describe of a running execution lists its pending activities and children', async (t) => {
    const taskQueue = uniqueName(t);
    const handle = await env.client.workflow.start(waitForFinish, { taskQueue, workflowId: taskQueue });
    const described = await runCli(workflowArgs('describe', '-w', taskQueue));
    assert.equal(described.status, 0, described.stderr);
    assert.match(described.stdout, /Status\s+Running\n/);
    assert.match(described.stdout, /Pending Activities: 0\n/);
    await handle.terminate();
  });

  test('an unknown workflow exits 1 with the server’s NOT_FOUND message on stderr', async (t) => {
    const workflowId = uniqueName(t);
    for (const sub of ['describe', 'show']) {
      const result = await runCli(workflowArgs(sub, '--workflow-id', workflowId, '-o', 'json'));
      assert.equal(result.status, 1, `${sub}: ${result.stdout}`);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^hourglass: failed (describing workflow|getting history): .*not found/i);
    }
  });

  test('a server that is not listening exits 1 naming the address', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const result = await runCli(['workflow', 'list', '--address', address]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`^hourglass: failed listing workflows: .*is a server listening on ${address.replace(/\./g, '\\.')}\\?`));
  });

  test('a missing --workflow-id or an unknown flag is a usage error (exit 2)', async () => {
    const missing = await runCli(['workflow', 'describe', '--address', env.address]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /required flag\(s\) "workflow-id" not set/);
    const unknown = await runCli(['workflow', 'list', '--bogus']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown flag: --bogus/);
  });
});
