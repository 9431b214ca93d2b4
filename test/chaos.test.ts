/**
 * Temporal's durability promise under crashes: the server SIGKILLed under load (activities, timers, signals, child
 * workflows) and restarted on the same SQLite file loses nothing it acknowledged, and a worker killed mid-activity
 * only delays that activity until its start-to-close timeout. Runs the project's chaos tool (bench/chaos.ts, `npm
 * run chaos`) in its small configuration and reads its summary line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './helpers';

const chaos = path.join(repoRoot, 'dist', 'bench', 'chaos.js');

function field(summary: string, name: string): string | undefined {
  return new RegExp(`(?:^| )${name.replace(/[()]/g, '\\$&')}=(\\S+)`).exec(summary)?.[1];
}

test('after 5 server crashes under load every acknowledged workflow completes once with its result, every acknowledged signal is delivered and every completed activity ran', async (t) => {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [chaos, '--kills', '5', '--workflows', '60', '--seed', '17'], { timeout: 240_000 }, (err, out, errOut) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout: out, stderr: errOut }),
    );
  });
  const summary = stdout.split('\n').find((line) => line.startsWith('chaos: kills=')) ?? '';
  t.diagnostic(summary);
  assert.ok(summary, `no summary line; exit code ${code}; stderr:\n${stderr}`);
  assert.equal(field(summary, 'lost'), '0', `${summary}\n${stderr}`);
  assert.equal(field(summary, 'wrong'), '0', `${summary}\n${stderr}`);
  assert.equal(field(summary, 'completed'), '60', summary);
  assert.equal(
    field(summary, 'worker-kill'),
    'ok',
    `the activity of the killed worker is retried after its start-to-close timeout and its workflow completes\n${stderr}`,
  );
  const [delivered, acknowledged] = (field(summary, 'signals') ?? '').split('/');
  assert.equal(delivered, acknowledged, summary);
  assert.equal(code, 0, stderr);
});
