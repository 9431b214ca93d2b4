/**
 * Activity-side result caching: an activity that reads slow-changing data (exchange rates, feature
 * flags, reference data) wraps its upstream call in {@link cachedCall}, so repeated executions —
 * across workflows, on the same worker — are served from a TTL cache, and an upstream outage can
 * fall back to the last known value instead of failing the workflow.
 *
 * Why in the activity and not the workflow: workflow code must be deterministic and its results are
 * recorded in history anyway; an activity is where non-deterministic I/O (and so caching it) belongs.
 * The cache is per worker process by default; plug in a shared one (Redis, …) through {@link CallCache}.
 *
 * Node-side module: do not import from workflow code.
 */
import { LRUCache } from 'lru-cache';

/** A cached value and when it was fetched / stops being fresh (epoch ms). */
export interface CacheEntry<T = unknown> {
  value: T;
  storedAt: number;
  expiresAt: number;
}

/**
 * Storage for {@link cachedCall}. Entries must be kept past `expiresAt` for the stale-on-error fallback
 * to have something to return; eviction is the implementation's business. May be async (remote caches).
 */
export interface CallCache {
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): void | Promise<void>;
}

export interface CachedCallOptions {
  /** How long a fetched value is served without calling `fn` again, ms. */
  ttlMs: number;
  /** When `fn` throws and an expired entry exists, return the expired value instead of the error. Default false. */
  staleOnError?: boolean;
  /** Stale values older than this (since fetched) are not served on error. Default: no limit. */
  maxStaleMs?: number;
  /** Where entries live. Default: a process-wide in-memory LRU ({@link defaultCallCache}). */
  cache?: CallCache;
  /** Clock, ms since epoch; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

/** Where a {@link cachedCallDetailed} value came from. */
export type CacheSource = 'fresh' | 'cache' | 'stale';

export interface CachedResult<T> {
  value: T;
  source: CacheSource;
  /** Age of the value (now − fetch time), ms; 0 when fresh. */
  ageMs: number;
  /** For `stale`: the error that `fn` threw. */
  error?: unknown;
}

/** An in-memory LRU cache (lru-cache) holding at most `max` entries; entries do not expire on their own. */
export function createLruCallCache(options: { max?: number } = {}): CallCache {
  const lru = new LRUCache<string, CacheEntry>({ max: options.max ?? 1000 });
  return {
    get: (key) => lru.get(key),
    set: (key, entry) => {
      lru.set(key, entry);
    },
  };
}

/** The cache used when none is passed: one per worker process. */
export const defaultCallCache: CallCache = createLruCallCache();

/**
 * Returns the cached value for `key` while it is fresh (younger than `ttlMs`); otherwise calls `fn`
 * and caches its result. If `fn` throws and `staleOnError` is set, returns the expired value (if any,
 * within `maxStaleMs`) and reports it as `stale`; otherwise the error propagates — so the activity's
 * retry policy still applies when there is nothing to fall back on.
 */
export async function cachedCallDetailed<T>(key: string, fn: () => Promise<T>, options: CachedCallOptions): Promise<CachedResult<T>> {
  const cache = options.cache ?? defaultCallCache;
  const now = options.now ?? Date.now;
  const cached = (await cache.get(key)) as CacheEntry<T> | undefined;
  const start = now();
  if (cached && start < cached.expiresAt) return { value: cached.value, source: 'cache', ageMs: start - cached.storedAt };

  let value: T;
  try {
    value = await fn();
  } catch (error) {
    const at = now();
    const staleAllowed =
      options.staleOnError === true && cached !== undefined && (options.maxStaleMs === undefined || at - cached.storedAt <= options.maxStaleMs);
    if (staleAllowed) return { value: cached.value, source: 'stale', ageMs: at - cached.storedAt, error };
    throw error;
  }
  const storedAt = now();
  await cache.set(key, { value, storedAt, expiresAt: storedAt + options.ttlMs });
  return { value, source: 'fresh', ageMs: 0 };
}

/** {@link cachedCallDetailed}, returning just the value. */
export async function cachedCall<T>(key: string, fn: () => Promise<T>, options: CachedCallOptions): Promise<T> {
  return (await cachedCallDetailed(key, fn, options)).value;
}
