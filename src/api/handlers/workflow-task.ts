import type { workflowservice } from '../../common/proto';
import { requireField, requireTaskToken } from '../validation';
import type { HandlerContext } from './context';

export async function pollWorkflowTaskQueue(
  ctx: HandlerContext,
  req: workflowservice.IPollWorkflowTaskQueueRequest,
): Promise<workflowservice.IPollWorkflowTaskQueueResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireField(req.taskQueue?.name, 'TaskQueue is not set on request.');
  return ctx.engine.pollWorkflowTaskQueue(ns, req, ctx.signal);
}

export async function respondWorkflowTaskCompleted(
  ctx: HandlerContext,
  req: workflowservice.IRespondWorkflowTaskCompletedRequest,
): Promise<workflowservice.IRespondWorkflowTaskCompletedResponse> {
  requireTaskToken(req.taskToken);
  return ctx.engine.respondWorkflowTaskCompleted(req);
}

export async function respondWorkflowTaskFailed(
  ctx: HandlerContext,
  req: workflowservice.IRespondWorkflowTaskFailedRequest,
): Promise<workflowservice.IRespondWorkflowTaskFailedResponse> {
  requireTaskToken(req.taskToken);
  await ctx.engine.respondWorkflowTaskFailed(req);
  return {};
}

/** Accepted so workers shut down cleanly; without sticky queues there is nothing to hand back. */
export function shutdownWorker(): Promise<workflowservice.IShutdownWorkerResponse> {
  return Promise.resolve({});
}
