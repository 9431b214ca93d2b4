/** Activities for the sequential-pipeline example: validate → transform → store. */
import { randomUUID } from 'node:crypto';
import type { ProcessingRequest } from '../../patterns/domain';

export interface SequentialValidation {
  valid: boolean;
  errors: string[];
}

export interface SequentialRecord {
  requestId: string;
  customer: string;
  amountCents: number;
}

/** A request is valid with a non-empty `customer` string and a non-negative numeric `amount`. */
export async function sequentialValidate(request: ProcessingRequest): Promise<SequentialValidation> {
  const errors: string[] = [];
  const { customer, amount } = request.payload;
  if (typeof customer !== 'string' || customer.trim() === '') errors.push('customer is required');
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) errors.push('amount must be a non-negative number');
  return { valid: errors.length === 0, errors };
}

/** Normalises a validated request: trimmed, upper-cased customer; amount in whole cents. */
export async function sequentialTransform(request: ProcessingRequest): Promise<SequentialRecord> {
  return {
    requestId: request.requestId,
    customer: String(request.payload.customer).trim().toUpperCase(),
    amountCents: Math.round(Number(request.payload.amount) * 100),
  };
}

/** Stores a record (in memory here) and returns where. */
export async function sequentialStore(record: SequentialRecord): Promise<string> {
  return `memory://records/${record.requestId}/${randomUUID().slice(0, 8)}`;
}
