import { invalidArgument } from '../common/errors';
import { common, durationToMs, enums, type IDuration, type IPayloads } from '../common/proto';

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

/** Temporal's ValidateWorkflowIDReusePolicy: the reuse policies that contradict a conflict policy. */
export function requireCompatibleIdPolicies(
  reuse: enums.WorkflowIdReusePolicy | null | undefined,
  conflict: enums.WorkflowIdConflictPolicy | null | undefined,
): void {
  const Reuse = enums.WorkflowIdReusePolicy;
  const Conflict = enums.WorkflowIdConflictPolicy;
  if (conflict && reuse === Reuse.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
    throw invalidArgument(
      'Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING cannot be used together with a WorkflowIDConflictPolicy',
    );
  }
  if (conflict === Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING && reuse === Reuse.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE) {
    throw invalidArgument(
      'Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE cannot be used together with WorkflowIdConflictPolicy WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING',
    );
  }
}
