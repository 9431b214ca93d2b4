/**
 * Activities for the saga example: inventory, payment and shipping with their compensations.
 * Failures follow the data so the demo can trigger each one: an `OUT-OF-STOCK…` SKU, a total
 * over 10 000, or a shipping address in Antarctica (`AQ`).
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, log } from '@temporalio/activity';
import { orderTotal, type Order } from '../../patterns/domain';

const SAGA_PAYMENT_LIMIT = 10_000;

export async function sagaReserveInventory(order: Order): Promise<string> {
  const missing = order.items.find((item) => item.sku.startsWith('OUT-OF-STOCK'));
  if (missing) throw ApplicationFailure.create({ type: 'OutOfStock', message: `${missing.sku} is out of stock`, nonRetryable: true });
  return `res-${randomUUID().slice(0, 8)}`;
}

export async function sagaReleaseInventory(reservationId: string): Promise<void> {
  log.info('Inventory released', { reservationId });
}

export async function sagaChargePayment(order: Order): Promise<string> {
  const total = orderTotal(order);
  if (total > SAGA_PAYMENT_LIMIT) {
    throw ApplicationFailure.create({
      type: 'PaymentDeclined',
      message: `payment of ${total} declined: over the ${SAGA_PAYMENT_LIMIT} limit`,
      nonRetryable: true,
    });
  }
  return `tx-${randomUUID().slice(0, 8)}`;
}

export async function sagaRefundPayment(transactionId: string): Promise<void> {
  log.info('Payment refunded', { transactionId });
}

export async function sagaShipOrder(order: Order): Promise<string> {
  if (order.shippingAddress.country === 'AQ') {
    throw ApplicationFailure.create({ type: 'UndeliverableAddress', message: 'no carrier ships to AQ', nonRetryable: true });
  }
  return `trk-${randomUUID().slice(0, 8)}`;
}
