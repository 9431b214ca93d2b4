import { invalidArgument } from '../common/errors';
import { common, durationToMs, type IDuration, type IPayloads } from '../common/proto';

/** Request checks shared by handlers, with Temporal's messages where it has one. */

export const MAX_ID_LENGTH = 1000;
/** Temporal's default blob size limit (`limit.blobSize.error`). */
export const BLOB_SIZE_LIMIT_BYTES = 2 * 1024 * 1024;

export function requireField(value: string | null | undefined, message: string): string {
  if (!value) throw invalidArgument(message);
  return value;
}

export function requireId(value: string | null | undefined, what: string): string {
  const id = requireField(value, `${what} is not set on request.`);
  if (id.length > MAX_ID_LENGTH) throw invalidArgument(`${what} exceeds length limit.`);
  return id;
}

export function requireNonNegativeDuration(d: IDuration | null | undefined, what: string): void {
  if (!d) return;
  const seconds = Number(d.seconds ?? 0);
  const nanos = d.nanos ?? 0;
  if (seconds < 0 || nanos < 0 || durationToMs(d) < 0) throw invalidArgument(`Invalid ${what}: a duration may not be negative.`);
}

export function requireBlobWithinLimit(payloads: IPayloads | null | undefined, what: string): void {
  if (!payloads) return;
  const size = common.Payloads.encode(payloads).finish().length;
  if (size > BLOB_SIZE_LIMIT_BYTES) {
    throw invalidArgument(`${what} size of ${size} bytes exceeds the limit of ${BLOB_SIZE_LIMIT_BYTES} bytes.`);
  }
}

export function requireTaskToken(token: Uint8Array | null | undefined): Uint8Array {
  if (!token || token.length === 0) throw invalidArgument('Task token not set on request.');
  return token;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Temporal's frontend validateExecution: a workflow id, and a run id that is empty or a UUID. */
export function requireExecution(execution: { workflowId?: string | null; runId?: string | null } | null | undefined): void {
  if (!execution) throw invalidArgument('Execution is not set on request.');
  requireId(execution.workflowId, 'WorkflowId');
  if (execution.runId && !UUID.test(execution.runId)) throw invalidArgument('Invalid RunId.');
}
