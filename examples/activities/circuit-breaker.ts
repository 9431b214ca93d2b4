/** Circuit-breaker example: a downstream service whose outage the caller scripts. */
import { ApplicationFailure } from '@temporalio/common';

export interface CircuitBreakerServiceRequest {
  call: number;
  /** Simulate the service being down for this call. */
  down: boolean;
}

export async function circuitBreakerCallService(request: CircuitBreakerServiceRequest): Promise<string> {
  if (request.down) {
    throw ApplicationFailure.create({ type: 'ServiceUnavailable', message: 'inventory service unavailable (503)', details: [{ call: request.call }] });
  }
  return `stock level #${request.call}: 42`;
}
