import type { workflowservice } from '../../common/proto';
import { requireBlobWithinLimit, requireField, requireId } from '../validation';
import type { HandlerContext } from './context';
import { checkTokenNamespace } from './token-namespace';

export async function pollActivityTaskQueue(
  ctx: HandlerContext,
  req: workflowservice.IPollActivityTaskQueueRequest,
): Promise<workflowservice.IPollActivityTaskQueueResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireField(req.taskQueue?.name, 'TaskQueue is not set on request.');
  return ctx.engine.activityTasks.pollActivityTaskQueue(ns, req, ctx.signal);
}

export async function respondActivityTaskCompleted(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskCompletedRequest,
): Promise<workflowservice.IRespondActivityTaskCompletedResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken);
  requireBlobWithinLimit(req.result, 'Result');
  await ctx.engine.activityTasks.respondActivityTaskCompleted(req.taskToken, req.result, req.identity ?? '');
  return {};
}

export async function respondActivityTaskFailed(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskFailedRequest,
): Promise<workflowservice.IRespondActivityTaskFailedResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken);
  await ctx.engine.activityTasks.respondActivityTaskFailed(req.taskToken, req.failure, req.lastHeartbeatDetails, req.identity ?? '');
  return { failures: [] };
}

export async function respondActivityTaskCanceled(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskCanceledRequest,
): Promise<workflowservice.IRespondActivityTaskCanceledResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken);
  await ctx.engine.activityTasks.respondActivityTaskCanceled(req.taskToken, req.details, req.identity ?? '');
  return {};
}

export async function recordActivityTaskHeartbeat(
  ctx: HandlerContext,
  req: workflowservice.IRecordActivityTaskHeartbeatRequest,
): Promise<workflowservice.IRecordActivityTaskHeartbeatResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken);
  requireBlobWithinLimit(req.details, 'Details');
  return ctx.engine.activityTasks.recordActivityTaskHeartbeat(req.taskToken, req.details);
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
  requireId(req.workflowId, 'WorkflowId');
  requireId(req.activityId, 'ActivityId');
  return ctx.engine.activityTasks.activityTokenById(ns, req.workflowId ?? '', req.runId ?? '', req.activityId ?? '', req.identity ?? '');
}

export async function respondActivityTaskCompletedById(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskCompletedByIdRequest,
): Promise<workflowservice.IRespondActivityTaskCompletedByIdResponse> {
  requireBlobWithinLimit(req.result, 'Result');
  await ctx.engine.activityTasks.respondActivityTaskCompleted(await tokenById(ctx, req), req.result, req.identity ?? '');
  return {};
}

export async function respondActivityTaskFailedById(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskFailedByIdRequest,
): Promise<workflowservice.IRespondActivityTaskFailedByIdResponse> {
  await ctx.engine.activityTasks.respondActivityTaskFailed(await tokenById(ctx, req), req.failure, req.lastHeartbeatDetails, req.identity ?? '');
  return { failures: [] };
}

export async function respondActivityTaskCanceledById(
  ctx: HandlerContext,
  req: workflowservice.IRespondActivityTaskCanceledByIdRequest,
): Promise<workflowservice.IRespondActivityTaskCanceledByIdResponse> {
  await ctx.engine.activityTasks.respondActivityTaskCanceled(await tokenById(ctx, req), req.details, req.identity ?? '');
  return {};
}

export async function recordActivityTaskHeartbeatById(
  ctx: HandlerContext,
  req: workflowservice.IRecordActivityTaskHeartbeatByIdRequest,
): Promise<workflowservice.IRecordActivityTaskHeartbeatByIdResponse> {
  requireBlobWithinLimit(req.details, 'Details');
  return ctx.engine.activityTasks.recordActivityTaskHeartbeat(await tokenById(ctx, req), req.details);
}
