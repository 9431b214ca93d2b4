/**
 * Activities of the typed-errors example: each raises a typed failure from the shared vocabulary
 * (patterns/errors) when its input calls for it, and three handler activities the workflow routes
 * failures to.
 */
import { log } from '@temporalio/activity';
import { authenticationError, validationError, type FailureInfo } from '../../patterns/errors';
import { orderTotal, type Order } from '../../patterns/domain';

export async function errorsValidateOrder(order: Order): Promise<void> {
  if (order.items.length === 0) throw validationError(`order ${order.orderId} has no items`, { orderId: order.orderId, field: 'items' });
  if (orderTotal(order) <= 0) throw validationError(`order ${order.orderId} has a non-positive total`, { orderId: order.orderId, field: 'total' });
}

/** Customers whose ID starts with `expired-` stand for a payment credential that no longer works. */
export async function errorsAuthorizePayment(order: Order): Promise<string> {
  if (order.customerId.startsWith('expired-')) {
    throw authenticationError(`payment credentials of ${order.customerId} have expired`, { customerId: order.customerId });
  }
  return `auth-${order.orderId}`;
}

/** Customers whose ID starts with `flaky-` stand for a gateway that keeps dropping the connection (an untyped error). */
export async function errorsChargePayment(order: Order): Promise<{ transactionId: string; amount: number }> {
  if (order.customerId.startsWith('flaky-')) throw new Error('connection reset by payment gateway');
  return { transactionId: `tx-${order.orderId}`, amount: orderTotal(order) };
}

/** Route `notification`: tell the customer what to fix. */
export async function errorsNotifyCustomer(failure: FailureInfo): Promise<void> {
  log.info('notify customer', { ...failure });
}

/** Route `escalation`: open an incident for a human. */
export async function errorsEscalateIncident(failure: FailureInfo): Promise<void> {
  log.warn('escalate', { ...failure });
}

/** Route `logging`: record it for later analysis. */
export async function errorsLogFailure(failure: FailureInfo): Promise<void> {
  log.info('log failure', { ...failure });
}
