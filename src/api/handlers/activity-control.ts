import { ServiceError, invalidArgument } from '../../common/errors';
import type { workflowservice } from '../../common/proto';
import { validatePriority } from '../../engine/state/activity-options';
import type { ActivityTarget } from '../../engine/state/activity-pause';
import { requireField, requireNonNegativeDuration } from '../validation';
import type { HandlerContext } from './context';

/**
 * PauseActivity, UnpauseActivity, ResetActivity, UpdateActivityOptions: the frontend's checks
 * (service/frontend/workflow_handler.go), then the engine. Temporal 1.28 gated them behind
 * `frontend.activityAPIsEnabled` and later removed the flag (on); Hourglass keeps honouring an explicit `false`, with
 * the UNIMPLEMENTED answer the gate gave, for setups written against those versions.
 */

function requireEnabled(ctx: HandlerContext, method: string): void {
  if (!ctx.activityApisEnabled) throw new ServiceError('UNIMPLEMENTED', `method ${method} not implemented`);
}

interface ActivityControlRequest {
  execution?: { workflowId?: string | null } | null;
  /** The name of the `activity` oneof member set, on a decoded request. */
  activity?: string | null;
  id?: string | null;
  type?: string | null;
  matchAll?: boolean | null;
  unpauseAll?: boolean | null;
}

/** WorkflowId and the activity oneof, checked in Temporal's order and with its messages. */
function activityTarget(req: ActivityControlRequest): ActivityTarget {
  requireField(req.execution?.workflowId, 'WorkflowId is not set on request.');
  const which = req.activity ?? (req.id ? 'id' : req.type ? 'type' : req.matchAll ? 'matchAll' : req.unpauseAll ? 'unpauseAll' : undefined);
  switch (which) {
    case 'id':
      return { id: req.id ?? '' };
    case 'type':
      return { type: req.type ?? '' };
    case 'matchAll':
    case 'unpauseAll':
      return { all: true };
    default:
      throw invalidArgument('Either Activity.Id or Activity.Type should be set on request.');
  }
}

export async function pauseActivity(ctx: HandlerContext, req: workflowservice.IPauseActivityRequest): Promise<workflowservice.IPauseActivityResponse> {
  requireEnabled(ctx, 'PauseActivity');
  const target = activityTarget(req);
  const ns = await ctx.namespaces.resolve(req.namespace);
  await ctx.engine.activityControls.pauseActivity(ns, req, target);
  return {};
}

export async function unpauseActivity(ctx: HandlerContext, req: workflowservice.IUnpauseActivityRequest): Promise<workflowservice.IUnpauseActivityResponse> {
  requireEnabled(ctx, 'UnpauseActivity');
  const target = activityTarget(req);
  requireNonNegativeDuration(req.jitter, 'Jitter');
  const ns = await ctx.namespaces.resolve(req.namespace);
  await ctx.engine.activityControls.unpauseActivity(ns, req, target);
  return {};
}

export async function resetActivity(ctx: HandlerContext, req: workflowservice.IResetActivityRequest): Promise<workflowservice.IResetActivityResponse> {
  requireEnabled(ctx, 'ResetActivity');
  const target = activityTarget(req);
  requireNonNegativeDuration(req.jitter, 'Jitter');
  const ns = await ctx.namespaces.resolve(req.namespace);
  await ctx.engine.activityControls.resetActivity(ns, req, target);
  return {};
}

export async function updateActivityOptions(
  ctx: HandlerContext,
  req: workflowservice.IUpdateActivityOptionsRequest,
): Promise<workflowservice.IUpdateActivityOptionsResponse> {
  requireEnabled(ctx, 'UpdateActivityOptions');
  const target = activityTarget(req);
  validatePriority(req.activityOptions?.priority);
  const ns = await ctx.namespaces.resolve(req.namespace);
  return { activityOptions: await ctx.engine.activityControls.updateActivityOptions(ns, req, target) };
}
