/**
 * Circuit-breaker example: a workflow polls a flaky downstream service at a fixed interval through a
 * {@link CircuitBreaker}; while the circuit is open the calls are skipped instead of piling onto the outage.
 */
import { defineQuery, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import { CircuitBreaker, type CircuitState, type CircuitTransition } from '../../patterns/circuit-breaker';
import type * as activities from '../activities/circuit-breaker';

const { circuitBreakerCallService } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  // The breaker, not the activity retry policy, decides how to react to failures.
  retry: { maximumAttempts: 1 },
});

export interface CircuitBreakerPollInput {
  /** How many times to call the service. */
  calls: number;
  /** Workflow-time pause between calls, ms. */
  intervalMs: number;
  failureThreshold: number;
  resetTimeoutMs: number;
  /** Scripted outage for the example service: the (0-based) call numbers at which it is down. */
  failingCalls?: number[];
}

export interface CircuitBreakerCallOutcome {
  call: number;
  /** Workflow time since the workflow started, ms. */
  elapsedMs: number;
  outcome: 'ok' | 'failed' | 'skipped';
  detail: string;
}

export interface CircuitBreakerPollResult {
  /** Workflow time (epoch ms) the workflow started; transitions' `at` is on the same clock. */
  startedAt: number;
  outcomes: CircuitBreakerCallOutcome[];
  transitions: CircuitTransition[];
  finalState: CircuitState;
}

/** The breaker's current state and transitions, while the workflow runs. */
export const circuitBreakerStateQuery = defineQuery<{ state: CircuitState; transitions: CircuitTransition[] }>('circuitBreakerState');

export async function circuitBreakerPollWorkflow(input: CircuitBreakerPollInput): Promise<CircuitBreakerPollResult> {
  const breaker = new CircuitBreaker({ name: 'inventory-service', failureThreshold: input.failureThreshold, resetTimeoutMs: input.resetTimeoutMs });
  setHandler(circuitBreakerStateQuery, () => ({ state: breaker.state, transitions: [...breaker.transitions] }));
  const failing = new Set(input.failingCalls ?? []);
  const startedAt = Date.now();
  const outcomes: CircuitBreakerCallOutcome[] = [];

  for (let call = 0; call < input.calls; call++) {
    if (call > 0) await sleep(input.intervalMs);
    const elapsedMs = Date.now() - startedAt;
    try {
      const result = await breaker.call(() => circuitBreakerCallService({ call, down: failing.has(call) }));
      outcomes.push(result.skipped ? { call, elapsedMs, outcome: 'skipped', detail: result.reason } : { call, elapsedMs, outcome: 'ok', detail: result.value });
    } catch (err) {
      outcomes.push({ call, elapsedMs, outcome: 'failed', detail: failureMessage(err) });
    }
  }
  return { startedAt, outcomes, transitions: [...breaker.transitions], finalState: breaker.state };
}

/** The root cause's message: an ActivityFailure wraps the service's ApplicationFailure. */
function failureMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.cause instanceof Error ? err.cause.message : err.message;
}
