import { ServiceError, type ResourceExhaustedCause, type ServiceErrorDetail } from '../common/errors';
import { enums, errordetails, failure, google } from '../common/proto';

/** gRPC status codes (google.rpc.Code). */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

const RESOURCE_EXHAUSTED_CAUSES: Record<ResourceExhaustedCause, enums.ResourceExhaustedCause> = {
  'concurrent-limit': enums.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT,
  'busy-workflow': enums.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_BUSY_WORKFLOW,
};
const RESOURCE_EXHAUSTED_SCOPES = {
  namespace: enums.ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
  system: enums.ResourceExhaustedScope.RESOURCE_EXHAUSTED_SCOPE_SYSTEM,
} as const;

/** A status as it goes on the wire: code, message, and an encoded google.rpc.Status for `grpc-status-details-bin`. */
export interface GrpcError {
  code: number;
  message: string;
  details?: Uint8Array;
}

/**
 * The longest status message sent, in UTF-8 bytes. Messages echo client input (names, filters), and a
 * header block past the peer's limit ends the stream (RST_STREAM / GOAWAY) with no status at all.
 */
export const MAX_STATUS_MESSAGE_BYTES = 4096;
const TRUNCATED = '… (truncated)';

/** The message cut at a character boundary to MAX_STATUS_MESSAGE_BYTES, marked as truncated. */
export function truncateStatusMessage(message: string): string {
  if (message.length <= MAX_STATUS_MESSAGE_BYTES / 3 || Buffer.byteLength(message) <= MAX_STATUS_MESSAGE_BYTES) return message;
  const budget = MAX_STATUS_MESSAGE_BYTES - Buffer.byteLength(TRUNCATED);
  let out = '';
  let size = 0;
  for (const char of message) {
    size += Buffer.byteLength(char);
    if (size > budget) break;
    out += char;
  }
  return out + TRUNCATED;
}

/**
 * The one place where engine errors become gRPC statuses. Temporal failure details travel as a
 * google.rpc.Status in `grpc-status-details-bin`, which the SDK decodes (e.g. NamespaceNotFoundError).
 */
export function toGrpcError(err: unknown): GrpcError {
  if (!(err instanceof ServiceError)) {
    const message = err instanceof Error ? err.message : String(err);
    return { code: GrpcCode.INTERNAL, message: truncateStatusMessage(`internal error: ${message}`) };
  }
  const { code, message, details } = toStatus(err);
  return { code, message, details: details.length > 0 ? google.rpc.Status.encode({ code, message, details }).finish() : undefined };
}

/** Any error as a google.rpc.Status: a ServiceError as itself, anything else INTERNAL (the HTTP API's error body). */
export function toRpcStatus(err: unknown): { code: number; message: string; details: google.protobuf.IAny[] } {
  if (err instanceof ServiceError) return toStatus(err);
  const { code, message } = toGrpcError(err);
  return { code, message, details: [] };
}

/** gRPC code → HTTP status, as grpc-gateway's runtime.HTTPStatusFromCode maps them. */
const HTTP_STATUS: Record<number, number> = {
  [GrpcCode.OK]: 200,
  [GrpcCode.CANCELLED]: 499,
  [GrpcCode.UNKNOWN]: 500,
  [GrpcCode.INVALID_ARGUMENT]: 400,
  [GrpcCode.DEADLINE_EXCEEDED]: 504,
  [GrpcCode.NOT_FOUND]: 404,
  [GrpcCode.ALREADY_EXISTS]: 409,
  [GrpcCode.PERMISSION_DENIED]: 403,
  [GrpcCode.RESOURCE_EXHAUSTED]: 429,
  [GrpcCode.FAILED_PRECONDITION]: 400,
  [GrpcCode.ABORTED]: 409,
  [GrpcCode.OUT_OF_RANGE]: 400,
  [GrpcCode.UNIMPLEMENTED]: 501,
  [GrpcCode.INTERNAL]: 500,
  [GrpcCode.UNAVAILABLE]: 503,
  [GrpcCode.DATA_LOSS]: 500,
  [GrpcCode.UNAUTHENTICATED]: 401,
};

export function httpStatusOf(code: number): number {
  return HTTP_STATUS[code] ?? 500;
}

/** An error as a google.rpc.Status (the shape MultiOperationExecutionFailure nests, one per operation). */
function toStatus(err: ServiceError): { code: number; message: string; details: google.protobuf.IAny[] } {
  const detail = err.detail && encodeDetail(err.detail);
  return { code: GrpcCode[err.code], message: truncateStatusMessage(err.message), details: detail ? [detail] : [] };
}

function encodeDetail(detail: ServiceErrorDetail): google.protobuf.IAny | undefined {
  const any = (typeName: string, value: Uint8Array): google.protobuf.IAny => ({ type_url: `type.googleapis.com/${typeName}`, value });
  switch (detail.type) {
    case 'NamespaceNotFound':
      return any(
        'temporal.api.errordetails.v1.NamespaceNotFoundFailure',
        errordetails.NamespaceNotFoundFailure.encode({ namespace: detail.namespace }).finish(),
      );
    case 'NamespaceAlreadyExists':
      return any('temporal.api.errordetails.v1.NamespaceAlreadyExistsFailure', errordetails.NamespaceAlreadyExistsFailure.encode({}).finish());
    case 'WorkflowExecutionAlreadyStarted':
      return any(
        'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
        errordetails.WorkflowExecutionAlreadyStartedFailure.encode({ startRequestId: detail.startRequestId, runId: detail.runId }).finish(),
      );
    case 'QueryFailed':
      return any('temporal.api.errordetails.v1.QueryFailedFailure', errordetails.QueryFailedFailure.encode({ failure: detail.failure ?? null }).finish());
    case 'WorkflowNotReady':
      return any('temporal.api.errordetails.v1.WorkflowNotReadyFailure', errordetails.WorkflowNotReadyFailure.encode({}).finish());
    case 'ResourceExhausted':
      return any(
        'temporal.api.errordetails.v1.ResourceExhaustedFailure',
        errordetails.ResourceExhaustedFailure.encode({
          cause: RESOURCE_EXHAUSTED_CAUSES[detail.cause],
          scope: RESOURCE_EXHAUSTED_SCOPES[detail.scope],
        }).finish(),
      );
    case 'PermissionDenied':
      return any('temporal.api.errordetails.v1.PermissionDeniedFailure', errordetails.PermissionDeniedFailure.encode({ reason: detail.reason }).finish());
    case 'MultiOperationExecutionAborted':
      return any('temporal.api.failure.v1.MultiOperationExecutionAborted', failure.MultiOperationExecutionAborted.encode({}).finish());
    case 'MultiOperationExecution': {
      // An operation that succeeded is an OK status with no message (Go's status of a nil error).
      const statuses = detail.operations.map((op) => (op ? toStatus(op) : { code: GrpcCode.OK, message: '', details: [] }));
      return any('temporal.api.errordetails.v1.MultiOperationExecutionFailure', errordetails.MultiOperationExecutionFailure.encode({ statuses }).finish());
    }
  }
}
