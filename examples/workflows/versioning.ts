/**
 * Versioning, v2 of the order workflow: a fraud check (and a manual review for risky orders) added
 * while v1 executions are still running. The new steps are guarded by `patched()`: executions that
 * started on v1 replay without them (their history has no patch marker), new executions record the
 * marker and take the new path. v1 is in test/patterns/fixtures/order-v1.ts, v3 (the patch
 * deprecated once no v1 execution remains) in test/patterns/fixtures/order-v3.ts.
 */
import { ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import { orderTotal, type Order } from '../../patterns/domain';
import type * as activities from '../activities/versioning';

/** The patch ID: it stays in histories for as long as they are kept, so it is never reused. */
const ORDER_V2_PATCH = 'order-processing-v2';
/** Fraud scores at or above this go to manual review. */
const REVIEW_THRESHOLD = 50;

const { versioningValidateOrder, versioningChargePayment, versioningShipOrder, versioningCheckFraud, versioningManualReview } = proxyActivities<
  typeof activities
>({
  startToCloseTimeout: '10s',
});

export interface VersionedOrderResult {
  orderId: string;
  transactionId: string;
  trackingNumber: string;
  /** Set when the fraud check ran (v2 path). */
  fraudScore?: number;
  /** Set when the order went to manual review. */
  reviewedBy?: string;
}

export async function versionedOrderWorkflow(order: Order): Promise<VersionedOrderResult> {
  await versioningValidateOrder(order);
  let fraudScore: number | undefined;
  let reviewedBy: string | undefined;
  if (patched(ORDER_V2_PATCH)) {
    fraudScore = (await versioningCheckFraud(order)).score;
    if (fraudScore >= REVIEW_THRESHOLD) {
      const review = await versioningManualReview({ orderId: order.orderId, score: fraudScore, total: orderTotal(order) });
      if (!review.approved) {
        throw ApplicationFailure.create({ type: 'OrderRejected', message: `order ${order.orderId} rejected by ${review.reviewer}`, nonRetryable: true });
      }
      reviewedBy = review.reviewer;
    }
  }
  const transactionId = await versioningChargePayment(order);
  const trackingNumber = await versioningShipOrder(order);
  return {
    orderId: order.orderId,
    transactionId,
    trackingNumber,
    ...(fraudScore === undefined ? {} : { fraudScore }),
    ...(reviewedBy === undefined ? {} : { reviewedBy }),
  };
}
