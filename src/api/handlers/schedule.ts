import { invalidArgument } from '../../common/errors';
import type { temporal, workflowservice } from '../../common/proto';
import { SCHEDULE_ATTRIBUTES } from '../../schedules/schedule-query';
import { requireField, requireId, requireIdLength, requireNonNegativeDuration } from '../validation';
import type { HandlerContext } from './context';

/** Temporal's limit on schedule notes (`frontend.maxScheduleNotesSize`… its errNotesTooLong). */
const MAX_NOTES_LENGTH = 1000;

export async function createSchedule(ctx: HandlerContext, req: workflowservice.ICreateScheduleRequest): Promise<workflowservice.ICreateScheduleResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.scheduleId, 'ScheduleId');
  requireField(req.requestId, 'RequestId is not set on request.');
  requireIdLength(ctx, req.requestId, 'RequestId length exceeds limit.');
  await validateSchedule(ctx, ns.id, req.schedule);
  if (req.searchAttributes) req.searchAttributes.indexedFields = await ctx.searchAttributes.validate(ns.id, req.searchAttributes.indexedFields);
  validatePatch(req.initialPatch);
  return ctx.schedules.createSchedule(ns, req);
}

export async function describeSchedule(ctx: HandlerContext, req: workflowservice.IDescribeScheduleRequest): Promise<workflowservice.IDescribeScheduleResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  return ctx.schedules.describeSchedule(ns, requireId(ctx, req.scheduleId, 'ScheduleId'));
}

export async function updateSchedule(ctx: HandlerContext, req: workflowservice.IUpdateScheduleRequest): Promise<workflowservice.IUpdateScheduleResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.scheduleId, 'ScheduleId');
  requireIdLength(ctx, req.requestId, 'RequestId length exceeds limit.');
  await validateSchedule(ctx, ns.id, req.schedule);
  if (req.searchAttributes) req.searchAttributes.indexedFields = await ctx.searchAttributes.validate(ns.id, req.searchAttributes.indexedFields);
  return ctx.schedules.updateSchedule(ns, req);
}

export async function patchSchedule(ctx: HandlerContext, req: workflowservice.IPatchScheduleRequest): Promise<workflowservice.IPatchScheduleResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.scheduleId, 'ScheduleId');
  if (!req.patch) throw invalidArgument('Patch is not set on request.');
  validatePatch(req.patch);
  return ctx.schedules.patchSchedule(ns, req);
}

export async function deleteSchedule(ctx: HandlerContext, req: workflowservice.IDeleteScheduleRequest): Promise<workflowservice.IDeleteScheduleResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  return ctx.schedules.deleteSchedule(ns, requireId(ctx, req.scheduleId, 'ScheduleId'));
}

export async function listSchedules(ctx: HandlerContext, req: workflowservice.IListSchedulesRequest): Promise<workflowservice.IListSchedulesResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  const attributes = new Map([...(await ctx.searchAttributes.all(ns.id)), ...SCHEDULE_ATTRIBUTES]);
  return ctx.schedules.listSchedules(ns, req, attributes);
}

export async function listScheduleMatchingTimes(
  ctx: HandlerContext,
  req: workflowservice.IListScheduleMatchingTimesRequest,
): Promise<workflowservice.IListScheduleMatchingTimesResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  requireId(ctx, req.scheduleId, 'ScheduleId');
  return ctx.schedules.listScheduleMatchingTimes(ns, req);
}

/** Temporal's validateStartWorkflowArgsForSchedule, plus the search attributes the scheduled workflow will carry. */
async function validateSchedule(ctx: HandlerContext, namespaceId: string, schedule: temporal.api.schedule.v1.ISchedule | null | undefined): Promise<void> {
  const start = schedule?.action?.startWorkflow;
  if ((schedule?.state?.notes?.length ?? 0) > MAX_NOTES_LENGTH) throw invalidArgument('Schedule notes exceeds limit.');
  if (!start) return;
  requireId(ctx, start.workflowId, 'WorkflowId');
  requireField(start.workflowType?.name, 'WorkflowType is not set on request.');
  requireField(start.taskQueue?.name, 'TaskQueue is not set on request.');
  requireNonNegativeDuration(start.workflowExecutionTimeout, 'WorkflowExecutionTimeout');
  requireNonNegativeDuration(start.workflowRunTimeout, 'WorkflowRunTimeout');
  requireNonNegativeDuration(start.workflowTaskTimeout, 'WorkflowTaskTimeout');
  if (start.cronSchedule) throw invalidArgument('Scheduled workflow must not contain CronSchedule');
  if (start.workflowIdReusePolicy) throw invalidArgument('Scheduled workflow must not contain WorkflowIDReusePolicy');
  if (start.searchAttributes) start.searchAttributes.indexedFields = await ctx.searchAttributes.validate(namespaceId, start.searchAttributes.indexedFields);
}

function validatePatch(patch: temporal.api.schedule.v1.ISchedulePatch | null | undefined): void {
  const longest = Math.max(patch?.pause?.length ?? 0, patch?.unpause?.length ?? 0);
  if (longest > MAX_NOTES_LENGTH) throw invalidArgument('Schedule notes exceeds limit.');
}
