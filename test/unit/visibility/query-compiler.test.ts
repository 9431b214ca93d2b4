import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { SqliteDatabase } from '../../../src/store/sqlite/driver';
import { ServiceError } from '../../../src/common/errors';
import { compileListQuery, type CustomAttributes } from '../../../src/visibility/query-compiler';
import { BUILTIN_ATTRIBUTES } from '../../../src/visibility/search-attributes';
import { matchingRunIds, openVisibilityDatabase, type VisibilityRow } from '../../visibility-db';

// The compiler's SQL runs on the schema the migrations create, so a column renamed or retyped there
// shows up here as a failing match, not as a runtime error in a user's list call.

const CUSTOM: CustomAttributes = new Map([
  ['CustomKeywordField', 'Keyword'],
  ['CustomTextField', 'Text'],
  ['CustomIntField', 'Int'],
  ['CustomDoubleField', 'Double'],
  ['CustomBoolField', 'Bool'],
  ['CustomDatetimeField', 'Datetime'],
  ['Tags', 'KeywordList'],
]);

const RUNNING = 1;
const COMPLETED = 2;
const FAILED = 3;
const CONTINUED_AS_NEW = 6;

const ROWS: VisibilityRow[] = [
  {
    run_id: 'a',
    workflow_id: 'order-1',
    workflow_type: 'Order',
    status: RUNNING,
    start_time: Date.parse('2024-01-10T00:00:00Z'),
    close_time: null,
    execution_duration: null,
    search_attributes: {
      CustomKeywordField: 'red',
      CustomTextField: 'Quick brown fox',
      CustomIntField: 3,
      CustomDoubleField: 1.5,
      CustomBoolField: true,
      CustomDatetimeField: '2024-01-10T00:00:00.000Z',
      Tags: ['blue', 'green'],
    },
  },
  {
    run_id: 'b',
    workflow_id: 'order-2',
    workflow_type: 'Order',
    status: COMPLETED,
    start_time: Date.parse('2024-02-10T00:00:00Z'),
    close_time: Date.parse('2024-02-10T00:01:00Z'),
    execution_duration: 60_000,
    search_attributes: {
      CustomKeywordField: 'green',
      CustomTextField: 'lazy dog',
      CustomIntField: 7,
      CustomDoubleField: 2.25,
      CustomBoolField: false,
      CustomDatetimeField: '2024-03-01T12:00:00.000Z',
      Tags: ['red'],
    },
  },
  {
    run_id: 'c',
    workflow_id: 'invoice-1',
    workflow_type: 'Invoice',
    status: CONTINUED_AS_NEW,
    start_time: Date.parse('2024-03-10T00:00:00Z'),
    close_time: Date.parse('2024-03-10T01:00:00Z'),
    execution_duration: 3_600_000,
    search_attributes: { CustomIntField: 10 },
  },
  {
    run_id: 'd',
    workflow_id: 'invoice-2',
    workflow_type: 'Invoice',
    status: FAILED,
    start_time: Date.parse('2024-04-10T00:00:00Z'),
    close_time: Date.parse('2024-04-10T00:00:05Z'),
    execution_duration: 5_000,
    search_attributes: {},
  },
  {
    // A schedule's own workflow: hidden from every filter that does not name the division.
    run_id: 'e',
    workflow_id: 'order-schedule',
    workflow_type: 'Order',
    status: RUNNING,
    start_time: Date.parse('2024-01-01T00:00:00Z'),
    close_time: null,
    execution_duration: null,
    search_attributes: { TemporalNamespaceDivision: 'TemporalScheduler', CustomKeywordField: 'red' },
  },
];

function rejected(query: string, pattern: RegExp): void {
  assert.throws(
    () => compileListQuery(query, CUSTOM),
    (err: unknown) => err instanceof ServiceError && err.code === 'INVALID_ARGUMENT' && pattern.test(err.message),
    query,
  );
}

describe('list-query compiler on the migrated visibility schema', () => {
  let db: SqliteDatabase;
  const matches = (query: string): string[] => matchingRunIds(db, compileListQuery(query, CUSTOM));
  const expectMatches = (cases: [query: string, runIds: string[]][]): void => {
    for (const [query, runIds] of cases) assert.deepEqual(matches(query), runIds, query);
  };

  before(() => {
    db = openVisibilityDatabase(ROWS);
  });
  after(() => db.close());

  test('every builtin column the compiler knows exists in the schema', () => {
    for (const name of BUILTIN_ATTRIBUTES.keys()) {
      assert.doesNotThrow(() => matches(`${name} IS NOT NULL`), name);
    }
  });

  test('equality and inequality on builtin keywords', () => {
    expectMatches([
      ["WorkflowType = 'Order'", ['a', 'b']],
      ["WorkflowType = 'order'", []],
      ["WorkflowId != 'order-1'", ['b', 'c', 'd']],
      ["RunId = 'c'", ['c']],
    ]);
  });

  test('IN and NOT IN', () => {
    expectMatches([
      ["WorkflowId IN ('order-1', 'invoice-2')", ['a', 'd']],
      ["WorkflowId NOT IN ('order-1', 'invoice-2')", ['b', 'c']],
      ['CustomIntField IN (3, 10)', ['a', 'c']],
      // An absent attribute is neither in nor out of the list (SQL's three-valued logic, as in Temporal).
      ["CustomKeywordField NOT IN ('red')", ['b']],
    ]);
  });

  test('BETWEEN on times, integers and doubles, inclusive at both ends', () => {
    expectMatches([
      ["StartTime BETWEEN '2024-02-01T00:00:00Z' AND '2024-03-31T00:00:00Z'", ['b', 'c']],
      ["StartTime BETWEEN '2024-02-10T00:00:00Z' AND '2024-03-10T00:00:00Z'", ['b', 'c']],
      ["StartTime NOT BETWEEN '2024-02-01' AND '2024-03-31'", ['a', 'd']],
      ['CustomIntField BETWEEN 3 AND 7', ['a', 'b']],
      ['CustomDoubleField BETWEEN 1 AND 2', ['a']],
      ["ExecutionDuration BETWEEN '1m' AND '1h'", ['b', 'c']],
    ]);
  });

  test('STARTS_WITH is a case-sensitive prefix match', () => {
    expectMatches([
      ["WorkflowId STARTS_WITH 'order-'", ['a', 'b']],
      ["WorkflowId STARTS_WITH 'Order-'", []],
      ["WorkflowId NOT STARTS_WITH 'order-'", ['c', 'd']],
      ["CustomKeywordField STARTS_WITH 'gr'", ['b']],
      // LIKE wildcards are plain characters in a prefix.
      ["WorkflowId STARTS_WITH 'order%'", []],
    ]);
  });

  test('ORDER BY and LIMIT are rejected, as Temporal rejects them for SQL visibility', () => {
    rejected("WorkflowType = 'Order' ORDER BY StartTime DESC", /ORDER BY is not supported/);
    rejected('ORDER BY StartTime', /ORDER BY is not supported/);
    rejected("WorkflowType = 'Order' LIMIT 5", /LIMIT is not supported/);
  });

  test('custom attributes of each type', () => {
    expectMatches([
      // Keyword: exact.
      ["CustomKeywordField = 'red'", ['a']],
      ['CustomKeywordField IS NULL', ['c', 'd']],
      // Text: case-insensitive containment.
      ["CustomTextField = 'BROWN'", ['a']],
      ["CustomTextField != 'brown'", ['b']],
      // Int and Double: numeric order, not text order.
      ['CustomIntField > 5', ['b', 'c']],
      ['CustomIntField < 10', ['a', 'b']],
      ['CustomDoubleField >= 2', ['b']],
      ['CustomDoubleField < 2.25', ['a']],
      // Bool: TRUE/FALSE or their string forms.
      ['CustomBoolField = true', ['a']],
      ["CustomBoolField = 'FALSE'", ['b']],
      // Datetime: any RFC 3339 spelling of the same instant.
      ["CustomDatetimeField = '2024-01-10T00:00:00Z'", ['a']],
      ["CustomDatetimeField = '2024-01-10T01:00:00+01:00'", ['a']],
      ["CustomDatetimeField > '2024-02-01T00:00:00Z'", ['b']],
      // KeywordList: membership; "not equal" means "does not contain", which an absent list satisfies.
      ["Tags = 'red'", ['b']],
      ["Tags IN ('blue', 'red')", ['a', 'b']],
      ["Tags != 'red'", ['a', 'c', 'd']],
      ['Tags IS NULL', ['c', 'd']],
    ]);
    rejected('CustomIntField = 1.5', /CustomIntField' of type Int requires an integer value/);
    rejected("CustomDoubleField = 'x'", /CustomDoubleField' of type Double requires a numeric value/);
    rejected("CustomDatetimeField > 'yesterday'", /CustomDatetimeField' of type Datetime requires an RFC 3339 datetime/);
    rejected("CustomTextField STARTS_WITH 'Q'", /STARTS_WITH is not supported on search attribute 'CustomTextField' of type Text/);
    rejected("Tags BETWEEN 'a' AND 'b'", /BETWEEN is not supported on search attribute 'Tags' of type KeywordList/);
    rejected("Unregistered = 'x'", /unknown search attribute 'Unregistered'/);
  });

  test('ExecutionStatus accepts the names Temporal accepts, in any case, and the enum numbers', () => {
    expectMatches([
      ["ExecutionStatus = 'Running'", ['a']],
      ["ExecutionStatus = 'completed'", ['b']],
      ["ExecutionStatus = 'ContinuedAsNew'", ['c']],
      ["ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_FAILED'", ['d']],
      ['ExecutionStatus = 3', ['d']],
      ["ExecutionStatus IN ('Running', 'Failed')", ['a', 'd']],
      ["ExecutionStatus != 'Running'", ['b', 'c', 'd']],
    ]);
    rejected("ExecutionStatus = 'Paused'", /invalid ExecutionStatus 'Paused'/);
    rejected("ExecutionStatus > 'Running'", /operator > is not supported on search attribute 'ExecutionStatus'/);
  });

  test('the namespace division hides a schedule’s workflows unless the filter names it', () => {
    expectMatches([
      ["WorkflowType = 'Order'", ['a', 'b']],
      ["TemporalNamespaceDivision = 'TemporalScheduler'", ['e']],
      ["TemporalNamespaceDivision = 'TemporalScheduler' AND CustomKeywordField = 'red'", ['e']],
    ]);
  });

  test('parameters keep literals out of the SQL text', () => {
    const compiled = compileListQuery("WorkflowId = 'x'' OR 1=1 --'", CUSTOM);
    assert.deepEqual(compiled.params, ["x' OR 1=1 --"]);
    assert.equal(matchingRunIds(db, compiled).length, 0);
  });
});
