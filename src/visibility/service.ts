import { invalidArgument } from '../common/errors';
import { enums, workflow } from '../common/proto';
import type { VisibilityQuery } from '../store/records';
import type { VisibilityStore } from '../store/store';
import { compileListQuery } from './query-compiler';
import type { SearchAttributeRegistry } from './search-attributes';

/** Temporal's default when a request leaves the page size at 0. */
const DEFAULT_PAGE_SIZE = 1000;

export interface ExecutionsPage {
  executions: workflow.IWorkflowExecutionInfo[];
  /** Empty on the last page. */
  nextPageToken: Uint8Array;
}

export interface ExecutionCount {
  count: number;
  /**
   * Filled only for `GROUP BY ExecutionStatus`: one bucket per status present, named as Temporal
   * reports group values ("Running", "ContinuedAsNew").
   */
  groups: { status: string; count: number }[];
}

/** List and count over a namespace's runs: the filter compiled against the namespace's own attributes, then the store. */
export class VisibilityService {
  constructor(
    private readonly store: VisibilityStore,
    private readonly searchAttributes: SearchAttributeRegistry,
  ) {}

  async list(namespaceId: string, query: string, pageSize: number, nextPageToken: Uint8Array | null | undefined): Promise<ExecutionsPage> {
    const { q, groupBy } = await this.compile(namespaceId, query);
    if (groupBy) throw invalidArgument('GROUP BY is only supported by CountWorkflowExecutions.');
    const offset = decodeOffset(nextPageToken);
    const size = pageSize > 0 ? pageSize : DEFAULT_PAGE_SIZE;
    const rows = await this.store.listExecutions(q, offset, size);
    return {
      executions: rows.map((r) => workflow.WorkflowExecutionInfo.decode(r)),
      // A full page gets a token even when nothing follows (the next page is then empty): cheaper than looking ahead.
      nextPageToken: rows.length === size ? encodeOffset(offset + size) : new Uint8Array(),
    };
  }

  async count(namespaceId: string, query: string): Promise<ExecutionCount> {
    const { q, groupBy } = await this.compile(namespaceId, query);
    if (!groupBy) return { count: await this.store.countExecutions(q), groups: [] };
    const buckets = await this.store.countExecutionsByStatus(q);
    return {
      count: buckets.reduce((n, b) => n + b.count, 0),
      groups: buckets.map((b) => ({ status: statusName(b.status), count: b.count })),
    };
  }

  private async compile(namespaceId: string, query: string): Promise<{ q: VisibilityQuery; groupBy?: 'ExecutionStatus' }> {
    const compiled = compileListQuery(query, await this.searchAttributes.custom(namespaceId));
    return { q: { namespaceId, where: compiled.where, params: compiled.params }, groupBy: compiled.groupBy };
  }
}

/** Page tokens are offsets into Temporal's fixed order (open runs first, newest first). */
function encodeOffset(offset: number): Uint8Array {
  return Buffer.from(String(offset));
}

function decodeOffset(token: Uint8Array | null | undefined): number {
  if (!token || token.length === 0) return 0;
  // Only what encodeOffset writes: Number() would also take ' ', '0x1f' or '1e300', which SQLite's OFFSET refuses.
  const text = Buffer.from(token).toString('utf8');
  if (!/^\d{1,15}$/.test(text)) throw invalidArgument('Invalid NextPageToken.');
  return Number(text);
}

/** WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW → ContinuedAsNew. */
function statusName(status: number): string {
  return (enums.WorkflowExecutionStatus[status] ?? '')
    .replace('WORKFLOW_EXECUTION_STATUS_', '')
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
