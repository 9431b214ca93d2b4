/** Demo: three exchange-rate lookups — fresh, from the cache, and (TTL expired, upstream down) the stale fallback. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { cachedCallsQuoteWorkflow } from '../workflows/cached-calls';

const describeSource = { fresh: 'fetched from upstream', cache: 'served from cache', stale: 'upstream failed → stale value served' } as const;

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const ttlMs = 200;
  const lookups = [{}, {}, { delayMs: 300, simulateOutage: true }];
  const rates = await ctx.client.workflow.execute(cachedCallsQuoteWorkflow, {
    taskQueue: ctx.taskQueue,
    workflowId: `demo-cached-calls-${randomUUID()}`,
    args: [{ base: 'USD', quote: 'EUR', ttlMs, lookups }],
  });
  return [
    `USD/EUR looked up ${lookups.length}× with a ${ttlMs}ms TTL; the 3rd lookup comes after the TTL, during an upstream outage`,
    ...rates.map((r, i) => `  lookup ${i + 1}: ${r.pair} = ${r.rate} (${describeSource[r.source]}, ${r.ageMs}ms old)`),
  ];
}
