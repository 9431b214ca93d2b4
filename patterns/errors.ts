/**
 * Typed error handling: a shared vocabulary of ApplicationFailure types, factories that set the
 * right retry behaviour, a retry policy that refuses to retry the permanent ones, and a router that
 * sends a failure to the right handler (notify the customer, escalate to a human, or just log)
 * before rethrowing it.
 *
 * Why: Temporal retries every activity failure by default. A wrong card number or an expired
 * credential will fail the same way every time, so retrying only delays the answer and hammers
 * the downstream service; a flaky gateway, on the other hand, should be retried. Naming the type
 * on both sides — where the error is raised (activity) and where it is handled (workflow) — keeps
 * that decision in one place.
 *
 * Workflow-safe and activity-safe: depends on `@temporalio/common` only.
 */
import { ActivityFailure, ApplicationFailure, CancelledFailure, ChildWorkflowFailure, TemporalFailure, type RetryPolicy } from '@temporalio/common';

/** The failure types of the guide's error taxonomy (ApplicationFailure `type`). */
export const ErrorTypes = {
  /** Input is malformed or violates a rule; retrying cannot help. */
  Validation: 'ValidationError',
  /** A business rule rejected the operation (insufficient funds, item discontinued). */
  BusinessLogic: 'BusinessLogicError',
  /** Credentials are missing, invalid or expired; needs a human or a new secret. */
  Authentication: 'AuthenticationError',
  /** Authenticated but not allowed. */
  Authorization: 'AuthorizationError',
  /** The thing to act on does not exist. */
  NotFound: 'NotFoundError',
  /** A downstream dependency failed or timed out; usually transient, so retried. */
  ExternalService: 'ExternalServiceError',
  /** A downstream dependency throttled us; retried, honouring its back-off when given. */
  RateLimit: 'RateLimitError',
} as const;

export type ErrorType = (typeof ErrorTypes)[keyof typeof ErrorTypes];

/** Types that are never retried: the same input will fail the same way. */
export const NON_RETRYABLE_ERROR_TYPES: readonly ErrorType[] = [
  ErrorTypes.Validation,
  ErrorTypes.BusinessLogic,
  ErrorTypes.Authentication,
  ErrorTypes.Authorization,
  ErrorTypes.NotFound,
];

/** Whether failures of `type` are permanent (see {@link NON_RETRYABLE_ERROR_TYPES}). */
export function isNonRetryableType(type: string | undefined | null): boolean {
  return type !== undefined && type !== null && (NON_RETRYABLE_ERROR_TYPES as readonly string[]).includes(type);
}

/** Optional structured context carried in the failure's `details` (must be serialisable). */
export type ErrorDetails = Record<string, unknown>;

function typedFailure(type: ErrorType, message: string, details?: ErrorDetails, extra: { nextRetryDelayMs?: number } = {}): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: isNonRetryableType(type),
    details: details === undefined ? undefined : [details],
    ...(extra.nextRetryDelayMs === undefined ? {} : { nextRetryDelay: extra.nextRetryDelayMs }),
  });
}

/** Malformed input (non-retryable). Throw from an activity or a workflow. */
export function validationError(message: string, details?: ErrorDetails): ApplicationFailure {
  return typedFailure(ErrorTypes.Validation, message, details);
}

/** A business rule said no (non-retryable). */
export function businessLogicError(message: string, details?: ErrorDetails): ApplicationFailure {
  return typedFailure(ErrorTypes.BusinessLogic, message, details);
}

/** Bad or expired credentials (non-retryable). */
export function authenticationError(message: string, details?: ErrorDetails): ApplicationFailure {
  return typedFailure(ErrorTypes.Authentication, message, details);
}

/** Not allowed (non-retryable). */
export function authorizationError(message: string, details?: ErrorDetails): ApplicationFailure {
  return typedFailure(ErrorTypes.Authorization, message, details);
}

/** Missing resource (non-retryable). */
export function notFoundError(message: string, details?: ErrorDetails): ApplicationFailure {
  return typedFailure(ErrorTypes.NotFound, message, details);
}

/** A dependency failed (retryable). */
export function externalServiceError(message: string, details?: ErrorDetails): ApplicationFailure {
  return typedFailure(ErrorTypes.ExternalService, message, details);
}

/** Throttled (retryable); `retryAfterMs` (e.g. from a Retry-After header) overrides the policy's next back-off. */
export function rateLimitError(message: string, retryAfterMs?: number, details?: ErrorDetails): ApplicationFailure {
  return typedFailure(ErrorTypes.RateLimit, message, details, { nextRetryDelayMs: retryAfterMs });
}

/**
 * A retry policy whose `nonRetryableErrorTypes` lists {@link NON_RETRYABLE_ERROR_TYPES} (plus any
 * given), so permanent failures are not retried even when whoever threw them forgot `nonRetryable`.
 * Defaults: 3 attempts from 1 s, doubling, at most 30 s apart.
 */
export function typedRetryPolicy(overrides: RetryPolicy = {}): RetryPolicy {
  return {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: 3,
    ...overrides,
    nonRetryableErrorTypes: [...new Set([...NON_RETRYABLE_ERROR_TYPES, ...(overrides.nonRetryableErrorTypes ?? [])])],
  };
}

/** Where a failure came from and what it was, as plain data a handler activity can take. */
export interface FailureInfo {
  /** The ApplicationFailure type of the root cause, or `'Unknown'`. */
  type: string;
  message: string;
  /** What failed: an activity, a child workflow, or the workflow itself. */
  source: 'activity' | 'child-workflow' | 'workflow';
  /** Activity type or child workflow type, when known. */
  name?: string;
  /** The first `details` entry of the root ApplicationFailure, if any. */
  details?: unknown;
}

/**
 * Describes a caught failure: unwraps `ActivityFailure`/`ChildWorkflowFailure` (nested ones too,
 * e.g. a child whose activity failed) down to the ApplicationFailure that carries the type.
 */
export function describeFailure(err: unknown): FailureInfo {
  let source: FailureInfo['source'] = 'workflow';
  let name: string | undefined;
  if (err instanceof ActivityFailure) {
    source = 'activity';
    name = err.activityType;
  } else if (err instanceof ChildWorkflowFailure) {
    source = 'child-workflow';
    name = err.workflowType;
  }
  let current: unknown = err;
  for (let depth = 0; depth < 20 && (current instanceof ActivityFailure || current instanceof ChildWorkflowFailure) && current.cause; depth++) {
    current = current.cause;
  }
  const info: FailureInfo = { type: 'Unknown', message: err instanceof Error ? err.message : String(err), source };
  if (name !== undefined) info.name = name;
  if (current instanceof ApplicationFailure) {
    info.type = current.type ?? 'Unknown';
    info.message = current.message;
    if (current.details?.[0] !== undefined) info.details = current.details[0];
  } else if (current instanceof Error) {
    info.type = current instanceof TemporalFailure ? current.name : 'Unknown';
    info.message = current.message;
  }
  return info;
}

function isCancelled(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 20 && current instanceof Error; depth++) {
    if (current instanceof CancelledFailure) return true;
    current = current.cause;
  }
  return false;
}

/** The handler a failure is routed to. */
export type ErrorRoute = 'notification' | 'escalation' | 'logging';

/** The guide's routing: tell the customer about their mistakes, page a human for credentials, log the rest. */
export const DEFAULT_ERROR_ROUTES: Readonly<Record<string, ErrorRoute>> = {
  [ErrorTypes.Validation]: 'notification',
  [ErrorTypes.BusinessLogic]: 'notification',
  [ErrorTypes.NotFound]: 'notification',
  [ErrorTypes.Authentication]: 'escalation',
  [ErrorTypes.Authorization]: 'escalation',
};

/** Handlers for each route — typically activities (send an email, open an incident, write a log). */
export type ErrorHandlers = Record<ErrorRoute, (failure: FailureInfo) => Promise<unknown>>;

/** The route for a failure type: `routes[type]`, else `logging`. */
export function routeFor(type: string, routes: Readonly<Record<string, ErrorRoute>> = DEFAULT_ERROR_ROUTES): ErrorRoute {
  return Object.prototype.hasOwnProperty.call(routes, type) ? (routes[type] ?? 'logging') : 'logging';
}

/**
 * Sends a caught failure to its handler, then rethrows it as the original typed failure: an
 * ApplicationFailure with the root cause's type, message and details, whose `cause` is the caught
 * `ActivityFailure`/`ChildWorkflowFailure`. The workflow therefore fails with `ValidationError`
 * (not a generic "activity task failed"), and callers can branch on `WorkflowFailedError.cause.type`.
 *
 * Cancellation is not an error to route: it is rethrown untouched.
 */
export async function routeAndRethrow(err: unknown, handlers: ErrorHandlers, routes?: Readonly<Record<string, ErrorRoute>>): Promise<never> {
  if (!(err instanceof ActivityFailure || err instanceof ChildWorkflowFailure || err instanceof ApplicationFailure)) throw err;
  if (isCancelled(err)) throw err;
  const info = describeFailure(err);
  await handlers[routeFor(info.type, routes)](info);
  if (err instanceof ApplicationFailure) throw err;
  throw ApplicationFailure.create({
    type: info.type,
    message: info.message,
    nonRetryable: true,
    details: info.details === undefined ? undefined : [info.details],
    cause: err,
  });
}
