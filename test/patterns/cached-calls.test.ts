/**
 * Cached calls: a TTL cache in front of an activity's upstream call, with the expired value as a
 * fallback when the upstream fails (stale-on-error), over a pluggable cache (default: an LRU).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cachedCall, cachedCallDetailed, createLruCallCache, type CacheEntry, type CallCache } from '../../patterns/activities/cached-call';
import * as activities from '../../examples/activities/cached-calls';
import { cachedCallsQuoteWorkflow } from '../../examples/workflows/cached-calls';
import { needsTimeSkipping, uniqueName } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';

/** A manual clock and an upstream that counts its calls and can be told to fail. */
function fixture(): { now: () => number; advance: (ms: number) => void; fn: () => Promise<string>; calls: () => number; failNext: (on: boolean) => void } {
  let t = 1_000;
  let calls = 0;
  let failing = false;
  return {
    now: () => t,
    advance: (ms) => (t += ms),
    calls: () => calls,
    failNext: (on) => (failing = on),
    fn: async () => {
      calls++;
      if (failing) throw new Error(`upstream down (call ${calls})`);
      return `value #${calls}`;
    },
  };
}

describe('cachedCall (unit, injected clock)', () => {
  test('a hit within the TTL is served from the cache without calling fn', async () => {
    const f = fixture();
    const options = { ttlMs: 1000, cache: createLruCallCache(), now: f.now };
    assert.equal(await cachedCall('k', f.fn, options), 'value #1');
    f.advance(999);
    assert.deepEqual(await cachedCallDetailed('k', f.fn, options), { value: 'value #1', source: 'cache', ageMs: 999 });
    assert.equal(f.calls(), 1);
  });

  test('an expired entry calls fn again and caches the new value', async () => {
    const f = fixture();
    const options = { ttlMs: 1000, cache: createLruCallCache(), now: f.now };
    await cachedCall('k', f.fn, options);
    f.advance(1000);
    assert.deepEqual(await cachedCallDetailed('k', f.fn, options), { value: 'value #2', source: 'fresh', ageMs: 0 });
    assert.equal(await cachedCall('k', f.fn, options), 'value #2');
    assert.equal(f.calls(), 2);
  });

  test('fn failing after expiry returns the stale value when staleOnError is set', async () => {
    const f = fixture();
    const options = { ttlMs: 1000, staleOnError: true, cache: createLruCallCache(), now: f.now };
    await cachedCall('k', f.fn, options);
    f.advance(5000);
    f.failNext(true);
    const result = await cachedCallDetailed('k', f.fn, options);
    assert.equal(result.value, 'value #1');
    assert.equal(result.source, 'stale');
    assert.equal(result.ageMs, 5000);
    assert.match(String(result.error), /upstream down \(call 2\)/);
  });

  test('fn failing after expiry throws without staleOnError, past maxStaleMs, or with nothing cached', async () => {
    const f = fixture();
    const cache = createLruCallCache();
    await cachedCall('k', f.fn, { ttlMs: 1000, cache, now: f.now });
    f.advance(5000);
    f.failNext(true);
    await assert.rejects(cachedCall('k', f.fn, { ttlMs: 1000, cache, now: f.now }), /upstream down \(call 2\)/);
    await assert.rejects(cachedCall('k', f.fn, { ttlMs: 1000, staleOnError: true, maxStaleMs: 4000, cache, now: f.now }), /upstream down \(call 3\)/);
    await assert.rejects(cachedCall('other', f.fn, { ttlMs: 1000, staleOnError: true, cache, now: f.now }), /upstream down \(call 4\)/);
  });

  test('a pluggable (async) cache is used for reads and writes; the LRU evicts beyond max', async () => {
    const f = fixture();
    const store = new Map<string, CacheEntry>();
    const log: string[] = [];
    const cache: CallCache = {
      get: async (key) => (log.push(`get ${key}`), store.get(key)),
      set: async (key, entry) => void (log.push(`set ${key}`), store.set(key, entry)),
    };
    await cachedCall('a', f.fn, { ttlMs: 1000, cache, now: f.now });
    await cachedCall('a', f.fn, { ttlMs: 1000, cache, now: f.now });
    assert.deepEqual(log, ['get a', 'set a', 'get a']);
    assert.deepEqual(store.get('a'), { value: 'value #1', storedAt: 1000, expiresAt: 2000 });

    const lru = createLruCallCache({ max: 2 });
    for (const key of ['x', 'y', 'z']) await cachedCall(key, f.fn, { ttlMs: 1000, cache: lru, now: f.now });
    assert.equal(await lru.get('x'), undefined, 'least recently used entry evicted');
    assert.ok(await lru.get('z'));
  });
});

describe('cached activity in a workflow', needsTimeSkipping(), () => {
  const pattern = usePatternEnvironment('cached-calls');

  test('the second lookup of the same rate is served from the activity cache', async (t) => {
    const taskQueue = uniqueName(t);
    const rates = await pattern.run(taskQueue, activities, () =>
      pattern.env.client.workflow.execute(cachedCallsQuoteWorkflow, { taskQueue, workflowId: taskQueue, args: [{ base: 'USD', quote: 'EUR', ttlMs: 60_000 }] }),
    );
    assert.deepEqual(
      rates.map(({ pair, rate, source }) => ({ pair, rate, source })),
      [
        { pair: 'USD/EUR', rate: 0.92, source: 'fresh' },
        { pair: 'USD/EUR', rate: 0.92, source: 'cache' },
      ],
    );
  });
});
