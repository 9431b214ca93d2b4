/**
 * Typed error handling: activities retry per a policy that excludes the permanent failure types;
 * when a step finally fails, the failure is routed by type to a handler activity (notification,
 * escalation or logging) and the workflow fails with the original typed failure.
 */
import { proxyActivities } from '@temporalio/workflow';
import { routeAndRethrow, typedRetryPolicy, type ErrorHandlers } from '../../patterns/errors';
import type { Order } from '../../patterns/domain';
import type * as activities from '../activities/errors';

const { errorsValidateOrder, errorsAuthorizePayment, errorsChargePayment } = proxyActivities<typeof activities>({
  startToCloseTimeout: '10s',
  retry: typedRetryPolicy({ initialInterval: '200ms', maximumAttempts: 3 }),
});

const handlerActivities = proxyActivities<typeof activities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 5 } });
const handlers: ErrorHandlers = {
  notification: handlerActivities.errorsNotifyCustomer,
  escalation: handlerActivities.errorsEscalateIncident,
  logging: handlerActivities.errorsLogFailure,
};

export interface ErrorsOrderResult {
  authorization: string;
  transactionId: string;
  amount: number;
}

/** Validates, authorizes and charges an order; any final failure is routed, then rethrown typed. */
export async function errorsOrderWorkflow(order: Order): Promise<ErrorsOrderResult> {
  try {
    await errorsValidateOrder(order);
    const authorization = await errorsAuthorizePayment(order);
    const charge = await errorsChargePayment(order);
    return { authorization, ...charge };
  } catch (err) {
    return routeAndRethrow(err, handlers);
  }
}
