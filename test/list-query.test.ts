import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ServiceError } from '../src/common/errors';
import type { SearchAttributeType } from '../src/visibility/search-attribute-type';
import { compileListQuery, type CustomAttributes } from '../src/visibility/query-compiler';
import { parseListQuery } from '../src/visibility/query-parser';
import { matchingRunIds, openVisibilityDatabase, type VisibilityRow } from './visibility-db';

const CUSTOM: CustomAttributes = new Map<string, SearchAttributeType>([
  ['CustomKeywordField', 'Keyword'],
  ['CustomTextField', 'Text'],
  ['CustomIntField', 'Int'],
  ['CustomDoubleField', 'Double'],
  ['CustomBoolField', 'Bool'],
  ['CustomDatetimeField', 'Datetime'],
  ['Tags', 'KeywordList'],
  ['My Attr', 'Keyword'],
]);

const DIVISION = `json_extract(search_attributes, '$."TemporalNamespaceDivision"') IS NULL`;

function compile(query: string) {
  return compileListQuery(query, CUSTOM);
}

function rejects(query: string, pattern: RegExp): void {
  assert.throws(
    () => compile(query),
    (err: unknown) => {
      assert.ok(err instanceof ServiceError, `expected a ServiceError, got ${String(err)}`);
      assert.equal(err.code, 'INVALID_ARGUMENT');
      assert.match(err.message, pattern);
      return true;
    },
  );
}

// ---------------------------------------------------------------------------------------------------
// Parsing

test('empty and whitespace-only queries have no filter', () => {
  assert.deepEqual(compile(''), { where: '1', params: [] });
  assert.deepEqual(compile('  \n\t '), { where: '1', params: [] });
  assert.deepEqual(parseListQuery('   '), {});
});

test('AND binds tighter than OR; NOT is prefix; parentheses group', () => {
  const ast = parseListQuery("WorkflowId = 'a' or WorkflowId = 'b' AND WorkflowId = 'c'");
  assert.equal(ast.filter?.kind, 'or');
  if (ast.filter?.kind !== 'or') throw new Error('unreachable');
  assert.equal(ast.filter.left.kind, 'compare');
  assert.equal(ast.filter.right.kind, 'and');

  const grouped = parseListQuery("(WorkflowId = 'a' OR WorkflowId = 'b') and not WorkflowId = 'c'");
  assert.equal(grouped.filter?.kind, 'and');
  if (grouped.filter?.kind !== 'and') throw new Error('unreachable');
  assert.equal(grouped.filter.left.kind, 'or');
  assert.equal(grouped.filter.right.kind, 'not');

  assert.deepEqual(compile("WorkflowId = 'a' OR WorkflowId = 'b' AND WorkflowId = 'c'"), {
    where: `((workflow_id = ?) OR ((workflow_id = ?) AND (workflow_id = ?))) AND ${DIVISION}`,
    params: ['a', 'b', 'c'],
  });
});

test('values: quoting, escapes, numbers, booleans, backtick names', () => {
  const values = (query: string) => {
    const ast = parseListQuery(query);
    if (ast.filter?.kind !== 'in') throw new Error('expected IN');
    return ast.filter.values.map((v) => v.value);
  };
  assert.deepEqual(values(`X IN ('it''s', "dq", "say ""hi""", 'back\\'slash', 'C:\\temp')`), ["it's", 'dq', 'say "hi"', "back'slash", 'C:\\temp']);
  assert.deepEqual(values('X IN (1, -2, 3.5, -0.25, .5, 1e3, TRUE, false)'), [1, -2, 3.5, -0.25, 0.5, 1000, true, false]);
  assert.deepEqual(compile("`My Attr` = 'v'").params, ['v']);
  assert.match(compile("`My Attr` = 'v'").where, /json_extract\(search_attributes, '\$\."My Attr"'\) = \?/);
});

test('each operator compiles to SQL with parameters', () => {
  const cases: [string, string, (string | number)[]][] = [
    ["WorkflowId = 'w'", '(workflow_id = ?)', ['w']],
    ["WorkflowId != 'w'", '(workflow_id != ?)', ['w']],
    ["WorkflowId <> 'w'", '(workflow_id != ?)', ['w']],
    ['HistoryLength < 5', '(history_length < ?)', [5]],
    ['HistoryLength <= 5', '(history_length <= ?)', [5]],
    ['HistoryLength > 5', '(history_length > ?)', [5]],
    ['HistoryLength >= -5', '(history_length >= ?)', [-5]],
    ["WorkflowType IN ('a', 'b')", '(workflow_type IN (?, ?))', ['a', 'b']],
    ["WorkflowType NOT IN ('a')", '(workflow_type NOT IN (?))', ['a']],
    ['StateTransitionCount BETWEEN 1 AND 3', '(state_transition_count BETWEEN ? AND ?)', [1, 3]],
    ['StateTransitionCount NOT BETWEEN 1 AND 3', '(state_transition_count NOT BETWEEN ? AND ?)', [1, 3]],
    ['ParentWorkflowId IS NULL', '(parent_workflow_id IS NULL)', []],
    ['ParentWorkflowId is not null', '(parent_workflow_id IS NOT NULL)', []],
    ["WorkflowId STARTS_WITH 'batch-'", '(instr(workflow_id, ?) = 1)', ['batch-']],
    ["WorkflowId NOT STARTS_WITH 'batch-'", '(NOT (instr(workflow_id, ?) = 1))', ['batch-']],
    ["ExecutionStatus = 'Running'", '(status = ?)', [1]],
    ["ExecutionStatus IN ('Completed', 'TimedOut', 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW')", '(status IN (?, ?, ?))', [2, 7, 6]],
    ["StartTime > '2024-01-01T00:00:00Z'", '(start_time > ?)', [Date.UTC(2024, 0, 1)]],
    ["CloseTime <= '2024-01-01T01:00:00+01:00'", '(close_time <= ?)', [Date.UTC(2024, 0, 1)]],
    ['ExecutionTime >= 1704067200000000000', '(execution_time >= ?)', [Date.UTC(2024, 0, 1)]],
    ["ExecutionDuration > '1h30m'", '(execution_duration > ?)', [90 * 60_000]],
    ["ExecutionDuration < '00:00:10'", '(execution_duration < ?)', [10_000]],
    ['ExecutionDuration >= 2000000000', '(execution_duration >= ?)', [2000]],
    ["CustomDatetimeField < '2024-06-01'", `(json_extract(search_attributes, '$."CustomDatetimeField"') < ?)`, ['2024-06-01T00:00:00.000Z']],
    ['CustomBoolField = true', `(json_extract(search_attributes, '$."CustomBoolField"') = ?)`, [1]],
    ['CustomDoubleField > 1.5', `(json_extract(search_attributes, '$."CustomDoubleField"') > ?)`, [1.5]],
    ["CustomTextField = 'Hello'", `(instr(lower(json_extract(search_attributes, '$."CustomTextField"')), lower(?)) > 0)`, ['Hello']],
    ["Tags = 'x'", `EXISTS (SELECT 1 FROM json_each(search_attributes, '$."Tags"') WHERE value = ?)`, ['x']],
    ["Tags NOT IN ('x', 'y')", `(NOT EXISTS (SELECT 1 FROM json_each(search_attributes, '$."Tags"') WHERE value IN (?, ?)))`, ['x', 'y']],
    ['CustomIntField IS NULL', `(json_extract(search_attributes, '$."CustomIntField"') IS NULL)`, []],
    ["NOT WorkflowId = 'w'", '(NOT (workflow_id = ?))', ['w']],
  ];
  for (const [query, where, params] of cases) {
    assert.deepEqual(compile(query), { where: `${where} AND ${DIVISION}`, params }, query);
  }
});

test('TemporalNamespaceDivision in the query replaces the default division filter', () => {
  assert.deepEqual(compile("TemporalNamespaceDivision = 'TemporalScheduler'"), {
    where: `(json_extract(search_attributes, '$."TemporalNamespaceDivision"') = ?)`,
    params: ['TemporalScheduler'],
  });
});

test('GROUP BY ExecutionStatus is reported; other groupings, ORDER BY and LIMIT are rejected', () => {
  assert.deepEqual(compile('GROUP BY ExecutionStatus'), { where: '1', params: [], groupBy: 'ExecutionStatus' });
  assert.deepEqual(compile("WorkflowType = 'x' group by ExecutionStatus"), {
    where: `(workflow_type = ?) AND ${DIVISION}`,
    params: ['x'],
    groupBy: 'ExecutionStatus',
  });
  rejects('GROUP BY WorkflowType', /GROUP BY is only supported for ExecutionStatus/);
  rejects('GROUP BY ExecutionStatus, WorkflowType', /GROUP BY is only supported for ExecutionStatus/);
  rejects("WorkflowType = 'x' ORDER BY StartTime DESC", /ORDER BY is not supported/);
  rejects('order by StartTime', /ORDER BY is not supported/);
  rejects("WorkflowType = 'x' LIMIT 10", /LIMIT is not supported/);
});

test('syntax errors name the 1-based position and what was found / expected', () => {
  rejects("WorkflowId = 'a' AND AND x = 1", /^invalid query: unexpected token 'AND' at position 22, expected a search attribute name$/);
  rejects("WorkflowId = 'a' WorkflowType = 'b'", /unexpected token 'WorkflowType' at position 18, expected AND, OR, GROUP BY or end of query/);
  rejects('WorkflowId =', /unexpected end of query at position 13, expected a value/);
  rejects("WorkflowId = 'abc", /unterminated string starting at position 14/);
  rejects('`My Attr = 1', /unterminated quoted name starting at position 1/);
  rejects("(WorkflowId = 'a'", /unexpected end of query at position 18, expected '\)'/);
  rejects("WorkflowId LIKE 'a%'", /unexpected token 'LIKE' at position 12, expected an operator/);
  rejects("WorkflowId NOT = 'a'", /position 16, expected IN, BETWEEN or STARTS_WITH/);
  rejects('WorkflowId IN ()', /unexpected token '\)' at position 16, expected a value/);
  rejects("WorkflowId = 'a' ; DROP TABLE x", /unexpected character ';' at position 18/);
  rejects('HistoryLength BETWEEN 1 OR 2', /unexpected token 'OR' at position 25, expected AND/);
});

test('unknown attributes and type mismatches are INVALID_ARGUMENT', () => {
  rejects("Foo = 'x'", /^invalid query: unknown search attribute 'Foo'$/);
  rejects("HistoryLength = 'abc'", /'HistoryLength' of type Int requires an integer value, got 'abc' at position 17/);
  rejects('CustomIntField = 1.5', /'CustomIntField' of type Int requires an integer value/);
  rejects("CustomDoubleField > 'x'", /of type Double requires a numeric value/);
  rejects('CustomBoolField = 1', /of type Bool requires true or false/);
  rejects("StartTime > 'yesterday'", /'StartTime' of type Datetime requires an RFC 3339 datetime/);
  rejects("CustomDatetimeField < '2024-13-45T00:00:00Z'", /of type Datetime requires an RFC 3339 datetime/);
  rejects('WorkflowId = 5', /'WorkflowId' of type Keyword requires a string value/);
  rejects("ExecutionStatus = 'Sleeping'", /invalid ExecutionStatus 'Sleeping'/);
  rejects("ExecutionDuration > 'forever'", /of type Int requires a duration/);
  rejects("CustomTextField STARTS_WITH 'a'", /operator STARTS_WITH is not supported on search attribute 'CustomTextField' of type Text/);
  rejects("HistoryLength STARTS_WITH '1'", /STARTS_WITH is not supported on search attribute 'HistoryLength' of type Int/);
  rejects("Tags > 'a'", /operator > is not supported on search attribute 'Tags' of type KeywordList/);
  rejects("Tags BETWEEN 'a' AND 'b'", /operator BETWEEN is not supported .* KeywordList/);
  rejects("CustomTextField < 'a'", /operator < is not supported .* Text/);
  rejects("CustomTextField IN ('a')", /operator IN is not supported .* Text/);
  rejects("ExecutionStatus > 'Running'", /operator > is not supported on search attribute 'ExecutionStatus'/);
});

// ---------------------------------------------------------------------------------------------------
// End to end against SQLite, on the server's migrated schema

const ROWS: VisibilityRow[] = [
  {
    run_id: 'r1',
    workflow_id: 'batch-1',
    workflow_type: 'order',
    status: 1,
    start_time: Date.parse('2023-12-31T23:00:00Z'),
    close_time: null,
    execution_duration: null,
    search_attributes: { CustomKeywordField: 'a', CustomIntField: 1, Tags: ['x', 'y'], CustomTextField: 'Hello World' },
  },
  {
    run_id: 'r2',
    workflow_id: 'batch-2',
    workflow_type: 'order',
    status: 2,
    start_time: Date.parse('2024-02-01T00:00:00Z'),
    close_time: Date.parse('2024-02-01T00:01:30Z'),
    execution_duration: 90_000,
    search_attributes: { CustomKeywordField: 'b', CustomIntField: 5, CustomDatetimeField: '2024-05-31T23:59:59.999Z', CustomBoolField: true },
  },
  {
    run_id: 'r3',
    workflow_id: 'single',
    workflow_type: 'order',
    status: 1,
    start_time: Date.parse('2024-03-01T00:00:00Z'),
    close_time: null,
    execution_duration: null,
    search_attributes: { CustomKeywordField: 'c', CustomIntField: 9, Tags: ['z'], CustomDatetimeField: '2024-06-01T00:00:00.000Z', CustomBoolField: false },
  },
  {
    run_id: 'r4',
    workflow_id: 'batch-3',
    workflow_type: 'invoice',
    status: 1,
    start_time: Date.parse('2024-04-01T00:00:00Z'),
    close_time: null,
    execution_duration: null,
    search_attributes: { Tags: [], CustomDoubleField: 2.5 },
  },
  {
    run_id: 'r5',
    workflow_id: 'sched-1',
    workflow_type: 'scheduler',
    status: 1,
    start_time: Date.parse('2024-04-01T00:00:00Z'),
    close_time: null,
    execution_duration: null,
    search_attributes: { TemporalNamespaceDivision: 'TemporalScheduler' },
  },
];

test('compiled queries select exactly the expected rows in SQLite', () => {
  const db = openVisibilityDatabase(ROWS);
  const runIds = (query: string): string[] => matchingRunIds(db, compile(query));
  const cases: [string, string[]][] = [
    ['', ['r1', 'r2', 'r3', 'r4', 'r5']],
    ["WorkflowType = 'order' AND ExecutionStatus = 'Running'", ['r1', 'r3']],
    ["WorkflowType = 'invoice' OR WorkflowType = 'order' AND ExecutionStatus = 'Completed'", ['r2', 'r4']],
    ["(WorkflowType = 'invoice' OR WorkflowType = 'order') AND ExecutionStatus = 'Completed'", ['r2']],
    ["NOT ExecutionStatus = 'Running'", ['r2']],
    ["ExecutionStatus != 'Running'", ['r2']],
    ["CustomKeywordField IN ('a','b')", ['r1', 'r2']],
    ["CustomKeywordField NOT IN ('a','b')", ['r3']],
    ['CustomIntField BETWEEN 1 AND 5', ['r1', 'r2']],
    ['CustomIntField NOT BETWEEN 1 AND 5', ['r3']],
    ['CustomIntField >= 5', ['r2', 'r3']],
    ['CustomDoubleField > 2', ['r4']],
    ["StartTime > '2024-01-01T00:00:00Z'", ['r2', 'r3', 'r4']],
    ["StartTime BETWEEN '2024-02-01T00:00:00Z' AND '2024-03-01T00:00:00.000000000Z'", ['r2', 'r3']],
    ["WorkflowId STARTS_WITH 'batch-'", ['r1', 'r2', 'r4']],
    ["WorkflowId NOT STARTS_WITH 'batch-'", ['r3']],
    ["Tags = 'x'", ['r1']],
    ["Tags IN ('y', 'z')", ['r1', 'r3']],
    ["Tags != 'x'", ['r2', 'r3', 'r4']],
    ['Tags IS NULL', ['r2', 'r4']],
    ['Tags IS NOT NULL', ['r1', 'r3']],
    ["CustomDatetimeField < '2024-06-01T00:00:00Z'", ['r2']],
    ["CustomDatetimeField >= '2024-06-01T02:00:00+02:00'", ['r3']],
    ['CloseTime IS NULL', ['r1', 'r3', 'r4']],
    ['CloseTime IS NOT NULL', ['r2']],
    ["ExecutionDuration >= '1m30s'", ['r2']],
    ["ExecutionDuration > '1m30s'", []],
    ['CustomBoolField = true', ['r2']],
    ['CustomBoolField = false', ['r3']],
    ['CustomKeywordField IS NULL', ['r4']],
    ["CustomTextField = 'world'", ['r1']],
    ["CustomTextField != 'world'", []],
    ["RootWorkflowId = 'single' OR RootRunId = 'r4'", ['r3', 'r4']],
    ["TemporalNamespaceDivision = 'TemporalScheduler'", ['r5']],
    ['TemporalNamespaceDivision IS NULL', ['r1', 'r2', 'r3', 'r4']],
    ["WorkflowId = 'x'' OR 1=1 --'", []],
  ];
  for (const [query, expected] of cases) {
    assert.deepEqual(runIds(query), expected, query);
  }
  db.close();
});
