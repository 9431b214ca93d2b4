/**
 * Activities for the determinism example. Real entropy and wall-clock readings live here: an
 * activity's result is recorded in history, so the workflow sees the same value on replay.
 */
import { randomUUID } from 'node:crypto';

export interface DeterministicTokenRequest {
  requestId: string;
  roll: number;
}

/** Issues a token from real (cryptographic) randomness — something workflow code must not do. */
export async function deterministicIssueToken(request: DeterministicTokenRequest): Promise<string> {
  return `tok-${request.requestId.slice(0, 8)}-${randomUUID()}`;
}
