/**
 * Activities a dynamic (definition-driven) order workflow can call by name. Each takes one plain
 * object — the step's `input` after its `{ "$expr": ... }` values are resolved — and returns data
 * later steps read as `results.<stepId>`.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { OrderItem } from '../../patterns/domain';

export interface DynamicValidateInput {
  orderId: string;
  items: OrderItem[];
}

export interface DynamicValidation {
  valid: boolean;
  total: number;
  skus: string[];
}

export async function dynamicValidateOrder(input: DynamicValidateInput): Promise<DynamicValidation> {
  const total = input.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  return { valid: input.items.length > 0 && total > 0, total, skus: input.items.map((item) => item.sku) };
}

export async function dynamicCheckFraud(input: { orderId: string; total: number }): Promise<{ score: number }> {
  return { score: input.total > 1000 ? 85 : 10 };
}

export async function dynamicReserveInventory(input: { sku: string }): Promise<{ sku: string; reserved: boolean }> {
  if (input.sku.startsWith('OUT-')) throw ApplicationFailure.create({ type: 'OutOfStock', message: `${input.sku} is out of stock`, nonRetryable: true });
  return { sku: input.sku, reserved: true };
}

export async function dynamicChargePayment(input: { orderId: string; amount: number }): Promise<{ transactionId: string; amount: number }> {
  return { transactionId: `tx-${input.orderId}`, amount: input.amount };
}

export async function dynamicRequestReview(input: { orderId: string; reason: string }): Promise<{ queued: boolean }> {
  void input;
  return { queued: true };
}

export async function dynamicSendNotification(input: { to: string; message: string }): Promise<{ sent: boolean }> {
  void input;
  return { sent: true };
}
