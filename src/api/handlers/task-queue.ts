import { invalidArgument } from '../../common/errors';
import { enums, type taskqueue, type workflowservice } from '../../common/proto';
import { requireIdLength } from '../validation';
import type { HandlerContext } from './context';

export async function describeTaskQueue(
  ctx: HandlerContext,
  req: workflowservice.IDescribeTaskQueueRequest,
): Promise<workflowservice.IDescribeTaskQueueResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  // Default mode takes any partition's name; the (deprecated) ENHANCED mode only a root queue, as in Temporal.
  requireTaskQueue(ctx, req.taskQueue, req.apiMode === enums.DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED);
  return ctx.engine.taskQueues.describeTaskQueue(ns, req);
}

export async function listTaskQueuePartitions(
  ctx: HandlerContext,
  req: workflowservice.IListTaskQueuePartitionsRequest,
): Promise<workflowservice.IListTaskQueuePartitionsResponse> {
  await ctx.namespaces.resolve(req.namespace);
  requireTaskQueue(ctx, req.taskQueue, true);
  return ctx.engine.taskQueues.listTaskQueuePartitions(req);
}

/** Temporal's task queue checks (`tqid.NormalizeAndValidate`), with its messages. */
function requireTaskQueue(ctx: HandlerContext, tq: taskqueue.ITaskQueue | null | undefined, root: boolean): void {
  if (!tq) throw invalidArgument('taskQueue is not set');
  if (!tq.name) throw invalidArgument('missing task queue name');
  requireQueueName(ctx, tq.name, root);
  if (tq.kind === enums.TaskQueueKind.TASK_QUEUE_KIND_STICKY && tq.normalName) requireQueueName(ctx, tq.normalName, false);
}

function requireQueueName(ctx: HandlerContext, name: string, root: boolean): void {
  requireIdLength(ctx, name, 'taskQueue length exceeds limit');
  if (root && name.startsWith('/_sys/')) throw invalidArgument('task queue name cannot start with reserved prefix /_sys/');
}
