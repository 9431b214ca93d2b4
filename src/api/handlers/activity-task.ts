import type { IFailure, IPayloads, workflowservice } from '../../common/proto';
import { blobWithinLimit, failureSize, payloadsSize, requireField, requireId, requireIdentityLength } from '../validation';
import type { HandlerContext } from './context';
import { checkTokenNamespace } from './token-namespace';

/**
 * Activity payloads over `limit.blobSize.error` do not fail the call: as Temporal's frontend does, the
 * activity fails instead, non-retryably, with a server failure saying which payload was too large.
 */
const COMPLETE_RESULT_EXCEEDS_LIMIT = 'Complete result exceeds size limit.';
const CANCEL_DETAILS_EXCEED_LIMIT = 'Cancel details exceed size limit.';
const HEARTBEAT_DETAILS_EXCEED_LIMIT = 'Heartbeat details exceed size limit.';
const FAILURE_EXCEEDS_LIMIT = 'Failure exceeds size limit.';

function serverFailure(message: string, cause?: IFailure): IFailure {
  return { message, serverFailureInfo: { nonRetryable: true }, cause };
}

const payloadsOk = (ctx: HandlerContext, payloads: IPayloads | null | undefined, operation: string): boolean =>
  blobWithinLimit(ctx, payloadsSize(payloads), operation);

/** RespondActivityTaskFailed's payloads within the limits: heartbeat details over it dropped, a failure over it replaced (Temporal's frontend). */
function failedWithinLimits(
  ctx: HandlerContext,
  req: { failure?: IFailure | null; lastHeartbeatDetails?: IPayloads | null },
  operation: string,
): { failure: IFailure | null | undefined; lastHeartbeatDetails: IPayloads | null | undefined; failures: IFailure[] } {
  const failures: IFailure[] = [];
  let { failure, lastHeartbeatDetails } = req;
  if (lastHeartbeatDetails && !payloadsOk(ctx, lastHeartbeatDetails, operation)) {
    failures.push(serverFailure(HEARTBEAT_DETAILS_EXCEED_LIMIT));
    lastHeartbeatDetails = undefined;
  }
  if (!blobWithinLimit(ctx, failureSize(failure), operation)) {
    // Temporal keeps a truncated copy of the worker's failure as the cause: its message, up to the warning limit.
    failure = serverFailure(FAILURE_EXCEEDS_LIMIT, { message: (failure?.message ?? '').slice(0, ctx.blobSizeLimits.warnBytes), source: failure?.source ?? '' });
    failures.push(failure);
  }
  return { failure, lastHeartbeatDetails, failures };
}

export async function pollActivityTaskQueue(
  ctx: HandlerContext,
  req: workflowservice.IPollActivityTaskQueueRequest,
): Promise<workflowservice.IPollActivityTaskQueueResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireIdentityLength(ctx, req.identity);
  requireField(req.taskQueue?.name, 'TaskQueue is not set on request.');
  return ctx.engine.activityTasks.pollActivityTaskQueue(ns, req, ctx.signal);
}

export async function respondActivityTaskCompleted(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskCompletedRequest,
): Promise<workflowservice.IRespondActivityTaskCompletedResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken);
  requireIdentityLength(ctx, req.identity);
  await completeOrFail(ctx, req.taskToken, req.result, req.identity ?? '', 'RespondActivityTaskCompleted');
  return {};
}

export async function respondActivityTaskFailed(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskFailedRequest,
): Promise<workflowservice.IRespondActivityTaskFailedResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken);
  requireIdentityLength(ctx, req.identity);
  const { failure, lastHeartbeatDetails, failures } = failedWithinLimits(ctx, req, 'RespondActivityTaskFailed');
  await ctx.engine.activityTasks.respondActivityTaskFailed(req.taskToken, failure, lastHeartbeatDetails, req.identity ?? '');
  return { failures };
}

export async function respondActivityTaskCanceled(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskCanceledRequest,
): Promise<workflowservice.IRespondActivityTaskCanceledResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken);
  requireIdentityLength(ctx, req.identity);
  await cancelOrFail(ctx, req.taskToken, req.details, req.identity ?? '', 'RespondActivityTaskCanceled');
  return {};
}

export async function recordActivityTaskHeartbeat(
  ctx: HandlerContext,
  req: workflowservice.IRecordActivityTaskHeartbeatRequest,
): Promise<workflowservice.IRecordActivityTaskHeartbeatResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken);
  return heartbeatOrFail(ctx, req.taskToken, req.details, req.identity ?? '', 'RecordActivityTaskHeartbeat');
}

interface ByIdRequest {
  namespace?: string | null;
  workflowId?: string | null;
  runId?: string | null;
  activityId?: string | null;
  identity?: string | null;
}

async function tokenById(ctx: HandlerContext, req: ByIdRequest): Promise<Uint8Array> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.workflowId, 'WorkflowId');
  requireId(ctx, req.activityId, 'ActivityId');
  return ctx.engine.activityTasks.activityTokenById(ns, req.workflowId ?? '', req.runId ?? '', req.activityId ?? '', req.identity ?? '');
}

export async function respondActivityTaskCompletedById(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskCompletedByIdRequest,
): Promise<workflowservice.IRespondActivityTaskCompletedByIdResponse> {
  requireIdentityLength(ctx, req.identity);
  await completeOrFail(ctx, await tokenById(ctx, req), req.result, req.identity ?? '', 'RespondActivityTaskCompletedById');
  return {};
}

export async function respondActivityTaskFailedById(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskFailedByIdRequest,
): Promise<workflowservice.IRespondActivityTaskFailedByIdResponse> {
  requireIdentityLength(ctx, req.identity);
  const token = await tokenById(ctx, req);
  const { failure, lastHeartbeatDetails, failures } = failedWithinLimits(ctx, req, 'RespondActivityTaskFailedById');
  await ctx.engine.activityTasks.respondActivityTaskFailed(token, failure, lastHeartbeatDetails, req.identity ?? '');
  return { failures };
}

export async function respondActivityTaskCanceledById(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskCanceledByIdRequest,
): Promise<workflowservice.IRespondActivityTaskCanceledByIdResponse> {
  requireIdentityLength(ctx, req.identity);
  await cancelOrFail(ctx, await tokenById(ctx, req), req.details, req.identity ?? '', 'RespondActivityTaskCanceledById');
  return {};
}

export async function recordActivityTaskHeartbeatById(
  ctx: HandlerContext,
  req: workflowservice.IRecordActivityTaskHeartbeatByIdRequest,
): Promise<workflowservice.IRecordActivityTaskHeartbeatByIdResponse> {
  return heartbeatOrFail(ctx, await tokenById(ctx, req), req.details, req.identity ?? '', 'RecordActivityTaskHeartbeatById');
}

type Token = Uint8Array | null | undefined;

function completeOrFail(ctx: HandlerContext, token: Token, result: IPayloads | null | undefined, identity: string, operation: string): Promise<void> {
  const tasks = ctx.engine.activityTasks;
  return payloadsOk(ctx, result, operation)
    ? tasks.respondActivityTaskCompleted(token, result, identity)
    : tasks.respondActivityTaskFailed(token, serverFailure(COMPLETE_RESULT_EXCEEDS_LIMIT), undefined, identity);
}

function cancelOrFail(ctx: HandlerContext, token: Token, details: IPayloads | null | undefined, identity: string, operation: string): Promise<void> {
  const tasks = ctx.engine.activityTasks;
  return payloadsOk(ctx, details, operation)
    ? tasks.respondActivityTaskCanceled(token, details, identity)
    : tasks.respondActivityTaskFailed(token, serverFailure(CANCEL_DETAILS_EXCEED_LIMIT), undefined, identity);
}

/** Heartbeat details over the limit fail the activity, and the worker is told to cancel it (Temporal's frontend answers so). */
async function heartbeatOrFail(
  ctx: HandlerContext,
  token: Token,
  details: IPayloads | null | undefined,
  identity: string,
  operation: string,
): Promise<workflowservice.IRecordActivityTaskHeartbeatResponse> {
  const tasks = ctx.engine.activityTasks;
  if (!payloadsOk(ctx, details, operation)) {
    await tasks.respondActivityTaskFailed(token, serverFailure(HEARTBEAT_DETAILS_EXCEED_LIMIT), undefined, identity);
    return { cancelRequested: true, activityPaused: false, activityReset: false };
  }
  return tasks.recordActivityTaskHeartbeat(token, details);
}
