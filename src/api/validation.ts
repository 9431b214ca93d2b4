import { BLOB_SIZE_EXCEEDS_LIMIT, MEMO_SIZE_EXCEEDS_LIMIT, blobSizeVerdict, type BlobSizeLimits } from '../common/blob-size';
import { invalidArgument } from '../common/errors';
import { MAX_ID_LENGTH, idTooLong } from '../common/id-length';
import type { Logger } from '../common/logger';
import { common, durationToMs, enums, failure, type IDuration, type IFailure, type IPayloads } from '../common/proto';

/** Request checks shared by handlers, with Temporal's messages where it has one. */

export { MAX_ID_LENGTH };

export function requireField(value: string | null | undefined, message: string): string {
  if (!value) throw invalidArgument(message);
  return value;
}

/** A set id within `limit.maxIDLength` (Temporal's "WorkflowId is not set on request." / "WorkflowId length exceeds limit."). */
export function requireId(ctx: { maxIdLength: number }, value: string | null | undefined, what: string): string {
  const id = requireField(value, `${what} is not set on request.`);
  requireIdLength(ctx, id, `${what} length exceeds limit.`);
  return id;
}

/** An optional id, name or identity within `limit.maxIDLength` (bytes, as Temporal's Go `len`), else INVALID_ARGUMENT `message`. */
export function requireIdLength(ctx: { maxIdLength: number }, value: string | null | undefined, message: string): void {
  if (idTooLong(value, ctx.maxIdLength)) throw invalidArgument(message);
}

/** Temporal's errIdentityTooLong, checked by the poll and respond RPCs of workers. */
export function requireIdentityLength(ctx: { maxIdLength: number }, identity: string | null | undefined): void {
  requireIdLength(ctx, identity, 'Identity length exceeds limit.');
}

export function requireNonNegativeDuration(d: IDuration | null | undefined, what: string): void {
  if (!d) return;
  const seconds = Number(d.seconds ?? 0);
  const nanos = d.nanos ?? 0;
  if (seconds < 0 || nanos < 0 || durationToMs(d) < 0) throw invalidArgument(`Invalid ${what}: a duration may not be negative.`);
}

/** A payload's size as Temporal measures it for the blob size limits: its encoded protobuf size. */
export function payloadsSize(payloads: IPayloads | null | undefined): number {
  return payloads ? common.Payloads.encode(payloads).finish().length : 0;
}

export function failureSize(f: IFailure | null | undefined): number {
  return f ? failure.Failure.encode(f).finish().length : 0;
}

/**
 * Whether a blob is within `limit.blobSize.error`, as Temporal's CheckEventBlobSizeLimit decides
 * (the error limit is checked only past `limit.blobSize.warn`, and a size past that is logged).
 */
export function blobWithinLimit(ctx: { blobSizeLimits: BlobSizeLimits; logger: Logger }, size: number, operation: string, workflowId?: string | null): boolean {
  const verdict = blobSizeVerdict(size, ctx.blobSizeLimits);
  if (verdict !== 'ok') ctx.logger.warn('Blob data size exceeds the warning limit.', { operation, workflowId: workflowId ?? '', size });
  return verdict !== 'error';
}

/** Fails the request with Temporal's INVALID_ARGUMENT "Blob data size exceeds limit." when the payloads are over the error limit. */
export function requireBlobWithinLimit(
  ctx: { blobSizeLimits: BlobSizeLimits; logger: Logger },
  payloads: IPayloads | null | undefined,
  operation: string,
  workflowId?: string | null,
): void {
  if (!blobWithinLimit(ctx, payloadsSize(payloads), operation, workflowId)) throw invalidArgument(BLOB_SIZE_EXCEEDS_LIMIT);
}

/** Temporal's ValidateStart memo check: INVALID_ARGUMENT "Memo size exceeds limit." past `limit.memoSize.error` (logged past the warning limit). */
export function requireMemoWithinLimit(
  ctx: { memoSizeLimits: BlobSizeLimits; logger: Logger },
  memo: common.IMemo | null | undefined,
  operation: string,
  workflowId?: string | null,
): void {
  if (!memo) return;
  const size = common.Memo.encode(memo).finish().length;
  const verdict = blobSizeVerdict(size, ctx.memoSizeLimits);
  if (verdict !== 'ok') ctx.logger.warn('Memo size exceeds the warning limit.', { operation, workflowId: workflowId ?? '', size });
  if (verdict === 'error') throw invalidArgument(MEMO_SIZE_EXCEEDS_LIMIT);
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Temporal's frontend validateExecution: a workflow id, and a run id that is empty or a UUID. */
export function requireExecution(ctx: { maxIdLength: number }, execution: { workflowId?: string | null; runId?: string | null } | null | undefined): void {
  if (!execution) throw invalidArgument('Execution is not set on request.');
  requireId(ctx, execution.workflowId, 'WorkflowId');
  if (execution.runId && !UUID.test(execution.runId)) throw invalidArgument('Invalid RunId.');
}
