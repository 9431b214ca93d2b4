/**
 * Saga: a failure at any step undoes exactly the steps before it, newest first (or all at once),
 * keeps going when a compensation fails, and fails the workflow with the original error as cause
 * and every compensation's outcome in the details.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { delay, needsTimeSkipping, rejectionOf, uniqueName, waitFor } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';
import type { Order } from '../../patterns/domain';
import { compensationOutcomesOf, SAGA_COMPENSATED_ERROR, type CompensationOutcome } from '../../patterns/saga';
import { sagaOrderWorkflow, type SagaOrderOptions } from '../../examples/workflows/saga';

const order: Order = {
  orderId: 'order-7',
  customerId: 'cust-7',
  items: [{ sku: 'SKU-7', quantity: 1, unitPrice: 70 }],
  paymentMethod: 'credit_card',
  shippingAddress: { street: '7 Side St', city: 'Shelbyville', postalCode: '77777', country: 'US' },
};

type Step = 'reserve' | 'charge' | 'ship';

interface MockOptions {
  /** The forward step that fails (non-retryable). */
  failAt?: Step;
  /** A compensation that fails (non-retryable). */
  failCompensation?: 'release' | 'refund';
  /** How long each compensation takes. */
  compensationMs?: number;
  /** How long shipping takes. */
  shipMs?: number;
}

/** Mocked activities recording every call in order (`release:<reservation>` etc.). */
function mockActivities(options: MockOptions = {}) {
  const calls: string[] = [];
  const fail = (step: string) => ApplicationFailure.create({ type: 'InjectedFailure', message: `${step} failed`, nonRetryable: true });
  const step = async <T>(name: Step, value: T, ms = 0): Promise<T> => {
    calls.push(name);
    if (ms) await delay(ms);
    if (options.failAt === name) throw fail(name);
    return value;
  };
  const compensation = async (name: 'release' | 'refund', id: string): Promise<void> => {
    calls.push(`${name}:${id}`);
    if (options.compensationMs) await delay(options.compensationMs);
    calls.push(`${name} done`);
    if (options.failCompensation === name) throw fail(name);
  };
  const activities = {
    sagaReserveInventory: async () => step('reserve', 'res-1'),
    sagaChargePayment: async () => step('charge', 'tx-1'),
    sagaShipOrder: async () => step('ship', 'trk-1', options.shipMs),
    sagaReleaseInventory: async (reservationId: string) => compensation('release', reservationId),
    sagaRefundPayment: async (transactionId: string) => compensation('refund', transactionId),
  };
  return { calls, activities };
}

describe('saga', needsTimeSkipping(), () => {
  const pattern = usePatternEnvironment('saga');

  async function runSaga(taskQueue: string, mocks: MockOptions, options: SagaOrderOptions = {}) {
    const { calls, activities } = mockActivities(mocks);
    const outcome = await pattern.run(taskQueue, activities, () =>
      pattern.env.client.workflow.execute(sagaOrderWorkflow, { taskQueue, workflowId: taskQueue, args: [order, options] }).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    );
    return { calls, outcome };
  }

  /** The saga's failure: a SagaCompensatedError whose cause chain ends in the injected failure. */
  function sagaFailure(error: unknown, failedStep: Step): { message: string; outcomes: CompensationOutcome[] } {
    assert.ok(error instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(error)}`);
    const failure = error.cause;
    assert.ok(failure instanceof ApplicationFailure, `expected ApplicationFailure, got ${String(failure)}`);
    assert.equal(failure.type, SAGA_COMPENSATED_ERROR);
    assert.equal(failure.nonRetryable, true);
    assert.ok(failure.cause instanceof ActivityFailure, 'cause: the original activity failure');
    assert.ok(failure.cause.cause instanceof ApplicationFailure);
    assert.equal(failure.cause.cause.message, `${failedStep} failed`);
    const outcomes = compensationOutcomesOf(failure);
    assert.ok(outcomes, 'the details carry the compensation outcomes');
    return { message: failure.message, outcomes };
  }

  test('when every step succeeds, nothing is compensated', async (t) => {
    const { calls, outcome } = await runSaga(uniqueName(t), {});
    assert.deepEqual(calls, ['reserve', 'charge', 'ship']);
    assert.deepEqual(outcome, { ok: true, value: { orderId: 'order-7', reservationId: 'res-1', transactionId: 'tx-1', trackingNumber: 'trk-1' } });
  });

  const cases: { failAt: Step; calls: string[]; outcomes: CompensationOutcome[]; message: string }[] = [
    { failAt: 'reserve', calls: ['reserve'], outcomes: [], message: 'reserve failed (nothing to compensate)' },
    {
      failAt: 'charge',
      calls: ['reserve', 'charge', 'release:res-1', 'release done'],
      outcomes: [{ name: 'releaseInventory', ok: true }],
      message: 'charge failed (compensated: releaseInventory)',
    },
    {
      failAt: 'ship',
      calls: ['reserve', 'charge', 'ship', 'refund:tx-1', 'refund done', 'release:res-1', 'release done'],
      outcomes: [
        { name: 'refundPayment', ok: true },
        { name: 'releaseInventory', ok: true },
      ],
      message: 'ship failed (compensated: refundPayment, releaseInventory)',
    },
  ];
  for (const c of cases) {
    test(`a failure at ${c.failAt} compensates exactly the completed steps, newest first: [${c.outcomes.map((o) => o.name).join(', ')}]`, async (t) => {
      const { calls, outcome } = await runSaga(uniqueName(t), { failAt: c.failAt });
      assert.deepEqual(calls, c.calls);
      assert.equal(outcome.ok, false);
      const { message, outcomes } = sagaFailure(outcome.ok ? undefined : outcome.error, c.failAt);
      assert.deepEqual(outcomes, c.outcomes);
      assert.equal(message, c.message);
    });
  }

  test('a failing compensation is reported and does not stop the others', async (t) => {
    const { calls, outcome } = await runSaga(uniqueName(t), { failAt: 'ship', failCompensation: 'refund' });
    assert.deepEqual(calls, ['reserve', 'charge', 'ship', 'refund:tx-1', 'refund done', 'release:res-1', 'release done']);
    const { message, outcomes } = sagaFailure(outcome.ok ? undefined : outcome.error, 'ship');
    assert.deepEqual(outcomes, [
      { name: 'refundPayment', ok: false, error: 'refund failed' },
      { name: 'releaseInventory', ok: true },
    ]);
    assert.equal(message, 'ship failed (compensated: refundPayment, releaseInventory; failed: refundPayment)');
  });

  test('parallelCompensation starts every compensation before any finishes, and still reports them all', async (t) => {
    const { calls, outcome } = await runSaga(
      uniqueName(t),
      { failAt: 'ship', failCompensation: 'release', compensationMs: 300 },
      { parallelCompensation: true },
    );
    assert.deepEqual(calls.slice(0, 3), ['reserve', 'charge', 'ship']);
    assert.deepEqual(new Set(calls.slice(3, 5)), new Set(['refund:tx-1', 'release:res-1']), `both started first: ${calls.join(', ')}`);
    assert.deepEqual(new Set(calls.slice(5)), new Set(['refund done', 'release done']));
    const { outcomes } = sagaFailure(outcome.ok ? undefined : outcome.error, 'ship');
    assert.deepEqual(outcomes, [
      { name: 'refundPayment', ok: true },
      { name: 'releaseInventory', ok: false, error: 'release failed' },
    ]);
  });

  test('cancelling the workflow mid-saga still runs the compensations, and the workflow ends cancelled', async (t) => {
    const taskQueue = uniqueName(t);
    const { calls, activities } = mockActivities({ shipMs: 1000 });
    const error = await pattern.run(taskQueue, activities, async () => {
      const handle = await pattern.env.client.workflow.start(sagaOrderWorkflow, { taskQueue, workflowId: taskQueue, args: [order] });
      await waitFor('shipping to start', () => (calls.includes('ship') ? true : undefined));
      await handle.cancel();
      const err = await rejectionOf(handle.result(), 'the cancelled saga');
      await delay(1100); // let the abandoned shipping call return before the worker stops
      return err;
    });
    assert.ok(error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure, `expected a cancellation, got ${String(error)}`);
    assert.deepEqual(calls.slice(0, 7), ['reserve', 'charge', 'ship', 'refund:tx-1', 'refund done', 'release:res-1', 'release done']);
  });
});
