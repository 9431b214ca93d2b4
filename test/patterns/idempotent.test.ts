/**
 * Idempotent steps: each step gets a stable idempotency key, completed steps are recorded (and
 * queryable) and never run again, and the activities deduplicate by key.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { needsTimeSkipping, uniqueName, waitFor } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';
import type { Order } from '../../patterns/domain';
import { IdempotencyStore } from '../../patterns/activities/idempotency-store';
import { completedStepsQuery } from '../../patterns/idempotent-steps';
import {
  idempotentChargePayment,
  type IdempotentChargeRequest,
  type IdempotentPaymentReceipt,
  type IdempotentReserveRequest,
  type IdempotentShipRequest,
} from '../../examples/activities/idempotent';
import { idempotentOrderWorkflow, idempotentRetrySignal } from '../../examples/workflows/idempotent';

const order: Order = {
  orderId: 'order-1',
  customerId: 'cust-1',
  items: [{ sku: 'SKU-1', quantity: 2, unitPrice: 25 }],
  paymentMethod: 'credit_card',
  shippingAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
};

/** Mocked activities that record every call (activity name + idempotency key). */
function mockActivities(options: { shippingFailures?: number } = {}) {
  const calls: { activity: string; key: string }[] = [];
  let shippingFailures = options.shippingFailures ?? 0;
  const activities = {
    idempotentReserveInventory: async (r: IdempotentReserveRequest) => {
      calls.push({ activity: 'reserve', key: r.idempotencyKey });
      return 'res-1';
    },
    idempotentChargePayment: async (r: IdempotentChargeRequest) => {
      calls.push({ activity: 'charge', key: r.idempotencyKey });
      return { transactionId: 'tx-1', amount: r.amount };
    },
    idempotentShipOrder: async (r: IdempotentShipRequest) => {
      calls.push({ activity: 'ship', key: r.idempotencyKey });
      if (shippingFailures-- > 0) throw ApplicationFailure.create({ type: 'CarrierDown', message: 'carrier unavailable', nonRetryable: true });
      return 'trk-1';
    },
  };
  return { calls, activities };
}

describe('idempotent steps', () => {
  const pattern = usePatternEnvironment('idempotent');

  test('each activity gets the stable key <step>-<orderId>, and the query lists the completed steps', needsTimeSkipping(), async (t) => {
    const taskQueue = uniqueName(t);
    const { calls, activities } = mockActivities();
    const { result, completed } = await pattern.run(taskQueue, activities, async () => {
      const handle = await pattern.env.client.workflow.start(idempotentOrderWorkflow, { taskQueue, workflowId: taskQueue, args: [order] });
      return { result: await handle.result(), completed: await handle.query(completedStepsQuery) };
    });
    assert.deepEqual(calls, [
      { activity: 'reserve', key: 'inventory-order-1' },
      { activity: 'charge', key: 'payment-order-1' },
      { activity: 'ship', key: 'shipping-order-1' },
    ]);
    assert.deepEqual(completed, ['inventory', 'payment', 'shipping']);
    assert.deepEqual(result, {
      orderId: 'order-1',
      reservationId: 'res-1',
      transactionId: 'tx-1',
      trackingNumber: 'trk-1',
      failedAttempts: 0,
      completedSteps: ['inventory', 'payment', 'shipping'],
    });
  });

  test(
    'after a failed attempt, a retry re-runs only the failed step: inventory is not reserved and payment not charged again',
    needsTimeSkipping(),
    async (t) => {
      const taskQueue = uniqueName(t);
      const { calls, activities } = mockActivities({ shippingFailures: 1 });
      const result = await pattern.run(taskQueue, activities, async () => {
        const handle = await pattern.env.client.workflow.start(idempotentOrderWorkflow, { taskQueue, workflowId: taskQueue, args: [order] });
        // The first attempt fails at shipping; the workflow waits for a retry with two steps done.
        const completed = await waitFor('the first attempt to fail at shipping', async () => {
          const steps = await handle.query(completedStepsQuery);
          return calls.some((c) => c.activity === 'ship') && steps.length === 2 ? steps : undefined;
        });
        assert.deepEqual(completed, ['inventory', 'payment']);
        await handle.signal(idempotentRetrySignal);
        return handle.result();
      });
      assert.deepEqual(
        calls.map((c) => `${c.activity}:${c.key}`),
        ['reserve:inventory-order-1', 'charge:payment-order-1', 'ship:shipping-order-1', 'ship:shipping-order-1'],
      );
      assert.equal(result.failedAttempts, 1);
      assert.equal(result.transactionId, 'tx-1');
      assert.deepEqual(result.completedSteps, ['inventory', 'payment', 'shipping']);
    },
  );

  test('steps completed by an earlier run are skipped and their recorded results reused', needsTimeSkipping(), async (t) => {
    const taskQueue = uniqueName(t);
    const { calls, activities } = mockActivities();
    const carried = [
      { name: 'inventory', result: 'res-earlier' },
      { name: 'payment', result: { transactionId: 'tx-earlier', amount: 50 } },
    ];
    const result = await pattern.run(taskQueue, activities, () =>
      pattern.env.client.workflow.execute(idempotentOrderWorkflow, { taskQueue, workflowId: taskQueue, args: [order, carried] }),
    );
    assert.deepEqual(calls, [{ activity: 'ship', key: 'shipping-order-1' }]);
    assert.equal(result.reservationId, 'res-earlier');
    assert.equal(result.transactionId, 'tx-earlier');
  });

  test('the payment activity honours the key: the same key twice returns the first receipt without charging again', async () => {
    const activityEnv = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN') });
    const charge = (r: IdempotentChargeRequest): Promise<IdempotentPaymentReceipt> => activityEnv.run(idempotentChargePayment, r);
    const request: IdempotentChargeRequest = { orderId: 'order-9', amount: 42, paymentMethod: 'paypal', idempotencyKey: `payment-order-9-${Date.now()}` };
    const first = await charge(request);
    const again = await charge(request);
    const other = await charge({ ...request, idempotencyKey: `${request.idempotencyKey}-b` });
    assert.deepEqual(again, first, 'a duplicate request gets the recorded receipt (same transaction)');
    assert.notEqual(other.transactionId, first.transactionId, 'a new key is a new charge');
    assert.equal(first.amount, 42);
  });

  test('IdempotencyStore performs an effect once per key, also for concurrent calls, and forgets failures', async () => {
    const store = new IdempotencyStore<number>();
    let effects = 0;
    const effect = async () => ++effects;
    const outcomes = await Promise.all([store.once('k', effect), store.once('k', effect), store.once('k', effect)]);
    assert.deepEqual(outcomes, [
      { result: 1, duplicate: false },
      { result: 1, duplicate: true },
      { result: 1, duplicate: true },
    ]);
    await assert.rejects(
      store.once('fails', async () => Promise.reject(new Error('gateway down'))),
      /gateway down/,
    );
    assert.equal(store.has('fails'), false);
    assert.deepEqual(await store.once('fails', effect), { result: 2, duplicate: false });
    assert.equal(effects, 2);
  });
});
