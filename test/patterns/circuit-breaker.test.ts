/**
 * Circuit breaker: after `failureThreshold` consecutive failures the circuit opens and calls are
 * skipped without reaching the service; after the reset timeout (workflow time, skipped here) one
 * half-open trial call decides whether it closes again or re-opens.
 */
import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { CircuitBreaker, isCircuitOpenError, type CircuitOpenDetails } from '../../patterns/circuit-breaker';
import * as exampleActivities from '../../examples/activities/circuit-breaker';
import { circuitBreakerPollWorkflow, type CircuitBreakerPollInput, type CircuitBreakerPollResult } from '../../examples/workflows/circuit-breaker';
import { needsTimeSkipping, uniqueName } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';

const MINUTE = 60_000;

const pattern = usePatternEnvironment('circuit-breaker');

/** A mocked service that fails its first `failures` invocations and counts every invocation. */
function flakyService(failures: number): { activities: typeof exampleActivities; invocations: () => number } {
  let invocations = 0;
  return {
    invocations: () => invocations,
    activities: {
      circuitBreakerCallService: async ({ call }) => {
        invocations++;
        if (invocations <= failures) throw ApplicationFailure.create({ type: 'ServiceUnavailable', message: `down (invocation ${invocations})` });
        return `ok #${call}`;
      },
    },
  };
}

async function poll(t: { name: string }, service: ReturnType<typeof flakyService>, input: CircuitBreakerPollInput): Promise<CircuitBreakerPollResult> {
  const taskQueue = uniqueName(t.name);
  return pattern.run(taskQueue, service.activities, () =>
    pattern.env.client.workflow.execute(circuitBreakerPollWorkflow, { taskQueue, workflowId: taskQueue, args: [input] }),
  );
}

/**
 * Minutes of workflow time, rounded: the virtual clock also advances by the few real milliseconds
 * that activities and workflow tasks take.
 */
const minutes = (ms: number): number => Math.round(ms / MINUTE);

/** Transitions as `FROM→TO@minute` (minutes of workflow time since the workflow started). */
function sequence(result: CircuitBreakerPollResult): string[] {
  return result.transitions.map((tr) => `${tr.from}→${tr.to}@${minutes(tr.at - result.startedAt)}m`);
}

const base = { intervalMs: MINUTE, failureThreshold: 3, resetTimeoutMs: 10 * MINUTE };

describe('circuit breaker in a workflow (time-skipping)', needsTimeSkipping(), () => {
  test('opens after 3 consecutive failures and skips further calls without invoking the activity', async (t) => {
    const service = flakyService(Infinity);
    const result = await poll(t, service, { ...base, calls: 8 });

    assert.equal(service.invocations(), 3, 'only the first 3 calls reach the service');
    assert.deepEqual(
      result.outcomes.map((o) => o.outcome),
      ['failed', 'failed', 'failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped'],
    );
    assert.equal(result.outcomes[3]?.detail, 'circuit open');
    assert.deepEqual(sequence(result), ['CLOSED→OPEN@2m']);
    assert.equal(result.finalState, 'OPEN');
  });

  test('after the 10-minute reset timeout a half-open trial call succeeds and closes the circuit', async (t) => {
    const service = flakyService(3);
    // Calls at minutes 0..13: fail at 0,1,2 → open at 2; skipped at 3..11; trial at 12 succeeds; ok at 13.
    const result = await poll(t, service, { ...base, calls: 14 });

    assert.equal(service.invocations(), 5, '3 failures + the trial + one normal call');
    assert.deepEqual(sequence(result), ['CLOSED→OPEN@2m', 'OPEN→HALF_OPEN@12m', 'HALF_OPEN→CLOSED@12m']);
    assert.deepEqual(
      result.outcomes.filter((o) => o.outcome !== 'skipped').map((o) => `${o.outcome}@${minutes(o.elapsedMs)}m`),
      ['failed@0m', 'failed@1m', 'failed@2m', 'ok@12m', 'ok@13m'],
    );
    assert.equal(result.outcomes.filter((o) => o.outcome === 'skipped').length, 9);
    assert.equal(result.finalState, 'CLOSED');
  });

  test('a failed half-open trial re-opens the circuit for another reset timeout', async (t) => {
    const service = flakyService(4);
    // Open at 2; trial at 12 fails → open again; skipped 13..21; trial at 22 succeeds.
    const result = await poll(t, service, { ...base, calls: 23 });

    assert.equal(service.invocations(), 5, '3 failures + a failed trial + a successful trial');
    assert.deepEqual(sequence(result), ['CLOSED→OPEN@2m', 'OPEN→HALF_OPEN@12m', 'HALF_OPEN→OPEN@12m', 'OPEN→HALF_OPEN@22m', 'HALF_OPEN→CLOSED@22m']);
    assert.deepEqual(
      result.outcomes.filter((o) => o.outcome !== 'skipped').map((o) => `${o.outcome}@${minutes(o.elapsedMs)}m`),
      ['failed@0m', 'failed@1m', 'failed@2m', 'failed@12m', 'ok@22m'],
    );
    assert.equal(result.finalState, 'CLOSED');
  });

  test('the real example activity: a scripted outage opens the circuit, and it closes once the service is back', async (t) => {
    const taskQueue = uniqueName(t);
    const result = await pattern.run(taskQueue, exampleActivities, () =>
      pattern.env.client.workflow.execute(circuitBreakerPollWorkflow, {
        taskQueue,
        workflowId: taskQueue,
        args: [{ ...base, calls: 15, failingCalls: [1, 2, 3] }],
      }),
    );
    assert.deepEqual(sequence(result), ['CLOSED→OPEN@3m', 'OPEN→HALF_OPEN@13m', 'HALF_OPEN→CLOSED@13m']);
    const last = result.outcomes.at(-1);
    assert.deepEqual({ ...last, elapsedMs: minutes(last?.elapsedMs ?? NaN) }, { call: 14, elapsedMs: 14, outcome: 'ok', detail: 'stock level #14: 42' });
    assert.equal(result.outcomes[1]?.detail, 'inventory service unavailable (503)');
  });
});

describe('CircuitBreaker (unit, mocked clock)', () => {
  test('execute() throws a typed non-retryable CircuitOpenError while open; only one half-open trial runs at a time', async () => {
    mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    try {
      const breaker = new CircuitBreaker({ name: 'payments', failureThreshold: 1, resetTimeoutMs: 5000 });
      await assert.rejects(
        breaker.execute(() => Promise.reject(new Error('boom'))),
        /boom/,
      );
      const open = await breaker
        .execute(() => Promise.resolve('never called'))
        .then(
          () => assert.fail('should have thrown'),
          (err: unknown) => err,
        );
      assert.ok(isCircuitOpenError(open));
      assert.equal(open.nonRetryable, true);
      assert.deepEqual(open.details, [{ circuit: 'payments', retryAt: 1_005_000 } satisfies CircuitOpenDetails]);
      assert.equal(breaker.msUntilRetry(), 5000);

      mock.timers.tick(5000);
      let release!: (v: string) => void;
      const trial = breaker.call(() => new Promise<string>((resolve) => (release = resolve)));
      assert.equal(breaker.state, 'HALF_OPEN');
      assert.deepEqual(await breaker.call(() => Promise.resolve('concurrent')), { skipped: true, reason: 'trial in progress', retryAt: 1_005_000 });
      release('recovered');
      assert.deepEqual(await trial, { skipped: false, value: 'recovered' });
      assert.equal(breaker.state, 'CLOSED');

      const restored = new CircuitBreaker({ failureThreshold: 1, resetTimeoutMs: 5000, restore: breaker.snapshot() });
      assert.deepEqual(
        restored.transitions.map((tr) => tr.to),
        ['OPEN', 'HALF_OPEN', 'CLOSED'],
      );
    } finally {
      mock.timers.reset();
    }
  });
});
