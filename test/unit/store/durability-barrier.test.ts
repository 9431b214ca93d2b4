/**
 * The durability barrier behind group commit: one sync at a time, callers that arrive during a sync share the next
 * one, answers in order, and a failed sync fails everything it covered or would cover, for good.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DurabilityBarrier } from '../../../src/store/sqlite/durability-barrier';

/** A sync the spec completes by hand, recording how many were started. */
function manualSync(): { sync: () => Promise<void>; started: { resolve: () => void; reject: (err: Error) => void }[] } {
  const started: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const sync = (): Promise<void> => new Promise((resolve, reject) => started.push({ resolve, reject }));
  return { sync, started };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function track(p: Promise<void>, log: string[], name: string): Promise<void> {
  return p.then(
    () => void log.push(`${name} ok`),
    (err: Error) => void log.push(`${name} ${err.message}`),
  );
}

describe('a durability barrier', () => {
  test('starts a sync at once when none is running, and answers once it completes', async () => {
    const { sync, started } = manualSync();
    const barrier = new DurabilityBarrier(sync);
    const log: string[] = [];
    const a = track(barrier.whenDurable(), log, 'a');
    assert.equal(started.length, 1);
    await turn();
    assert.deepEqual(log, [], 'not answered before the sync completes');
    started[0]?.resolve();
    await a;
    assert.deepEqual(log, ['a ok']);
    assert.equal(barrier.syncs, 1);
  });

  test('says whether a sync runs, and when the one running has ended, failed or not', async () => {
    const { sync, started } = manualSync();
    const barrier = new DurabilityBarrier(sync);
    assert.equal(barrier.syncing, false);
    await barrier.synced(); // none running: at once
    const first = barrier.whenDurable().catch(() => undefined);
    assert.equal(barrier.syncing, true);
    const ended: string[] = [];
    const waited = barrier.synced().then(() => void ended.push('ended'));
    await turn();
    assert.deepEqual(ended, []);
    started[0]?.reject(new Error('EIO'));
    await Promise.all([first, waited]);
    assert.deepEqual(ended, ['ended'], 'a failed sync has ended too');
    assert.equal(barrier.syncing, false);
  });

  test('callers that arrive while a sync runs wait for one next sync that covers them all, and are answered in order', async () => {
    const { sync, started } = manualSync();
    const barrier = new DurabilityBarrier(sync);
    const log: string[] = [];
    const a = track(barrier.whenDurable(), log, 'a');
    // b, c, d wrote after the first sync began: it may not hold their writes.
    const rest = ['b', 'c', 'd'].map((name) => track(barrier.whenDurable(), log, name));
    assert.equal(started.length, 1, 'no second sync while one is in flight');
    started[0]?.resolve();
    await a;
    assert.deepEqual(log, ['a ok'], 'the callers of the next sync are not answered by the first');
    assert.equal(started.length, 2, 'the next sync starts as soon as the first completes');
    const e = track(barrier.whenDurable(), log, 'e');
    started[1]?.resolve();
    await Promise.all(rest);
    assert.deepEqual(log, ['a ok', 'b ok', 'c ok', 'd ok']);
    started[2]?.resolve();
    await e;
    assert.deepEqual(log, ['a ok', 'b ok', 'c ok', 'd ok', 'e ok']);
    assert.equal(barrier.syncs, 3, 'five callers, three syncs');
  });

  test('a failed sync fails the callers it covered, those waiting for the next one, and every later caller, without syncing again', async () => {
    const { sync, started } = manualSync();
    const barrier = new DurabilityBarrier(sync);
    const log: string[] = [];
    const covered = [track(barrier.whenDurable(), log, 'a'), track(barrier.whenDurable(), log, 'b')];
    started[0]?.resolve();
    await covered[0];
    const waiting = track(barrier.whenDurable(), log, 'c'); // b's sync is in flight: c waits for the one after it
    started[1]?.reject(new Error('EIO: i/o error'));
    await Promise.all([...covered, waiting]);
    assert.deepEqual(log, ['a ok', 'b EIO: i/o error', 'c EIO: i/o error']);
    assert.equal(barrier.failure?.error.message, 'EIO: i/o error');
    await track(barrier.whenDurable(), log, 'd');
    assert.equal(log.at(-1), 'd EIO: i/o error');
    assert.equal(started.length, 2, 'no sync after a failed one: its success would prove nothing');
  });

  test('a sync that throws instead of rejecting fails its callers the same way', async () => {
    const barrier = new DurabilityBarrier(() => {
      throw new Error('EBADF: bad file descriptor');
    });
    await assert.rejects(barrier.whenDurable(), /EBADF/);
    await assert.rejects(barrier.whenDurable(), /EBADF/);
    assert.equal(barrier.syncs, 1);
  });

  test('idle() resolves once no sync is running or awaited, including the next one a waiting caller needs', async () => {
    const { sync, started } = manualSync();
    const barrier = new DurabilityBarrier(sync);
    await barrier.idle();
    const log: string[] = [];
    const calls = [track(barrier.whenDurable(), log, 'a'), track(barrier.whenDurable(), log, 'b')];
    let idle = false;
    const idled = barrier.idle().then(() => (idle = true));
    started[0]?.resolve();
    await calls[0];
    await turn();
    assert.equal(idle, false, 'b still waits for its sync');
    started[1]?.resolve();
    await idled;
    await Promise.all(calls);
    assert.deepEqual(log, ['a ok', 'b ok']);
  });
});
