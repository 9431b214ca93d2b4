/**
 * Saga example: reserve inventory → charge payment → ship. Each completed step registers its
 * compensation; a failure releases/refunds what was done (newest first, or all at once) and the
 * workflow fails with a `SagaCompensatedError` carrying the original error and the outcomes.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/saga';
import type { Order } from '../../patterns/domain';
import { Saga } from '../../patterns/saga';

const { sagaReserveInventory, sagaChargePayment, sagaShipOrder } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
});
// Compensations must eventually succeed: retry them longer than forward steps.
const { sagaReleaseInventory, sagaRefundPayment } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 10, initialInterval: '1 second', backoffCoefficient: 2 },
});

export interface SagaOrderOptions {
  /** Release and refund concurrently instead of newest-first. */
  parallelCompensation?: boolean;
}

export interface SagaOrderResult {
  orderId: string;
  reservationId: string;
  transactionId: string;
  trackingNumber: string;
}

export async function sagaOrderWorkflow(order: Order, options: SagaOrderOptions = {}): Promise<SagaOrderResult> {
  const saga = new Saga({ parallelCompensation: options.parallelCompensation });
  return saga.run(async () => {
    const reservationId = await sagaReserveInventory(order);
    saga.addCompensation('releaseInventory', () => sagaReleaseInventory(reservationId));
    const transactionId = await sagaChargePayment(order);
    saga.addCompensation('refundPayment', () => sagaRefundPayment(transactionId));
    const trackingNumber = await sagaShipOrder(order);
    return { orderId: order.orderId, reservationId, transactionId, trackingNumber };
  });
}
