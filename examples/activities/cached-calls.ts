/** Cached-calls example: an exchange-rate lookup served from a TTL cache, with the last known rate as a fallback. */
import { ApplicationFailure } from '@temporalio/common';
import { cachedCallDetailed, type CacheSource } from '../../patterns/activities/cached-call';

export interface CachedCallsRateRequest {
  base: string;
  quote: string;
  /** How long a fetched rate is served from the cache, ms. */
  ttlMs: number;
  /** Simulate the upstream rate service being down for this call. */
  simulateOutage?: boolean;
}

export interface CachedCallsRate {
  pair: string;
  rate: number;
  source: CacheSource;
  ageMs: number;
}

/** A stand-in for a slow, rate-limited upstream API. */
const upstreamRates: Record<string, number> = { 'USD/EUR': 0.92, 'USD/GBP': 0.79, 'EUR/USD': 1.09, 'EUR/GBP': 0.86 };

async function fetchRateFromUpstream(pair: string, simulateOutage: boolean): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  if (simulateOutage) throw ApplicationFailure.create({ type: 'UpstreamUnavailable', message: `rate service unavailable for ${pair}` });
  const rate = upstreamRates[pair];
  if (rate === undefined) throw ApplicationFailure.create({ type: 'UnknownCurrencyPair', message: `no rate for ${pair}`, nonRetryable: true });
  return rate;
}

export async function cachedCallsFetchExchangeRate(request: CachedCallsRateRequest): Promise<CachedCallsRate> {
  const pair = `${request.base}/${request.quote}`;
  const result = await cachedCallDetailed(`fx:${pair}`, () => fetchRateFromUpstream(pair, request.simulateOutage ?? false), {
    ttlMs: request.ttlMs,
    staleOnError: true,
  });
  return { pair, rate: result.value, source: result.source, ageMs: result.ageMs };
}
