import { ServiceError, notFound } from '../../../common/errors';
import type { IFailure } from '../../../common/proto';

/**
 * What an update that cannot finish ends with, field by field as Temporal's history service gives it
 * (service/history/workflow/update/errors_failures.go, abort_reason.go, and consts/const.go).
 */

/** An accepted update whose run closed (completed, failed, cancelled, terminated, timed out or continued as new) first: its outcome. */
export function acceptedUpdateCompletedWorkflowFailure(): IFailure {
  return {
    message: 'Workflow Update failed because the Workflow completed before the Update completed.',
    source: 'Server',
    applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
  };
}

/** An update the worker was sent but neither accepted nor rejected (unprocessedUpdateFailure): its outcome. */
export function unprocessedUpdateFailure(): IFailure {
  return {
    message: "Workflow Update is rejected because it wasn't processed by worker. Probably, Workflow Update is not supported by the worker.",
    source: 'Server',
    applicationFailureInfo: { type: 'UnprocessedUpdate', nonRetryable: true },
  };
}

/**
 * An update not yet accepted when its run closed without a successor (AbortedByWorkflowClosingErr): its
 * caller's error. The SDK client maps NOT_FOUND to WorkflowNotFoundError.
 */
export function abortedByWorkflowClosing(): ServiceError {
  return notFound(ABORTED_BY_WORKFLOW_CLOSING);
}

const ABORTED_BY_WORKFLOW_CLOSING = 'workflow update was aborted by closing workflow';

export function isAbortedByWorkflowClosing(err: unknown): err is ServiceError {
  return err instanceof ServiceError && err.code === 'NOT_FOUND' && err.message === ABORTED_BY_WORKFLOW_CLOSING;
}

/**
 * An update not yet accepted when its run closed into a successor (continue-as-new, retry, cron):
 * ErrWorkflowClosing, RESOURCE_EXHAUSTED with cause BUSY_WORKFLOW. The SDK client
 * retries it, and as its handles name no run ID the retry lands on the new run.
 */
export function workflowClosing(): ServiceError {
  return new ServiceError('RESOURCE_EXHAUSTED', 'workflow operation can not be applied because workflow is closing', {
    type: 'ResourceExhausted',
    cause: 'busy-workflow',
    scope: 'namespace',
  });
}

/** PollWorkflowExecutionUpdate of an update the run does not know (`update %q not found`). */
export function updateNotFound(updateId: string): ServiceError {
  return notFound(`update ${JSON.stringify(updateId)} not found`);
}
