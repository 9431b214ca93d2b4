/** Demo: four orders through the typed-errors workflow — success, ValidationError, AuthenticationError and an untyped gateway error. */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { Order } from '../../patterns/domain';
import { routeFor } from '../../patterns/errors';
import { errorsOrderWorkflow } from '../workflows/errors';

const baseOrder: Order = {
  orderId: 'o-1',
  customerId: 'c-1',
  items: [{ sku: 'MUG', quantity: 2, unitPrice: 12 }],
  paymentMethod: 'credit_card',
  shippingAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
};

const cases: { label: string; order: Order }[] = [
  { label: 'valid order', order: baseOrder },
  { label: 'empty order', order: { ...baseOrder, orderId: 'o-2', items: [] } },
  { label: 'expired credentials', order: { ...baseOrder, orderId: 'o-3', customerId: 'expired-c-3' } },
  { label: 'flaky gateway', order: { ...baseOrder, orderId: 'o-4', customerId: 'flaky-c-4' } },
];

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const lines = await Promise.all(
    cases.map(async ({ label, order }) => {
      try {
        const result = await ctx.client.workflow.execute(errorsOrderWorkflow, {
          taskQueue: ctx.taskQueue,
          workflowId: `demo-errors-${order.orderId}-${randomUUID()}`,
          args: [order],
        });
        return `  ${label}: charged ${result.amount} (${result.transactionId})`;
      } catch (err) {
        const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
        if (!(cause instanceof ApplicationFailure)) return `  ${label}: failed unexpectedly: ${String(err)}`;
        const type = cause.type ?? 'Unknown';
        return `  ${label}: failed with ${type} "${cause.message}" → routed to ${routeFor(type)}`;
      }
    }),
  );
  return [
    'errors: typed failures — permanent types not retried, untyped ones retried 3× — each routed by type, workflow fails with the typed failure',
    ...lines,
  ];
}
