import { enums, type workflowservice } from '../../common/proto';
import { requireBlobWithinLimit, requireField, requireId, requireNonNegativeDuration } from '../validation';
import type { HandlerContext } from './context';

export async function startWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IStartWorkflowExecutionRequest,
): Promise<workflowservice.IStartWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.workflowId, 'WorkflowId');
  requireField(req.workflowType?.name, 'WorkflowType is not set on request.');
  requireField(req.taskQueue?.name, 'TaskQueue is not set on request.');
  requireNonNegativeDuration(req.workflowExecutionTimeout, 'WorkflowExecutionTimeout');
  requireNonNegativeDuration(req.workflowRunTimeout, 'WorkflowRunTimeout');
  requireNonNegativeDuration(req.workflowTaskTimeout, 'WorkflowTaskTimeout');
  requireBlobWithinLimit(req.input, 'Input');
  if ((req.requestId?.length ?? 0) > 1000) requireId(req.requestId, 'RequestId');
  const { runId, started } = await ctx.engine.startWorkflowExecution(ns, req);
  return { runId, started, status: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING };
}

export async function describeWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IDescribeWorkflowExecutionRequest,
): Promise<workflowservice.IDescribeWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.execution?.workflowId, 'WorkflowId');
  return ctx.engine.describeWorkflowExecution(ns, req.execution ?? {});
}

export async function getWorkflowExecutionHistory(
  ctx: HandlerContext,
  req: workflowservice.IGetWorkflowExecutionHistoryRequest,
): Promise<workflowservice.IGetWorkflowExecutionHistoryResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.execution?.workflowId, 'WorkflowId');
  return ctx.engine.getWorkflowExecutionHistory(ns, req, ctx.signal);
}

export async function getWorkflowExecutionHistoryReverse(
  ctx: HandlerContext,
  req: workflowservice.IGetWorkflowExecutionHistoryReverseRequest,
): Promise<workflowservice.IGetWorkflowExecutionHistoryReverseResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.execution?.workflowId, 'WorkflowId');
  return ctx.engine.getWorkflowExecutionHistoryReverse(ns, req);
}

export async function terminateWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.ITerminateWorkflowExecutionRequest,
): Promise<workflowservice.ITerminateWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.workflowExecution?.workflowId, 'WorkflowId');
  await ctx.engine.terminateWorkflowExecution(ns, req);
  return {};
}
