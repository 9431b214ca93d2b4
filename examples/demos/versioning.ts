/** Demo: the order workflow's v2 (fraud check + manual review behind patched('order-processing-v2')) on a small and a large order. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Order } from '../../patterns/domain';
import { versionedOrderWorkflow } from '../workflows/versioning';

const baseOrder: Order = {
  orderId: 'o-100',
  customerId: 'c-1',
  items: [{ sku: 'MUG', quantity: 2, unitPrice: 12 }],
  paymentMethod: 'credit_card',
  shippingAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
};

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const orders: Order[] = [baseOrder, { ...baseOrder, orderId: 'o-101', items: [{ sku: 'TV', quantity: 1, unitPrice: 1500 }] }];
  const results = await Promise.all(
    orders.map((order) =>
      ctx.client.workflow.execute(versionedOrderWorkflow, {
        taskQueue: ctx.taskQueue,
        workflowId: `demo-versioning-${order.orderId}-${randomUUID()}`,
        args: [order],
      }),
    ),
  );
  return [
    `versioning: new executions run v2 of versionedOrderWorkflow (patch "order-processing-v2" recorded; v1 histories replay without it)`,
    ...results.map(
      (r) =>
        `  ${r.orderId}: fraud score ${r.fraudScore ?? 'n/a'}${r.reviewedBy ? ` → manual review by ${r.reviewedBy}` : ''} → charged ${r.transactionId}, shipped ${r.trackingNumber}`,
    ),
  ];
}
