/** Demo: a poller calls a flaky service through a circuit breaker; prints each call and the breaker's state changes. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { circuitBreakerPollWorkflow } from '../workflows/circuit-breaker';

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const input = { calls: 10, intervalMs: 100, failureThreshold: 2, resetTimeoutMs: 250, failingCalls: [1, 2, 5] };
  const result = await ctx.client.workflow.execute(circuitBreakerPollWorkflow, {
    taskQueue: ctx.taskQueue,
    workflowId: `demo-circuit-breaker-${randomUUID()}`,
    args: [input],
  });
  return [
    `inventory-service polled ${input.calls}× every ${input.intervalMs}ms; it is down for calls ${input.failingCalls.join(', ')}; ` +
      `breaker opens after ${input.failureThreshold} failures, half-opens after ${input.resetTimeoutMs}ms`,
    ...result.outcomes.map((o) => `  call ${o.call} (+${o.elapsedMs}ms): ${o.outcome} — ${o.detail}`),
    ...result.transitions.map((tr) => `  state ${tr.from} → ${tr.to} at +${tr.at - result.startedAt}ms (${tr.reason})`),
    `  final state: ${result.finalState}`,
  ];
}
