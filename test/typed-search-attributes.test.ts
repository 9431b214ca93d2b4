import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowNotFoundError, type WorkflowExecutionInfo } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { EventType, grpcCode, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import type { AttributeToUpsert } from './workflows';

// Issue 12 item 5: what the server returns carries each search attribute's type, so the SDK's
// typedSearchAttributes decode a Datetime as a Date, an Int as a number, a KeywordList as a list;
// values that do not fit the registered type are refused (issue 17).
const env = useHourglassServer({
  searchAttributes: [
    { name: 'CustomKeywordField', type: 'Keyword' },
    { name: 'CustomIntField', type: 'Int' },
    { name: 'CustomDoubleField', type: 'Double' },
    { name: 'CustomBoolField', type: 'Bool' },
    { name: 'CustomDatetimeField', type: 'Datetime' },
    { name: 'CustomTextField', type: 'Text' },
    { name: 'TypedSaKeywordList', type: 'KeywordList' },
  ],
});

const INVALID_ARGUMENT = 3;
const keyword = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);
const int = defineSearchAttributeKey('CustomIntField', SearchAttributeType.INT);
const double = defineSearchAttributeKey('CustomDoubleField', SearchAttributeType.DOUBLE);
const bool = defineSearchAttributeKey('CustomBoolField', SearchAttributeType.BOOL);
const datetime = defineSearchAttributeKey('CustomDatetimeField', SearchAttributeType.DATETIME);
const text = defineSearchAttributeKey('CustomTextField', SearchAttributeType.TEXT);
const keywordList = defineSearchAttributeKey('TypedSaKeywordList', SearchAttributeType.KEYWORD_LIST);

const when = new Date('2024-05-06T07:08:09.123Z');
const everyType: SearchAttributePair[] = [
  { key: keyword, value: 'gold' },
  { key: int, value: 42 },
  { key: double, value: 2.5 },
  { key: bool, value: true },
  { key: datetime, value: when },
  { key: text, value: 'some words' },
  { key: keywordList, value: ['a', 'b'] },
];

/** The gRPC status details along an error's cause chain (the SDK wraps a failed start in a WorkflowStartError-like error). */
function grpcDetailsOf(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const { details } = e as { details?: unknown };
    if (typeof details === 'string') return details;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Each attribute as the SDK decoded it, with the JS type it came as. */
function decoded(info: Pick<WorkflowExecutionInfo, 'typedSearchAttributes'>): Record<string, unknown> {
  const attrs = info.typedSearchAttributes;
  const dt = attrs.get(datetime);
  return {
    keyword: attrs.get(keyword),
    int: attrs.get(int),
    double: attrs.get(double),
    bool: attrs.get(bool),
    datetime: dt instanceof Date ? dt.toISOString() : `not a Date: ${String(dt)}`,
    text: attrs.get(text),
    keywordList: attrs.get(keywordList),
  };
}

const expected = {
  keyword: 'gold',
  int: 42,
  double: 2.5,
  bool: true,
  datetime: when.toISOString(),
  text: 'some words',
  keywordList: ['a', 'b'],
};

/** The `type` metadata of each search attribute payload in the history's started and upsert events. */
async function typesInHistory(workflowId: string): Promise<Record<string, string>[]> {
  const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (events ?? [])
    .map((e) => e.workflowExecutionStartedEventAttributes?.searchAttributes ?? e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes)
    .filter((sa): sa is temporal.api.common.v1.ISearchAttributes => !!sa)
    .map((sa) => Object.fromEntries(Object.entries(sa.indexedFields ?? {}).map(([name, p]) => [name, Buffer.from(p.metadata?.type ?? []).toString('utf8')])));
}

describe('typed search attributes', () => {
  test('started with every type: describe and list decode each to its JS type; history events carry the type', async (t) => {
    const workflowId = uniqueName(t);
    const handle = await env.client.workflow.start('typedAttributesTarget', { taskQueue: workflowId, workflowId, typedSearchAttributes: everyType });
    try {
      assert.deepEqual(decoded(await handle.describe()), expected);
      const listed: WorkflowExecutionInfo[] = [];
      for await (const e of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) listed.push(e);
      assert.equal(listed.length, 1);
      assert.deepEqual(decoded(listed[0]!), expected);
      assert.deepEqual(await typesInHistory(workflowId), [
        {
          CustomKeywordField: 'Keyword',
          CustomIntField: 'Int',
          CustomDoubleField: 'Double',
          CustomBoolField: 'Bool',
          CustomDatetimeField: 'Datetime',
          CustomTextField: 'Text',
          TypedSaKeywordList: 'KeywordList',
        },
      ]);
    } finally {
      await handle.terminate('cleanup').catch(() => undefined);
    }
  });

  test('the untyped form (no type metadata sent) comes back typed too', async (t) => {
    const workflowId = uniqueName(t);
    const handle = await env.client.workflow.start('typedAttributesTarget', {
      taskQueue: workflowId,
      workflowId,
      searchAttributes: { CustomIntField: [7], CustomDatetimeField: [when], TypedSaKeywordList: ['x', 'y'] },
    });
    try {
      const attrs = (await handle.describe()).typedSearchAttributes;
      assert.equal(attrs.get(int), 7);
      assert.ok(attrs.get(datetime) instanceof Date, 'a Datetime is decoded as a Date');
      assert.equal(attrs.get(datetime)?.toISOString(), when.toISOString());
      assert.deepEqual(attrs.get(keywordList), ['x', 'y']);
    } finally {
      await handle.terminate('cleanup').catch(() => undefined);
    }
  });

  test('an upsert from workflow code shows up typed in describe, list and its event', async (t) => {
    const workflowId = uniqueName(t);
    const upserts: AttributeToUpsert[] = [
      { name: 'CustomKeywordField', type: SearchAttributeType.KEYWORD, value: 'gold' },
      { name: 'CustomIntField', type: SearchAttributeType.INT, value: 42 },
      { name: 'CustomDoubleField', type: SearchAttributeType.DOUBLE, value: 2.5 },
      { name: 'CustomBoolField', type: SearchAttributeType.BOOL, value: true },
      { name: 'CustomDatetimeField', type: SearchAttributeType.DATETIME, value: when.toISOString() },
      { name: 'CustomTextField', type: SearchAttributeType.TEXT, value: 'some words' },
      { name: 'TypedSaKeywordList', type: SearchAttributeType.KEYWORD_LIST, value: ['a', 'b'] },
    ];
    await withWorker(env, { taskQueue: workflowId }, () =>
      env.client.workflow.execute('upsertTypedAttributes', { taskQueue: workflowId, workflowId, args: [upserts] }),
    );
    const handle = env.client.workflow.getHandle(workflowId);
    assert.deepEqual(decoded(await handle.describe()), expected);
    const listed: WorkflowExecutionInfo[] = [];
    for await (const e of env.client.workflow.list({ query: `WorkflowId = '${workflowId}' AND CustomIntField = 42` })) listed.push(e);
    assert.deepEqual(listed.map(decoded), [expected]);
    const types = await typesInHistory(workflowId);
    assert.equal(types.at(-1)?.CustomDatetimeField, 'Datetime');
    assert.equal(types.at(-1)?.TypedSaKeywordList, 'KeywordList');
  });

  test('a child started with untyped attributes comes back typed', async (t) => {
    const workflowId = uniqueName(t);
    const childId = `${workflowId}-child`;
    await withWorker(env, { taskQueue: workflowId }, () =>
      env.client.workflow.execute('childWithUntypedAttributes', { taskQueue: workflowId, workflowId, args: [childId, when.toISOString()] }),
    );
    const attrs = (await env.client.workflow.getHandle(childId).describe()).typedSearchAttributes;
    assert.equal(attrs.get(int), 7);
    assert.equal(attrs.get(datetime)?.toISOString(), when.toISOString());
    assert.deepEqual(attrs.get(keywordList), ['x', 'y']);
    const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const initiated = (events ?? []).find((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)?.startChildWorkflowExecutionInitiatedEventAttributes;
    const typeOfField = (name: string): string => Buffer.from(initiated?.searchAttributes?.indexedFields?.[name]?.metadata?.type ?? []).toString('utf8');
    assert.deepEqual(['CustomIntField', 'CustomDatetimeField', 'TypedSaKeywordList'].map(typeOfField), ['Int', 'Datetime', 'KeywordList']);
  });

  for (const [what, key, value, message] of [
    [
      '"abc" for an Int',
      defineSearchAttributeKey('CustomIntField', SearchAttributeType.KEYWORD),
      'abc',
      'invalid value for search attribute CustomIntField of type Int: abc',
    ],
    [
      '1.5 for an Int',
      defineSearchAttributeKey('CustomIntField', SearchAttributeType.DOUBLE),
      1.5,
      'invalid value for search attribute CustomIntField of type Int: 1.5',
    ],
    [
      'a non-RFC3339 string for a Datetime',
      defineSearchAttributeKey('CustomDatetimeField', SearchAttributeType.KEYWORD),
      'next tuesday',
      'invalid value for search attribute CustomDatetimeField of type Datetime: next tuesday',
    ],
    [
      'a number for a Keyword',
      defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.INT),
      5,
      'invalid value for search attribute CustomKeywordField of type Keyword: 5',
    ],
    [
      'an unknown attribute',
      defineSearchAttributeKey('TypedSaNeverRegistered', SearchAttributeType.KEYWORD),
      'x',
      'search attribute TypedSaNeverRegistered is not defined',
    ],
  ] as const) {
    test(`start with ${what} is INVALID_ARGUMENT naming the attribute`, async (t) => {
      const workflowId = uniqueName(t);
      const err = await rejectionOf(
        env.client.workflow.start('neverStarted', { taskQueue: workflowId, workflowId, typedSearchAttributes: [{ key, value } as SearchAttributePair] }),
        `starting with ${what}`,
      );
      assert.equal(grpcCode(err), INVALID_ARGUMENT, `got ${String(err)}`);
      assert.equal(grpcDetailsOf(err), message);
      assert.ok((await rejectionOf(env.client.workflow.getHandle(workflowId).describe())) instanceof WorkflowNotFoundError, 'nothing was started');
    });
  }

  test('an upsert of a wrong-typed value fails the workflow task with BAD_SEARCH_ATTRIBUTES', async (t) => {
    const workflowId = uniqueName(t);
    const bad: AttributeToUpsert[] = [{ name: 'CustomIntField', type: SearchAttributeType.KEYWORD, value: 'abc' }];
    await withWorker(env, { taskQueue: workflowId }, async () => {
      const handle = await env.client.workflow.start('upsertTypedAttributes', { taskQueue: workflowId, workflowId, args: [bad] });
      try {
        const failed = await waitFor('a failed workflow task', async () => {
          const { events } = await handle.fetchHistory();
          return (events ?? []).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
        });
        const attrs = failed.workflowTaskFailedEventAttributes;
        assert.equal(attrs?.cause, temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES);
        assert.equal(attrs?.failure?.message, 'invalid value for search attribute CustomIntField of type Int: abc');
        assert.equal((await handle.describe()).typedSearchAttributes.get(int), undefined, 'the bad value was not stored');
      } finally {
        await handle.terminate('cleanup').catch(() => undefined);
      }
    });
  });
});
