import { invalidArgument } from '../../common/errors';
import { enums, int64, workflow, type common, type operatorservice, type workflowservice } from '../../common/proto';
import { BUILTIN_ATTRIBUTES, indexedValueOf, typeFromIndexedValue, SYSTEM_ATTRIBUTES } from '../../visibility/search-attributes';
import type { VisibilityQuery } from '../../store/records';
import { compileListQuery } from '../../visibility/query-compiler';
import type { SearchAttributeType } from '../../visibility/search-attribute-type';
import type { HandlerContext } from './context';

const DEFAULT_PAGE_SIZE = 1000;

async function compile(
  ctx: HandlerContext,
  namespace: string | null | undefined,
  query: string | null | undefined,
): Promise<{ q: VisibilityQuery; groupBy?: 'ExecutionStatus' }> {
  const ns = await ctx.namespaces.resolve(namespace);
  const compiled = compileListQuery(query ?? '', await ctx.searchAttributes.custom(ns.id));
  return { q: { namespaceId: ns.id, where: compiled.where, params: compiled.params }, groupBy: compiled.groupBy };
}

/** Page tokens are offsets into Temporal's fixed order (open runs first, newest first). */
function decodeOffset(token: Uint8Array | null | undefined): number {
  if (!token || token.length === 0) return 0;
  const offset = Number(Buffer.from(token).toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw invalidArgument('Invalid NextPageToken.');
  return offset;
}

async function page(ctx: HandlerContext, req: workflowservice.IListWorkflowExecutionsRequest): Promise<workflowservice.IListWorkflowExecutionsResponse> {
  const { q, groupBy } = await compile(ctx, req.namespace, req.query);
  if (groupBy) throw invalidArgument('GROUP BY is only supported by CountWorkflowExecutions.');
  const offset = decodeOffset(req.nextPageToken);
  const size = req.pageSize && req.pageSize > 0 ? req.pageSize : DEFAULT_PAGE_SIZE;
  const rows = await ctx.store.listExecutions(q, offset, size);
  return {
    executions: rows.map((r) => workflow.WorkflowExecutionInfo.decode(r)),
    nextPageToken: rows.length === size ? Buffer.from(String(offset + size)) : new Uint8Array(),
  };
}

export function listWorkflowExecutions(
  ctx: HandlerContext,
  req: workflowservice.IListWorkflowExecutionsRequest,
): Promise<workflowservice.IListWorkflowExecutionsResponse> {
  return page(ctx, req);
}

export function scanWorkflowExecutions(
  ctx: HandlerContext,
  req: workflowservice.IScanWorkflowExecutionsRequest,
): Promise<workflowservice.IScanWorkflowExecutionsResponse> {
  return page(ctx, req);
}

export async function countWorkflowExecutions(
  ctx: HandlerContext,
  req: workflowservice.ICountWorkflowExecutionsRequest,
): Promise<workflowservice.ICountWorkflowExecutionsResponse> {
  const { q, groupBy } = await compile(ctx, req.namespace, req.query);
  if (!groupBy) return { count: int64(await ctx.store.countExecutions(q)), groups: [] };
  const buckets = await ctx.store.countExecutionsByStatus(q);
  const statusName = (status: number): string => (enums.WorkflowExecutionStatus[status] ?? '').replace('WORKFLOW_EXECUTION_STATUS_', '');
  return {
    count: int64(buckets.reduce((n, b) => n + b.count, 0)),
    groups: buckets.map((b) => ({
      count: int64(b.count),
      // Temporal reports the group value as a Keyword payload with the status name ("Running").
      groupValues: [keywordPayload(titleCase(statusName(b.status)))],
    })),
  };
}

function titleCase(name: string): string {
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function keywordPayload(value: string): common.IPayload {
  return { metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('Keyword') }, data: Buffer.from(JSON.stringify(value)) };
}

export async function getSearchAttributes(ctx: HandlerContext): Promise<workflowservice.IGetSearchAttributesResponse> {
  const ns = await ctx.namespaces.resolve('default');
  return { keys: keysOf(new Map([...BUILTIN_ATTRIBUTES, ...SYSTEM_ATTRIBUTES, ...(await ctx.searchAttributes.custom(ns.id))])) };
}

function keysOf(attrs: ReadonlyMap<string, SearchAttributeType>): Record<string, enums.IndexedValueType> {
  return Object.fromEntries([...attrs].map(([name, type]) => [name, indexedValueOf(type)]));
}

export async function addSearchAttributes(
  ctx: HandlerContext,
  req: operatorservice.IAddSearchAttributesRequest,
): Promise<operatorservice.IAddSearchAttributesResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace || 'default');
  const attrs = new Map(Object.entries(req.searchAttributes ?? {}).map(([name, type]): [string, SearchAttributeType] => [name, typeFromIndexedValue(type)]));
  await ctx.searchAttributes.add(ns.id, attrs);
  return {};
}

export async function removeSearchAttributes(
  ctx: HandlerContext,
  req: operatorservice.IRemoveSearchAttributesRequest,
): Promise<operatorservice.IRemoveSearchAttributesResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace || 'default');
  await ctx.searchAttributes.remove(ns.id, req.searchAttributes ?? []);
  return {};
}

export async function listSearchAttributes(
  ctx: HandlerContext,
  req: operatorservice.IListSearchAttributesRequest,
): Promise<operatorservice.IListSearchAttributesResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace || 'default');
  return {
    customAttributes: keysOf(await ctx.searchAttributes.custom(ns.id)),
    systemAttributes: keysOf(new Map([...BUILTIN_ATTRIBUTES, ...SYSTEM_ATTRIBUTES])),
    storageSchema: {},
  };
}
