import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ServiceError } from '../../../src/common/errors';
import { workflow } from '../../../src/common/proto';
import type { VisibilityQuery } from '../../../src/store/records';
import type { VisibilityStore } from '../../../src/store/store';
import type { SearchAttributeType } from '../../../src/visibility/search-attribute-type';
import { SearchAttributeRegistry } from '../../../src/visibility/search-attributes';
import { VisibilityService } from '../../../src/visibility/service';

/** A store of `total` runs named w0, w1, …, recording the queries it was asked. */
class FakeVisibilityStore implements VisibilityStore {
  readonly queries: VisibilityQuery[] = [];
  readonly pages: { offset: number; limit: number }[] = [];

  constructor(private readonly total: number) {}

  listExecutions(query: VisibilityQuery, offset: number, limit: number): Promise<Uint8Array[]> {
    this.queries.push(query);
    this.pages.push({ offset, limit });
    const ids = Array.from({ length: Math.max(0, Math.min(limit, this.total - offset)) }, (_, i) => `w${offset + i}`);
    return Promise.resolve(ids.map((workflowId) => workflow.WorkflowExecutionInfo.encode({ execution: { workflowId } }).finish()));
  }
  countExecutions(query: VisibilityQuery): Promise<number> {
    this.queries.push(query);
    return Promise.resolve(this.total);
  }
  countExecutionsByStatus(query: VisibilityQuery): Promise<{ status: number; count: number }[]> {
    this.queries.push(query);
    return Promise.resolve([
      { status: 1, count: 2 },
      { status: 6, count: 3 },
    ]);
  }
  listSearchAttributes(): Promise<Map<string, SearchAttributeType>> {
    return Promise.resolve(new Map([['CustomKeywordField', 'Keyword']]));
  }
  addSearchAttributes(): Promise<void> {
    return Promise.resolve();
  }
  removeSearchAttributes(): Promise<void> {
    return Promise.resolve();
  }
}

function service(total: number): [VisibilityService, FakeVisibilityStore] {
  const store = new FakeVisibilityStore(total);
  return [new VisibilityService(store, new SearchAttributeRegistry(store)), store];
}

async function invalidArgument(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof ServiceError && err.code === 'INVALID_ARGUMENT' && pattern.test(err.message));
}

test('pages chain through their tokens until a short page, which has none', async () => {
  const [visibility, store] = service(5);
  const seen: string[] = [];
  let token: Uint8Array | undefined;
  do {
    const page = await visibility.list('ns', '', 2, token);
    seen.push(...page.executions.map((e) => e.execution?.workflowId ?? ''));
    token = page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (token);
  assert.deepEqual(seen, ['w0', 'w1', 'w2', 'w3', 'w4']);
  assert.deepEqual(store.pages, [
    { offset: 0, limit: 2 },
    { offset: 2, limit: 2 },
    { offset: 4, limit: 2 },
  ]);
});

test('a page size of 0 means 1000', async () => {
  const [visibility, store] = service(3);
  const page = await visibility.list('ns', '', 0, undefined);
  assert.equal(page.executions.length, 3);
  assert.equal(page.nextPageToken.length, 0);
  assert.deepEqual(store.pages, [{ offset: 0, limit: 1000 }]);
});

test('the filter is compiled against the namespace’s custom attributes and scoped to it', async () => {
  const [visibility, store] = service(1);
  await visibility.list('ns-1', "CustomKeywordField = 'k'", 10, undefined);
  assert.equal(store.queries[0]?.namespaceId, 'ns-1');
  assert.deepEqual(store.queries[0]?.params, ['k']);
  await invalidArgument(visibility.list('ns-1', "Unknown = 'k'", 10, undefined), /unknown search attribute 'Unknown'/);
});

test('a malformed page token and a GROUP BY in a list are INVALID_ARGUMENT', async () => {
  const [visibility] = service(1);
  await invalidArgument(visibility.list('ns', '', 10, Buffer.from('-3')), /Invalid NextPageToken/);
  await invalidArgument(visibility.list('ns', '', 10, Buffer.from('next')), /Invalid NextPageToken/);
  // Number() reads these as numbers, which SQLite's OFFSET then refuses.
  for (const token of [' ', '0x10', '1e300', '1.5', '99999999999999999999', '\u{1F600}']) {
    await invalidArgument(visibility.list('ns', '', 10, Buffer.from(token)), /Invalid NextPageToken/);
  }
  await invalidArgument(visibility.list('ns', '', 10, Buffer.from([0xff, 0xfe, 0x00])), /Invalid NextPageToken/);
  await invalidArgument(visibility.list('ns', 'GROUP BY ExecutionStatus', 10, undefined), /only supported by CountWorkflowExecutions/);
});

test('count is a total, or with GROUP BY ExecutionStatus one group per status named as Temporal names it', async () => {
  const [visibility] = service(7);
  assert.deepEqual(await visibility.count('ns', ''), { count: 7, groups: [] });
  assert.deepEqual(await visibility.count('ns', 'GROUP BY ExecutionStatus'), {
    count: 5,
    groups: [
      { status: 'Running', count: 2 },
      { status: 'ContinuedAsNew', count: 3 },
    ],
  });
});
