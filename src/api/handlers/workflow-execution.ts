import { enums, type workflowservice } from '../../common/proto';
import { invalidArgument } from '../../common/errors';
import { MAX_ID_LENGTH, requireBlobWithinLimit, requireExecution, requireField, requireId, requireNonNegativeDuration } from '../validation';
import type { HandlerContext } from './context';

export async function startWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IStartWorkflowExecutionRequest,
): Promise<workflowservice.IStartWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  validateStart(req);
  if (req.searchAttributes) req.searchAttributes.indexedFields = await ctx.searchAttributes.validate(ns.id, req.searchAttributes.indexedFields);
  const { runId, started, eagerWorkflowTask } = await ctx.engine.starts.startWorkflowExecution(ns, req);
  return { runId, started, status: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, eagerWorkflowTask };
}

/** The checks StartWorkflowExecution and SignalWithStartWorkflowExecution share. */
function validateStart(req: workflowservice.IStartWorkflowExecutionRequest | workflowservice.ISignalWithStartWorkflowExecutionRequest): void {
  requireId(req.workflowId, 'WorkflowId');
  requireField(req.workflowType?.name, 'WorkflowType is not set on request.');
  requireField(req.taskQueue?.name, 'TaskQueue is not set on request.');
  requireNonNegativeDuration(req.workflowExecutionTimeout, 'WorkflowExecutionTimeout');
  requireNonNegativeDuration(req.workflowRunTimeout, 'WorkflowRunTimeout');
  requireNonNegativeDuration(req.workflowTaskTimeout, 'WorkflowTaskTimeout');
  requireBlobWithinLimit(req.input, 'Input');
  if ((req.requestId?.length ?? 0) > MAX_ID_LENGTH) throw invalidArgument('RequestId exceeds length limit.');
}

export async function signalWithStartWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.ISignalWithStartWorkflowExecutionRequest,
): Promise<workflowservice.ISignalWithStartWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  validateStart(req);
  requireField(req.signalName, 'SignalName is not set on request.');
  requireBlobWithinLimit(req.signalInput, 'Signal input');
  if (req.searchAttributes) req.searchAttributes.indexedFields = await ctx.searchAttributes.validate(ns.id, req.searchAttributes.indexedFields);
  return ctx.engine.starts.signalWithStartWorkflowExecution(ns, req);
}

export async function signalWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.ISignalWorkflowExecutionRequest,
): Promise<workflowservice.ISignalWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.workflowExecution?.workflowId, 'WorkflowId');
  requireField(req.signalName, 'SignalName is not set on request.');
  requireBlobWithinLimit(req.input, 'Signal input');
  await ctx.engine.control.signalWorkflowExecution(ns, req);
  return {};
}

export async function requestCancelWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IRequestCancelWorkflowExecutionRequest,
): Promise<workflowservice.IRequestCancelWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.workflowExecution?.workflowId, 'WorkflowId');
  await ctx.engine.control.requestCancelWorkflowExecution(ns, req);
  return {};
}

export async function queryWorkflow(ctx: HandlerContext, req: workflowservice.IQueryWorkflowRequest): Promise<workflowservice.IQueryWorkflowResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.execution?.workflowId, 'WorkflowId');
  requireField(req.query?.queryType, 'QueryType is not set on request.');
  return ctx.engine.queries.queryWorkflow(ns, req, ctx.signal);
}

export async function updateWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IUpdateWorkflowExecutionRequest,
): Promise<workflowservice.IUpdateWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.workflowExecution?.workflowId, 'WorkflowId');
  requireId(req.request?.meta?.updateId, 'UpdateId');
  requireField(req.request?.input?.name, 'Update name is not set on request.');
  requireBlobWithinLimit(req.request?.input?.args, 'Update input');
  return ctx.engine.updates.updateWorkflowExecution(ns, req, ctx.signal);
}

export async function pollWorkflowExecutionUpdate(
  ctx: HandlerContext,
  req: workflowservice.IPollWorkflowExecutionUpdateRequest,
): Promise<workflowservice.IPollWorkflowExecutionUpdateResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.updateRef?.workflowExecution?.workflowId, 'WorkflowId');
  requireId(req.updateRef?.updateId, 'UpdateId');
  return ctx.engine.updates.pollWorkflowExecutionUpdate(ns, req, ctx.signal);
}

export async function resetStickyTaskQueue(
  ctx: HandlerContext,
  req: workflowservice.IResetStickyTaskQueueRequest,
): Promise<workflowservice.IResetStickyTaskQueueResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.execution?.workflowId, 'WorkflowId');
  await ctx.engine.workflowTasks.resetStickyTaskQueue(ns, req.execution ?? {});
  return {};
}

export async function describeWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IDescribeWorkflowExecutionRequest,
): Promise<workflowservice.IDescribeWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.execution?.workflowId, 'WorkflowId');
  return ctx.engine.history.describeWorkflowExecution(ns, req.execution ?? {});
}

export async function getWorkflowExecutionHistory(
  ctx: HandlerContext,
  req: workflowservice.IGetWorkflowExecutionHistoryRequest,
): Promise<workflowservice.IGetWorkflowExecutionHistoryResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.execution?.workflowId, 'WorkflowId');
  return ctx.engine.history.getWorkflowExecutionHistory(ns, req, ctx.signal);
}

export async function getWorkflowExecutionHistoryReverse(
  ctx: HandlerContext,
  req: workflowservice.IGetWorkflowExecutionHistoryReverseRequest,
): Promise<workflowservice.IGetWorkflowExecutionHistoryReverseResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.execution?.workflowId, 'WorkflowId');
  return ctx.engine.history.getWorkflowExecutionHistoryReverse(ns, req);
}

export async function terminateWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.ITerminateWorkflowExecutionRequest,
): Promise<workflowservice.ITerminateWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.workflowExecution?.workflowId, 'WorkflowId');
  await ctx.engine.control.terminateWorkflowExecution(ns, req);
  return {};
}

export async function deleteWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IDeleteWorkflowExecutionRequest,
): Promise<workflowservice.IDeleteWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(req.workflowExecution?.workflowId, 'WorkflowId');
  await ctx.engine.deletion.deleteWorkflowExecution(ns, req.workflowExecution ?? {});
  return {};
}

export async function resetWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IResetWorkflowExecutionRequest,
): Promise<workflowservice.IResetWorkflowExecutionResponse> {
  // Temporal's frontend checks the request before it resolves the namespace.
  requireField(req.requestId, 'RequestId is not set on request.');
  if ((req.requestId?.length ?? 0) > MAX_ID_LENGTH) throw invalidArgument('RequestId length exceeds limit.');
  requireExecution(req.workflowExecution);
  // Temporal applies versioning overrides after a reset; without worker versioning we refuse any, rather than ignore them.
  const operation = req.postResetOperations?.[0];
  if (operation) throw invalidArgument(`unsupported post reset operation: ${operation.signalWorkflow ? 'SignalWorkflow' : 'UpdateWorkflowOptions'}`);
  const ns = await ctx.namespaces.resolve(req.namespace);
  return ctx.engine.resets.resetWorkflowExecution(ns, req);
}
