/**
 * Activities of the versioned order workflow. v1 uses validate → charge → ship; v2 adds the fraud
 * check and, for risky orders, a manual review.
 */
import { orderTotal, type Order } from '../../patterns/domain';

export async function versioningValidateOrder(order: Order): Promise<void> {
  if (order.items.length === 0) throw new Error(`order ${order.orderId} has no items`);
}

export async function versioningChargePayment(order: Order): Promise<string> {
  return `tx-${order.orderId}-${orderTotal(order)}`;
}

export async function versioningShipOrder(order: Order): Promise<string> {
  return `track-${order.orderId}`;
}

/** 0–100; large orders score high. */
export async function versioningCheckFraud(order: Order): Promise<{ score: number }> {
  return { score: orderTotal(order) > 1000 ? 80 : 10 };
}

/** A reviewer's verdict on a risky order (here: approve anything under 5000). */
export async function versioningManualReview(input: { orderId: string; score: number; total: number }): Promise<{ approved: boolean; reviewer: string }> {
  return { approved: input.total < 5000, reviewer: 'risk-team' };
}
