/**
 * Versioning with patches: the order workflow's v2 adds a fraud check (and a manual review) behind
 * `patched('order-processing-v2')`. A history recorded by v1 must replay on v2; new executions on v2
 * take the new path; without the guard the same replay is a nondeterminism error; v3 deprecates the
 * patch and replays v2 histories.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { eventNames, EventType, needsTimeSkipping, rejectionOf, uniqueName } from '../helpers';
import { bundleWorkflows, usePatternEnvironment } from './pattern-environment';
import type { Order } from '../../patterns/domain';
import type * as exampleActivities from '../../examples/activities/versioning';
import type { versionedOrderWorkflow, VersionedOrderResult } from '../../examples/workflows/versioning';

type History = temporal.api.history.v1.IHistory;
type Bundles = Record<'v1' | 'v2' | 'v2Unguarded' | 'v3', WorkflowBundleWithSourceMap>;

const smallOrder: Order = {
  orderId: 'o-small',
  customerId: 'c-1',
  items: [{ sku: 'A-1', quantity: 2, unitPrice: 25 }],
  paymentMethod: 'credit_card',
  shippingAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
};
const largeOrder: Order = { ...smallOrder, orderId: 'o-large', items: [{ sku: 'B-2', quantity: 3, unitPrice: 500 }] };

/** Mocked activities that record the order of calls. */
function mocks(): { calls: string[]; activities: typeof exampleActivities } {
  const calls: string[] = [];
  const activities: typeof exampleActivities = {
    versioningValidateOrder: async () => void calls.push('validate'),
    versioningChargePayment: async (order) => (calls.push('charge'), `tx-${order.orderId}`),
    versioningShipOrder: async (order) => (calls.push('ship'), `track-${order.orderId}`),
    versioningCheckFraud: async (order) => (calls.push('fraud'), { score: order.orderId === 'o-large' ? 80 : 10 }),
    versioningManualReview: async () => (calls.push('review'), { approved: true, reviewer: 'risk-team' }),
  };
  return { calls, activities };
}

function markerNames(history: History): string[] {
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED)
    .map((e) => e.markerRecordedEventAttributes?.markerName ?? '');
}

describe('versioning with patched()', needsTimeSkipping(), () => {
  // v2 is the example itself; the other versions are fixtures.
  const pattern = usePatternEnvironment('versioning');
  let bundles: Bundles;

  before(async () => {
    const [v1, v2Unguarded, v3] = await Promise.all([
      bundleWorkflows(require.resolve('./fixtures/order-v1')),
      bundleWorkflows(require.resolve('./fixtures/order-v2-unguarded')),
      bundleWorkflows(require.resolve('./fixtures/order-v3')),
    ]);
    bundles = { v1, v2: pattern.bundle, v2Unguarded, v3 };
  });

  /** Runs one execution of `version` on a worker built from that version's bundle; returns its result and history. */
  async function runOn(version: keyof Bundles, workflowId: string, order: Order): Promise<{ result: VersionedOrderResult; history: History; calls: string[] }> {
    const { calls, activities } = mocks();
    const result = await pattern.run(
      workflowId,
      activities,
      () => pattern.env.client.workflow.execute<typeof versionedOrderWorkflow>('versionedOrderWorkflow', { taskQueue: workflowId, workflowId, args: [order] }),
      { workflowBundle: bundles[version] },
    );
    const history = await pattern.env.client.workflow.getHandle(workflowId).fetchHistory();
    return { result, history, calls };
  }

  function replay(version: keyof Bundles, history: History, workflowId: string): Promise<void> {
    return Worker.runReplayHistory({ workflowBundle: bundles[version] }, history, workflowId);
  }

  test('a v1 history replays on v2: the guarded fraud check is skipped for executions that started without it', async (t) => {
    const workflowId = uniqueName(t);
    const v1 = await runOn('v1', workflowId, smallOrder);
    assert.deepEqual(v1.calls, ['validate', 'charge', 'ship']);
    assert.deepEqual(v1.result, { orderId: 'o-small', transactionId: 'tx-o-small', trackingNumber: 'track-o-small' });
    assert.deepEqual(markerNames(v1.history), [], 'v1 recorded no patch marker');

    await replay('v1', v1.history, workflowId);
    await replay('v2', v1.history, workflowId);
  });

  test('without the patched() guard, replaying the same v1 history is a nondeterminism error', async (t) => {
    const workflowId = uniqueName(t);
    const v1 = await runOn('v1', workflowId, smallOrder);
    const err = await rejectionOf(replay('v2Unguarded', v1.history, workflowId), 'replay of a v1 history on unguarded v2');
    assert.ok(err instanceof DeterminismViolationError, `expected a DeterminismViolationError, got ${String(err)}`);
    assert.match(err.message, /nondeterminism/i);
  });

  test('new executions on v2 run the fraud check (and the review for risky orders) and record the patch marker', async (t) => {
    const small = await runOn('v2', `${uniqueName(t)}-small`, smallOrder);
    assert.deepEqual(small.calls, ['validate', 'fraud', 'charge', 'ship']);
    assert.deepEqual(small.result, { orderId: 'o-small', transactionId: 'tx-o-small', trackingNumber: 'track-o-small', fraudScore: 10 });
    assert.deepEqual(markerNames(small.history), ['core_patch']);
    const names = eventNames(small.history.events);
    assert.ok(names.indexOf('EVENT_TYPE_MARKER_RECORDED') < names.indexOf('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', names.indexOf('EVENT_TYPE_MARKER_RECORDED')));

    const large = await runOn('v2', `${uniqueName(t)}-large`, largeOrder);
    assert.deepEqual(large.calls, ['validate', 'fraud', 'review', 'charge', 'ship']);
    assert.deepEqual(large.result, {
      orderId: 'o-large',
      transactionId: 'tx-o-large',
      trackingNumber: 'track-o-large',
      fraudScore: 80,
      reviewedBy: 'risk-team',
    });
  });

  test('v3 deprecates the patch: v2 histories replay on it, v1 histories no longer do', async (t) => {
    const v2 = await runOn('v2', `${uniqueName(t)}-v2`, largeOrder);
    await replay('v3', v2.history, 'v2-run');

    const v3 = await runOn('v3', `${uniqueName(t)}-v3`, smallOrder);
    assert.deepEqual(v3.calls, ['validate', 'fraud', 'charge', 'ship']);
    // deprecatePatch still records the marker, so v2 workers (during a rolling deploy) can replay v3 runs.
    assert.deepEqual(markerNames(v3.history), ['core_patch']);
    await replay('v2', v3.history, 'v3-run');

    // v3 is only safe once every v1 execution has finished.
    const v1 = await runOn('v1', `${uniqueName(t)}-v1`, smallOrder);
    assert.ok((await rejectionOf(replay('v3', v1.history, 'v1-run'))) instanceof DeterminismViolationError);
  });
});
