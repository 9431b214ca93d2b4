import { Metadata, status as GrpcStatus, type ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import { ServiceError, type ServiceErrorDetail } from '../common/errors';
import { errordetails, google } from '../common/proto';

/**
 * The one place where engine errors become gRPC statuses. Temporal failure details travel as a
 * google.rpc.Status in `grpc-status-details-bin`, which the SDK decodes (e.g. NamespaceNotFoundError).
 */
export function toGrpcError(err: unknown): Partial<GrpcServiceError> & { code: GrpcStatus } {
  if (!(err instanceof ServiceError)) {
    const message = err instanceof Error ? err.message : String(err);
    return { code: GrpcStatus.INTERNAL, details: `internal error: ${message}`, metadata: new Metadata() };
  }
  const code = GrpcStatus[err.code];
  const metadata = new Metadata();
  const detail = err.detail && encodeDetail(err.detail);
  if (detail) {
    const statusProto = google.rpc.Status.encode({ code, message: err.message, details: [detail] }).finish();
    metadata.set('grpc-status-details-bin', Buffer.from(statusProto));
  }
  return { code, details: err.message, metadata };
}

function encodeDetail(detail: ServiceErrorDetail): google.protobuf.IAny | undefined {
  const any = (typeName: string, value: Uint8Array): google.protobuf.IAny => ({ type_url: `type.googleapis.com/${typeName}`, value });
  switch (detail.type) {
    case 'NamespaceNotFound':
      return any('temporal.api.errordetails.v1.NamespaceNotFoundFailure', errordetails.NamespaceNotFoundFailure.encode({ namespace: detail.namespace }).finish());
    case 'NamespaceAlreadyExists':
      return any('temporal.api.errordetails.v1.NamespaceAlreadyExistsFailure', errordetails.NamespaceAlreadyExistsFailure.encode({}).finish());
    case 'WorkflowExecutionAlreadyStarted':
      return any(
        'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
        errordetails.WorkflowExecutionAlreadyStartedFailure.encode({ startRequestId: detail.startRequestId, runId: detail.runId }).finish(),
      );
    case 'QueryFailed':
      return any(
        'temporal.api.errordetails.v1.QueryFailedFailure',
        errordetails.QueryFailedFailure.encode({ failure: detail.failure ?? null }).finish(),
      );
    case 'WorkflowNotReady':
      return any('temporal.api.errordetails.v1.WorkflowNotReadyFailure', errordetails.WorkflowNotReadyFailure.encode({}).finish());
  }
}
