/**
 * Activities for the idempotent-steps example: a fake inventory, payment gateway and carrier that
 * deduplicate by the idempotency key the workflow passes, so a retried activity (or a retried
 * step) never reserves, charges or ships twice.
 */
import { randomUUID } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { OrderItem, PaymentMethod, Address } from '../../patterns/domain';
import { IdempotencyStore } from '../../patterns/activities/idempotency-store';

export interface IdempotentReserveRequest {
  orderId: string;
  items: OrderItem[];
  idempotencyKey: string;
}

export interface IdempotentChargeRequest {
  orderId: string;
  amount: number;
  paymentMethod: PaymentMethod;
  idempotencyKey: string;
}

export interface IdempotentPaymentReceipt {
  transactionId: string;
  amount: number;
}

export interface IdempotentShipRequest {
  orderId: string;
  address: Address;
  idempotencyKey: string;
}

const reservations = new IdempotencyStore<string>();
const payments = new IdempotencyStore<IdempotentPaymentReceipt>();
const shipments = new IdempotencyStore<string>();

export async function idempotentReserveInventory(request: IdempotentReserveRequest): Promise<string> {
  const { result } = await reservations.once(request.idempotencyKey, async () => `res-${randomUUID()}`);
  return result;
}

/** Charges once per idempotency key: a second call with the same key returns the first receipt. */
export async function idempotentChargePayment(request: IdempotentChargeRequest): Promise<IdempotentPaymentReceipt> {
  const { result, duplicate } = await payments.once(request.idempotencyKey, async () => ({ transactionId: `tx-${randomUUID()}`, amount: request.amount }));
  if (duplicate) log.info('Duplicate charge request; returning the recorded receipt', { idempotencyKey: request.idempotencyKey });
  return result;
}

export async function idempotentShipOrder(request: IdempotentShipRequest): Promise<string> {
  const { result } = await shipments.once(request.idempotencyKey, async () => `trk-${request.address.country}-${randomUUID().slice(0, 8)}`);
  return result;
}
