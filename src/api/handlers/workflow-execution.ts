import { enums, type workflowservice } from '../../common/proto';
import { randomUUID } from 'node:crypto';
import { ServiceError, invalidArgument } from '../../common/errors';
import {
  requireBlobWithinLimit,
  requireCompatibleIdPolicies,
  requireExecution,
  requireField,
  requireId,
  requireIdLength,
  requireMemoWithinLimit,
  requireNonNegativeDuration,
} from '../validation';
import type { HandlerContext } from './context';

export async function startWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IStartWorkflowExecutionRequest,
): Promise<workflowservice.IStartWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  validateStart(ctx, req);
  requireBlobWithinLimit(ctx, req.input, 'StartWorkflowExecution', req.workflowId);
  requireMemoWithinLimit(ctx, req.memo, 'StartWorkflowExecution', req.workflowId);
  if (req.searchAttributes) req.searchAttributes.indexedFields = await ctx.searchAttributes.validate(ns.id, req.searchAttributes.indexedFields);
  const { runId, firstExecutionRunId, started, eagerWorkflowTask } = await ctx.engine.starts.startWorkflowExecution(ns, req);
  return { runId, firstExecutionRunId, started, status: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, eagerWorkflowTask };
}

/**
 * The checks StartWorkflowExecution, SignalWithStartWorkflowExecution and update-with-start's start share. The
 * length messages are Temporal 1.32's: its workflow validator's for the workflow id (and, for signal-with-start,
 * which it validates whole, for the type, signal name and request id), the frontend's for the rest.
 */
export function validateStart(
  ctx: HandlerContext,
  req: workflowservice.IStartWorkflowExecutionRequest | workflowservice.ISignalWithStartWorkflowExecutionRequest,
): void {
  const signalWithStart = 'signalName' in req;
  const overMax = (value: string | null | undefined, what: string): void =>
    requireIdLength(ctx, value, `${what} exceeds maximum allowed length (${Buffer.byteLength(value ?? '')}/${ctx.maxIdLength})`);
  overMax(requireField(req.workflowId, 'WorkflowId is not set on request.'), 'WorkflowId');
  if (signalWithStart) overMax(req.signalName, 'signal name');
  requireField(req.workflowType?.name, 'WorkflowType is not set on request.');
  if (signalWithStart) overMax(req.workflowType?.name, 'workflow type name');
  else requireIdLength(ctx, req.workflowType?.name, 'WorkflowType length exceeds limit.');
  requireField(req.taskQueue?.name, 'TaskQueue is not set on request.');
  requireIdLength(ctx, req.taskQueue?.name, 'taskQueue length exceeds limit');
  requireNonNegativeDuration(req.workflowExecutionTimeout, 'WorkflowExecutionTimeout');
  requireNonNegativeDuration(req.workflowRunTimeout, 'WorkflowRunTimeout');
  requireNonNegativeDuration(req.workflowTaskTimeout, 'WorkflowTaskTimeout');
  if (signalWithStart) overMax(req.requestId, 'Request ID');
  else requireIdLength(ctx, req.requestId, 'RequestId length exceeds limit.');
  requireCompatibleIdPolicies(req.workflowIdReusePolicy, req.workflowIdConflictPolicy);
}

export async function signalWithStartWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.ISignalWithStartWorkflowExecutionRequest,
): Promise<workflowservice.ISignalWithStartWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  validateStart(ctx, req);
  requireField(req.signalName, 'SignalName is not set on request.');
  requireBlobWithinLimit(ctx, req.signalInput, 'SignalWithStartWorkflowExecution', req.workflowId);
  requireBlobWithinLimit(ctx, req.input, 'SignalWithStartWorkflowExecution', req.workflowId);
  requireMemoWithinLimit(ctx, req.memo, 'SignalWithStartWorkflowExecution', req.workflowId);
  if (req.searchAttributes) req.searchAttributes.indexedFields = await ctx.searchAttributes.validate(ns.id, req.searchAttributes.indexedFields);
  return ctx.engine.starts.signalWithStartWorkflowExecution(ns, req);
}

export async function signalWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.ISignalWorkflowExecutionRequest,
): Promise<workflowservice.ISignalWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.workflowExecution?.workflowId, 'WorkflowId');
  requireField(req.signalName, 'SignalName is not set on request.');
  requireIdLength(ctx, req.signalName, 'SignalName length exceeds limit.');
  requireIdLength(ctx, req.requestId, 'RequestId length exceeds limit.');
  requireBlobWithinLimit(ctx, req.input, 'SignalWorkflowExecution', req.workflowExecution?.workflowId);
  await ctx.engine.control.signalWorkflowExecution(ns, req);
  return {};
}

export async function requestCancelWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IRequestCancelWorkflowExecutionRequest,
): Promise<workflowservice.IRequestCancelWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.workflowExecution?.workflowId, 'WorkflowId');
  await ctx.engine.control.requestCancelWorkflowExecution(ns, req);
  return {};
}

export async function queryWorkflow(ctx: HandlerContext, req: workflowservice.IQueryWorkflowRequest): Promise<workflowservice.IQueryWorkflowResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.execution?.workflowId, 'WorkflowId');
  requireField(req.query?.queryType, 'QueryType is not set on request.');
  return ctx.engine.queries.queryWorkflow(ns, req, ctx.signal);
}

export async function updateWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IUpdateWorkflowExecutionRequest,
): Promise<workflowservice.IUpdateWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  validateUpdate(ctx, req);
  requireBlobWithinLimit(ctx, req.request?.input?.args, 'UpdateWorkflowExecution', req.workflowExecution?.workflowId);
  return ctx.engine.updates.updateWorkflowExecution(ns, req, ctx.signal);
}

/**
 * Temporal's checks of an update request (frontend prepareUpdateWorkflowRequest), with its defaults: an update without
 * an ID is given one, and one without a wait policy waits for its outcome.
 */
export function validateUpdate(ctx: HandlerContext, req: workflowservice.IUpdateWorkflowExecutionRequest): void {
  if (!req.workflowExecution) throw invalidArgument('Execution is not set on request.');
  requireId(ctx, req.workflowExecution.workflowId, 'WorkflowId');
  const meta = req.request?.meta;
  if (!meta) throw invalidArgument('Update meta is not set on request.');
  requireIdLength(ctx, meta.updateId, 'UpdateId length exceeds limit.');
  meta.updateId ||= randomUUID();
  const input = req.request?.input;
  if (!input) throw invalidArgument('Update input is not set on request.');
  requireField(input.name, 'Update name is not set on request.');
  const Stage = enums.UpdateWorkflowExecutionLifecycleStage;
  if (req.waitPolicy?.lifecycleStage === Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED) {
    throw new ServiceError('PERMISSION_DENIED', 'UpdateWorkflowExecution issued asynchronously and waiting on update admitted is not supported.');
  }
}

export async function pollWorkflowExecutionUpdate(
  ctx: HandlerContext,
  req: workflowservice.IPollWorkflowExecutionUpdateRequest,
): Promise<workflowservice.IPollWorkflowExecutionUpdateResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.updateRef?.workflowExecution?.workflowId, 'WorkflowId');
  requireId(ctx, req.updateRef?.updateId, 'UpdateId');
  return ctx.engine.updates.pollWorkflowExecutionUpdate(ns, req, ctx.signal);
}

export async function resetStickyTaskQueue(
  ctx: HandlerContext,
  req: workflowservice.IResetStickyTaskQueueRequest,
): Promise<workflowservice.IResetStickyTaskQueueResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.execution?.workflowId, 'WorkflowId');
  await ctx.engine.workflowTasks.resetStickyTaskQueue(ns, req.execution ?? {});
  return {};
}

export async function describeWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IDescribeWorkflowExecutionRequest,
): Promise<workflowservice.IDescribeWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.execution?.workflowId, 'WorkflowId');
  return ctx.engine.history.describeWorkflowExecution(ns, req.execution ?? {});
}

export async function getWorkflowExecutionHistory(
  ctx: HandlerContext,
  req: workflowservice.IGetWorkflowExecutionHistoryRequest,
): Promise<workflowservice.IGetWorkflowExecutionHistoryResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.execution?.workflowId, 'WorkflowId');
  return ctx.engine.history.getWorkflowExecutionHistory(ns, req, ctx.signal);
}

export async function getWorkflowExecutionHistoryReverse(
  ctx: HandlerContext,
  req: workflowservice.IGetWorkflowExecutionHistoryReverseRequest,
): Promise<workflowservice.IGetWorkflowExecutionHistoryReverseResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.execution?.workflowId, 'WorkflowId');
  return ctx.engine.history.getWorkflowExecutionHistoryReverse(ns, req);
}

export async function terminateWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.ITerminateWorkflowExecutionRequest,
): Promise<workflowservice.ITerminateWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.workflowExecution?.workflowId, 'WorkflowId');
  await ctx.engine.control.terminateWorkflowExecution(ns, req);
  return {};
}

export async function deleteWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IDeleteWorkflowExecutionRequest,
): Promise<workflowservice.IDeleteWorkflowExecutionResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.workflowExecution?.workflowId, 'WorkflowId');
  await ctx.engine.deletion.deleteWorkflowExecution(ns, req.workflowExecution ?? {});
  return {};
}

export async function resetWorkflowExecution(
  ctx: HandlerContext,
  req: workflowservice.IResetWorkflowExecutionRequest,
): Promise<workflowservice.IResetWorkflowExecutionResponse> {
  // Temporal's frontend checks the request before it resolves the namespace.
  requireField(req.requestId, 'RequestId is not set on request.');
  requireIdLength(ctx, req.requestId, 'RequestId length exceeds limit.');
  requireExecution(ctx, req.workflowExecution);
  // Temporal applies versioning overrides after a reset; without worker versioning we refuse any, rather than ignore them.
  const operation = req.postResetOperations?.[0];
  if (operation) throw invalidArgument(`unsupported post reset operation: ${operation.signalWorkflow ? 'SignalWorkflow' : 'UpdateWorkflowOptions'}`);
  const ns = await ctx.namespaces.resolve(req.namespace);
  return ctx.engine.resets.resetWorkflowExecution(ns, req);
}
