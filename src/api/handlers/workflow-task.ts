import type { workflowservice } from '../../common/proto';
import { requireField, requireIdentityLength } from '../validation';
import type { HandlerContext } from './context';
import { checkTokenNamespace } from './token-namespace';

export async function pollWorkflowTaskQueue(
  ctx: HandlerContext,
  req: workflowservice.IPollWorkflowTaskQueueRequest,
): Promise<workflowservice.IPollWorkflowTaskQueueResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireIdentityLength(ctx, req.identity);
  requireField(req.taskQueue?.name, 'TaskQueue is not set on request.');
  return ctx.engine.workflowTasks.pollWorkflowTaskQueue(ns, req, ctx.signal);
}

export async function respondWorkflowTaskCompleted(
  ctx: HandlerContext,
  req: workflowservice.IRespondWorkflowTaskCompletedRequest,
): Promise<workflowservice.IRespondWorkflowTaskCompletedResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken);
  requireIdentityLength(ctx, req.identity);
  return ctx.engine.workflowTasks.respondWorkflowTaskCompleted(req);
}

export async function respondWorkflowTaskFailed(
  ctx: HandlerContext,
  req: workflowservice.IRespondWorkflowTaskFailedRequest,
): Promise<workflowservice.IRespondWorkflowTaskFailedResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken);
  requireIdentityLength(ctx, req.identity);
  await ctx.engine.workflowTasks.respondWorkflowTaskFailed(req);
  return {};
}

/** The worker's sticky queue goes away with it; runs cached there move back to the normal queue. */
export async function shutdownWorker(ctx: HandlerContext, req: workflowservice.IShutdownWorkerRequest): Promise<workflowservice.IShutdownWorkerResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  ctx.engine.workflowTasks.shutdownWorker(ns, req.stickyTaskQueue ?? '', req.taskQueue ?? '');
  return {};
}

export async function respondQueryTaskCompleted(
  ctx: HandlerContext,
  req: workflowservice.IRespondQueryTaskCompletedRequest,
): Promise<workflowservice.IRespondQueryTaskCompletedResponse> {
  await checkTokenNamespace(ctx, req.namespace, req.taskToken, 'query');
  ctx.engine.queries.respondQueryTaskCompleted(req);
  return {};
}
