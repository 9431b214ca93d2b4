/** Demo: an order that succeeds, one whose payment is declined and one that cannot ship. */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { rootCause } from '@temporalio/common';
import type { Order } from '../../patterns/domain';
import { compensationOutcomesOf } from '../../patterns/saga';
import { sagaOrderWorkflow } from '../workflows/saga';

function order(label: string, changes: Partial<Order>): Order {
  return {
    orderId: `order-${label}-${randomUUID().slice(0, 8)}`,
    customerId: 'cust-1',
    items: [{ sku: 'LAMP-1', quantity: 1, unitPrice: 40 }],
    paymentMethod: 'credit_card',
    shippingAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
    ...changes,
  };
}

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const orders: [string, Order][] = [
    ['all steps succeed', order('ok', {})],
    ['payment declined', order('declined', { total: 25_000 })],
    ['shipping impossible', order('unshippable', { shippingAddress: { street: 'Base 1', city: 'McMurdo', postalCode: '0000', country: 'AQ' } })],
  ];
  return Promise.all(
    orders.map(async ([label, o]) => {
      try {
        const result = await ctx.client.workflow.execute(sagaOrderWorkflow, { taskQueue: ctx.taskQueue, workflowId: `saga-${o.orderId}`, args: [o] });
        return `saga: ${label} → shipped ${result.trackingNumber}, nothing to compensate`;
      } catch (err) {
        const outcomes = err instanceof WorkflowFailedError ? compensationOutcomesOf(err.cause) : undefined;
        if (!(err instanceof WorkflowFailedError) || !outcomes) throw err;
        const ran = outcomes.map((c) => `${c.name}${c.ok ? '' : ` (failed: ${c.error ?? 'unknown'})`}`).join(', ') || 'none';
        // rootCause: the innermost message (SagaCompensatedError → ActivityFailure → the activity's error)
        return `saga: ${label} → ${rootCause(err.cause) ?? err.message}; compensations ran: ${ran}`;
      }
    }),
  );
}
