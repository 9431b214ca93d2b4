/** Demo: idempotency keys make a second workflow for the same order reuse the first charge. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Order } from '../../patterns/domain';
import { completedStepsQuery } from '../../patterns/idempotent-steps';
import { idempotentOrderWorkflow } from '../workflows/idempotent';

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const order: Order = {
    orderId: `order-${randomUUID().slice(0, 8)}`,
    customerId: 'cust-1',
    items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 15 }],
    paymentMethod: 'credit_card',
    shippingAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
  };
  const start = (n: number) =>
    ctx.client.workflow.start(idempotentOrderWorkflow, { taskQueue: ctx.taskQueue, workflowId: `idempotent-${order.orderId}-${n}`, args: [order] });
  const first = await start(1);
  const firstResult = await first.result();
  const steps = await first.query(completedStepsQuery);
  // A duplicate submission of the same order: same keys, so nothing is charged twice.
  const secondResult = await (await start(2)).result();
  return [
    `idempotent: ${order.orderId} completed steps [${steps.join(', ')}], charged with key payment-${order.orderId} → ${firstResult.transactionId}`,
    `idempotent: a duplicate workflow for the same order got ${secondResult.transactionId === firstResult.transactionId ? 'the same transaction (not charged again)' : `a NEW transaction ${secondResult.transactionId}`}`,
  ];
}
