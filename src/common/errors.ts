import type { IFailure } from './proto';

/**
 * Typed errors of the engine and store. Each names the Temporal failure it stands for; the API layer
 * (`src/api/status.ts`) is the only place that turns them into a gRPC status and failure details.
 */

export type ServiceErrorDetail =
  | { type: 'NamespaceNotFound'; namespace: string }
  | { type: 'NamespaceAlreadyExists' }
  | { type: 'WorkflowExecutionAlreadyStarted'; startRequestId: string; runId: string }
  | { type: 'WorkflowNotReady' }
  | { type: 'QueryFailed'; failure?: IFailure | null }
  | { type: 'ResourceExhausted'; cause: ResourceExhaustedCause; scope: 'namespace' | 'system' }
  | { type: 'MultiOperationExecutionAborted' }
  /** serviceerror.PermissionDenied's details: why, when the authorizer gives a reason ('' otherwise). */
  | { type: 'PermissionDenied'; reason: string }
  /** One status per operation, in request order: `undefined` for an operation that succeeded. */
  | { type: 'MultiOperationExecution'; operations: (ServiceError | undefined)[] };

/** Temporal's ResourceExhaustedCause values this server answers with. */
export type ResourceExhaustedCause = 'concurrent-limit' | 'busy-workflow';

export type ServiceErrorCode =
  | 'NOT_FOUND'
  | 'INVALID_ARGUMENT'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'ABORTED'
  | 'PERMISSION_DENIED'
  | 'UNIMPLEMENTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'UNAUTHENTICATED';

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly detail?: ServiceErrorDetail,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export function invalidArgument(message: string): ServiceError {
  return new ServiceError('INVALID_ARGUMENT', message);
}

export function notFound(message: string): ServiceError {
  return new ServiceError('NOT_FOUND', message);
}

export function failedPrecondition(message: string): ServiceError {
  return new ServiceError('FAILED_PRECONDITION', message);
}

/** Temporal's ErrActivityNotFound: the activity controls name no pending activity. */
export function activityNotFound(): ServiceError {
  return notFound("Can't find pending activity with such ID. Invalid activityID or activity already completed");
}

/** A call without a valid API key (`authorization: Bearer <key>`), refused before its handler runs. */
export function unauthenticated(message: string): ServiceError {
  return new ServiceError('UNAUTHENTICATED', message);
}

/** Temporal's authorizer's answer to a call its caller may not make (authorization.RequestUnauthorized): no reason given. */
export function requestUnauthorized(): ServiceError {
  return new ServiceError('PERMISSION_DENIED', 'Request unauthorized.', { type: 'PermissionDenied', reason: '' });
}

export function namespaceNotFound(namespace: string): ServiceError {
  return new ServiceError('NOT_FOUND', `Namespace ${namespace} is not found.`, {
    type: 'NamespaceNotFound',
    namespace,
  });
}

export function namespaceAlreadyExists(namespace: string): ServiceError {
  return new ServiceError('ALREADY_EXISTS', `Namespace ${namespace} already exists.`, {
    type: 'NamespaceAlreadyExists',
  });
}

export function workflowAlreadyStarted(workflowId: string, runId: string, startRequestId: string): ServiceError {
  return new ServiceError('ALREADY_EXISTS', `Workflow execution is already running. WorkflowId: ${workflowId}, RunId: ${runId}.`, {
    type: 'WorkflowExecutionAlreadyStarted',
    startRequestId,
    runId,
  });
}

/** A request for a run that has closed: Temporal answers NOT_FOUND with this message. */
export function workflowAlreadyCompleted(): ServiceError {
  return new ServiceError('NOT_FOUND', 'workflow execution already completed');
}

export function workflowNotFound(workflowId: string, runId?: string): ServiceError {
  return notFound(
    runId
      ? `workflow execution not found for workflow ID "${workflowId}" and run ID "${runId}"`
      : `workflow execution not found for workflow ID "${workflowId}"`,
  );
}

/** A task token that no longer matches the task it named: the task was completed, timed out or retried. */
export function taskNotFound(what: string): ServiceError {
  return notFound(`${what} not found: the task was already completed, timed out or superseded`);
}

/**
 * An operation of an ExecuteMultiOperation request not run because another one failed
 * (serviceerror.MultiOperationAborted): ABORTED, with a MultiOperationExecutionAborted detail.
 */
export function multiOperationAborted(): ServiceError {
  return new ServiceError('ABORTED', 'Operation was aborted.', { type: 'MultiOperationExecutionAborted' });
}

/**
 * A failed ExecuteMultiOperation (serviceerror.MultiOperationExecution): a status per operation in the details, and as
 * the call's own code the first one that is neither OK nor aborted (ABORTED when there is none).
 */
export function multiOperationExecutionFailed(message: string, operations: (ServiceError | undefined)[]): ServiceError {
  const failed = operations.find((e) => e !== undefined && e.detail?.type !== 'MultiOperationExecutionAborted');
  return new ServiceError(failed?.code ?? 'ABORTED', message, { type: 'MultiOperationExecution', operations });
}

/** DescribeSchedule and the other schedule RPCs for an id the namespace does not have (the SDK's ScheduleNotFoundError). */
export function scheduleNotFound(): ServiceError {
  return notFound('schedule not found');
}

/** CreateSchedule for a taken id (the SDK's ScheduleAlreadyRunning). */
export function scheduleAlreadyExists(scheduleId: string): ServiceError {
  return new ServiceError('ALREADY_EXISTS', `schedule "${scheduleId}" is already registered`);
}

/** UpdateSchedule whose conflict token is not the schedule's current one. */
export function scheduleConflictTokenMismatch(): ServiceError {
  return new ServiceError('FAILED_PRECONDITION', 'mismatched conflict token');
}

/**
 * A store operation that failed for a reason outside the request (disk full, I/O error): Temporal's SQL persistence
 * answers UNAVAILABLE with this message (`atCommit`: the statements went through, the COMMIT failed), and clients
 * retry it.
 */
export function persistenceUnavailable(operation: string, cause: string, atCommit = false): ServiceError {
  return new ServiceError('UNAVAILABLE', `${operation} operation failed. ${atCommit ? 'Failed to commit transaction. ' : ''}Error: ${cause}`);
}
