/**
 * Idempotent-steps example: reserve → pay → ship, where a failed attempt waits for a retry signal
 * and then resumes. Steps that already completed are skipped (their recorded result reused), and
 * every activity gets a stable idempotency key (`payment-<orderId>`) so a retried activity never
 * charges twice either.
 */
import { condition, defineSignal, isCancellation, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type * as activities from '../activities/idempotent';
import { orderTotal, type Order } from '../../patterns/domain';
import { useIdempotentSteps, type CompletedStep } from '../../patterns/idempotent-steps';
import { describeFailure } from '../../patterns/parallel';

const { idempotentReserveInventory, idempotentChargePayment, idempotentShipOrder } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
});

/** Try the steps again after a failed attempt. */
export const idempotentRetrySignal = defineSignal('idempotentRetry');

export interface IdempotentOrderResult {
  orderId: string;
  reservationId: string;
  transactionId: string;
  trackingNumber: string;
  /** Attempts that failed before this one succeeded. */
  failedAttempts: number;
  completedSteps: string[];
}

export async function idempotentOrderWorkflow(order: Order, completed: CompletedStep[] = []): Promise<IdempotentOrderResult> {
  const steps = useIdempotentSteps({ scope: order.orderId, completed });
  let retryRequested = false;
  setHandler(idempotentRetrySignal, () => {
    retryRequested = true;
  });

  for (let failedAttempts = 0; ; failedAttempts++) {
    try {
      const reservationId = await steps.run('inventory', (idempotencyKey) =>
        idempotentReserveInventory({ orderId: order.orderId, items: order.items, idempotencyKey }),
      );
      const receipt = await steps.run('payment', (idempotencyKey) =>
        idempotentChargePayment({ orderId: order.orderId, amount: orderTotal(order), paymentMethod: order.paymentMethod, idempotencyKey }),
      );
      const trackingNumber = await steps.run('shipping', (idempotencyKey) =>
        idempotentShipOrder({ orderId: order.orderId, address: order.shippingAddress, idempotencyKey }),
      );
      return {
        orderId: order.orderId,
        reservationId,
        transactionId: receipt.transactionId,
        trackingNumber,
        failedAttempts,
        completedSteps: steps.completedSteps,
      };
    } catch (err) {
      // Wait for an operator to fix the cause and ask for a retry; completed steps stay done.
      if (isCancellation(err)) throw err;
      log.warn('Order attempt failed; waiting for a retry signal', { orderId: order.orderId, ...describeFailure(err), completedSteps: steps.completedSteps });
      await condition(() => retryRequested);
      retryRequested = false;
    }
  }
}
