import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryingTasks, retryDelayMs, type RetryBackoff } from '../../../src/engine/dispatch/retrying-tasks';
import { TRANSFER_RETRY } from '../../../src/engine/dispatch/transfer-tasks';
import { until } from './transfer-harness';

interface Failure {
  key: string;
  failures: number;
  retryInMs: number | undefined;
}

function tasks(backoff: RetryBackoff): { runner: RetryingTasks; failures: Failure[]; settled: () => number } {
  const failures: Failure[] = [];
  let settled = 0;
  const runner = new RetryingTasks({
    backoff,
    onFailure: (key, _err, count, retryInMs) => failures.push({ key, failures: count, retryInMs }),
    onSettled: () => settled++,
  });
  return { runner, failures, settled: () => settled };
}

/** A task that fails its first `failing` runs, counting runs and how many overlap. */
function flaky(failing: number): { task: () => Promise<void>; runs: () => number; maxOverlap: () => number } {
  let runs = 0;
  let active = 0;
  let maxOverlap = 0;
  const task = async (): Promise<void> => {
    runs++;
    active++;
    maxOverlap = Math.max(maxOverlap, active);
    await new Promise((resolve) => setTimeout(resolve, 1));
    active--;
    if (runs <= failing) throw new Error(`run ${runs} failed`);
  };
  return { task, runs: () => runs, maxOverlap: () => maxOverlap };
}

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('retrying tasks', () => {
  test('transfer tasks back off exponentially from 100 ms to a 10 s cap', () => {
    assert.deepEqual(
      Array.from({ length: 10 }, (_, i) => retryDelayMs(TRANSFER_RETRY, i + 1)),
      [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000],
    );
    assert.equal(retryDelayMs(TRANSFER_RETRY, 10_000), 10_000, 'no overflow after many failures');
  });

  test('a failing task runs again after its backoff until it succeeds, never two runs of a key at once', async () => {
    const { runner, failures, settled } = tasks({ initialMs: 5, maxMs: 20 });
    const t = flaky(4);
    runner.run('k', t.task);
    runner.run('k', t.task);
    await until('the task to succeed', () => t.runs() === 5 && !runner.busy && runner.waitingCount === 0);
    assert.deepEqual(
      failures.map((f) => [f.failures, f.retryInMs]),
      [
        [1, 5],
        [2, 10],
        [3, 20],
        [4, 20],
      ],
    );
    assert.equal(t.maxOverlap(), 1);
    assert.equal(settled(), 5, 'every run, failed or not, is reported settled');

    runner.run('k', t.task);
    await until('the next run', () => t.runs() === 6 && !runner.busy);
    assert.equal(failures.length, 4, 'after a success the key runs again at once, with no backoff left over');
  });

  test('while a key waits for its retry it is not busy, a new run() does not start it early, and the retry runs the newest task', async () => {
    const { runner } = tasks({ initialMs: 100, maxMs: 100 });
    const first = flaky(1);
    runner.run('k', first.task);
    assert.equal(runner.busy, true);
    await until('the first run to fail', () => runner.waitingCount === 1);
    assert.equal(runner.busy, false);
    const second = flaky(0);
    runner.run('k', second.task);
    assert.equal(second.runs(), 0, 'the backoff stands');
    await until('the retry', () => second.runs() === 1 && !runner.busy);
    assert.equal(first.runs(), 1);
    assert.equal(runner.waitingCount, 0);
  });

  test('a pending retry does not keep the process alive, and close() cancels it', async () => {
    const { runner, failures } = tasks({ initialMs: 10_000, maxMs: 10_000 });
    const baseline = timeouts();
    const t = flaky(1);
    runner.run('k', t.task);
    await until('the run to fail', () => runner.waitingCount === 1);
    assert.equal(timeouts(), baseline, 'the retry timer is unref()ed');
    runner.close();
    assert.equal(runner.waitingCount, 0);
    runner.run('other', t.task);
    assert.equal(t.runs(), 1, 'nothing starts after close()');
    assert.equal(failures.length, 1);
  });

  test('a task that fails after close() is reported but not retried', async () => {
    const { runner, failures } = tasks({ initialMs: 5, maxMs: 5 });
    const t = flaky(1);
    runner.run('k', t.task);
    runner.close();
    await until('the run to end', () => !runner.busy);
    assert.deepEqual(failures, [{ key: 'k', failures: 1, retryInMs: undefined }]);
    assert.equal(runner.waitingCount, 0);
  });
});
