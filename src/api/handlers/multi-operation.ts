import { ServiceError, invalidArgument, multiOperationAborted } from '../../common/errors';
import { durationToMs, enums, type workflowservice } from '../../common/proto';
import { updateWithStartFailed } from '../../engine/rpc/updates/update-with-start';
import type { NamespaceRecord } from '../../store/records';
import type { HandlerContext } from './context';
import { validateStart, validateUpdate } from './workflow-execution';
import { requireBlobWithinLimit, requireMemoWithinLimit } from '../validation';

/**
 * ExecuteMultiOperation: update-with-start, the one list of operations Temporal allows ([Start, Update]). Each
 * operation is checked as its own RPC would be, plus what update-with-start rules out (service/frontend/
 * workflow_handler.go, convertToHistoryMultiOperationItem); a bad one fails the call with a status per operation.
 */
export async function executeMultiOperation(
  ctx: HandlerContext,
  req: workflowservice.IExecuteMultiOperationRequest,
): Promise<workflowservice.IExecuteMultiOperationResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  const operations = req.operations ?? [];
  const start = operations[0]?.startWorkflow;
  const update = operations[1]?.updateWorkflow;
  if (operations.length !== 2 || !start || !update) throw invalidArgument('Operations have to be exactly [Start, Update].');
  const startError = await failureOf(() => prepareStart(ctx, ns, start));
  let updateError = await failureOf(() => prepareUpdate(ctx, ns, update));
  if (!startError && !updateError && update.workflowExecution?.workflowId !== start.workflowId) {
    updateError = invalidArgument('WorkflowId is not consistent with previous operation(s).');
  }
  if (startError || updateError) throw updateWithStartFailed(startError ?? multiOperationAborted(), updateError ?? multiOperationAborted());
  const result = await ctx.engine.updateWithStart.executeUpdateWithStart(ns, start, update, ctx.signal);
  return { responses: [{ startWorkflow: result.start }, { updateWorkflow: result.update }] };
}

async function failureOf(check: () => void | Promise<void>): Promise<ServiceError | undefined> {
  try {
    await check();
    return undefined;
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
}

async function prepareStart(ctx: HandlerContext, ns: NamespaceRecord, req: workflowservice.IStartWorkflowExecutionRequest): Promise<void> {
  requireSameNamespace(ns, req.namespace);
  defaultIdPolicies(req);
  validateStart(ctx, req);
  requireBlobWithinLimit(ctx, req.input, 'StartWorkflowExecution', req.workflowId);
  requireMemoWithinLimit(ctx, req.memo, 'StartWorkflowExecution', req.workflowId);
  if (req.searchAttributes) req.searchAttributes.indexedFields = await ctx.searchAttributes.validate(ns.id, req.searchAttributes.indexedFields);
  if (req.cronSchedule) throw invalidArgument('CronSchedule is not allowed.');
  if (req.requestEagerExecution) throw invalidArgument('RequestEagerExecution is not supported.');
  if (durationToMs(req.workflowStartDelay) > 0) throw invalidArgument('WorkflowStartDelay is not supported.');
}

function prepareUpdate(ctx: HandlerContext, ns: NamespaceRecord, req: workflowservice.IUpdateWorkflowExecutionRequest): void {
  requireSameNamespace(ns, req.namespace);
  validateUpdate(ctx, req);
  if (req.firstExecutionRunId) throw invalidArgument('FirstExecutionRunId is not allowed.');
  if (req.workflowExecution?.runId) throw invalidArgument('RunId is not allowed.');
}

function requireSameNamespace(ns: NamespaceRecord, namespace: string | null | undefined): void {
  if (namespace && namespace !== ns.name) throw invalidArgument("Operation namespace did not match request's namespace.");
}

/**
 * Temporal's SetDefaultWorkflowIDPolicies: an unset conflict policy is FAIL, or TERMINATE_EXISTING for the deprecated
 * reuse policy TERMINATE_IF_RUNNING (which then means ALLOW_DUPLICATE).
 */
function defaultIdPolicies(req: workflowservice.IStartWorkflowExecutionRequest): void {
  const Reuse = enums.WorkflowIdReusePolicy;
  const Conflict = enums.WorkflowIdConflictPolicy;
  if (req.workflowIdConflictPolicy) return;
  if (req.workflowIdReusePolicy === Reuse.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) {
    req.workflowIdConflictPolicy = Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING;
    req.workflowIdReusePolicy = Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE;
  } else {
    req.workflowIdConflictPolicy = Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL;
  }
}
