import { int64, type common, type enums, type operatorservice, type workflowservice } from '../../common/proto';
import { BUILTIN_ATTRIBUTES, indexedValueOf, typeFromIndexedValue, SYSTEM_ATTRIBUTES } from '../../visibility/search-attributes';
import type { SearchAttributeType } from '../../visibility/search-attribute-type';
import type { Handler, HandlerContext } from './context';

export async function listWorkflowExecutions(
  ctx: HandlerContext,
  req: workflowservice.IListWorkflowExecutionsRequest,
): Promise<workflowservice.IListWorkflowExecutionsResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  return ctx.visibility.list(ns.id, req.query ?? '', req.pageSize ?? 0, req.nextPageToken);
}

/** Temporal's scan is a list without an order guarantee; ours keeps the list order, so the two are one. */
export const scanWorkflowExecutions: Handler<workflowservice.IScanWorkflowExecutionsRequest, workflowservice.IScanWorkflowExecutionsResponse> =
  listWorkflowExecutions;

export async function countWorkflowExecutions(
  ctx: HandlerContext,
  req: workflowservice.ICountWorkflowExecutionsRequest,
): Promise<workflowservice.ICountWorkflowExecutionsResponse> {
  const ns = await ctx.namespaces.resolve(req.namespace);
  const result = await ctx.visibility.count(ns.id, req.query ?? '');
  return {
    count: int64(result.count),
    // Temporal reports the group value as a Keyword payload with the status name ("Running").
    groups: result.groups.map((g) => ({ count: int64(g.count), groupValues: [keywordPayload(g.status)] })),
  };
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
