/** Cached-calls example: a workflow looks up the same exchange rate several times; the activity's cache absorbs the repeats. */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type * as activities from '../activities/cached-calls';
import type { CachedCallsRate } from '../activities/cached-calls';

const { cachedCallsFetchExchangeRate } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3, initialInterval: '100ms' },
});

export interface CachedCallsLookup {
  /** Workflow-time pause before this lookup, ms. */
  delayMs?: number;
  /** Simulate an upstream outage during this lookup. */
  simulateOutage?: boolean;
}

export interface CachedCallsQuoteInput {
  base: string;
  quote: string;
  ttlMs: number;
  /** Default: two immediate lookups. */
  lookups?: CachedCallsLookup[];
}

export async function cachedCallsQuoteWorkflow(input: CachedCallsQuoteInput): Promise<CachedCallsRate[]> {
  const rates: CachedCallsRate[] = [];
  for (const lookup of input.lookups ?? [{}, {}]) {
    if (lookup.delayMs) await sleep(lookup.delayMs);
    rates.push(await cachedCallsFetchExchangeRate({ base: input.base, quote: input.quote, ttlMs: input.ttlMs, simulateOutage: lookup.simulateOutage }));
  }
  return rates;
}
