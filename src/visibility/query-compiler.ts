import { invalidArgument } from '../common/errors';
import type { ListQueryAst, ListQueryAttribute, ListQueryExpr, ListQueryValue } from './query-ast';
import { parseListQuery } from './query-parser';
import type { SearchAttributeType } from './search-attribute-type';

/**
 * Compiles a parsed list filter to a SQLite boolean expression over `executions_visibility`.
 * Every literal becomes a `?` parameter, pushed in the order its placeholder appears in the SQL text.
 *
 * Comparisons follow SQL three-valued logic, as Temporal's SQL visibility stores do: a row whose
 * attribute is absent (NULL) matches neither `X = v` nor `X != v`; only `IS NULL` finds it. A KeywordList
 * is the exception: `!=` / `NOT IN` mean "does not contain", which an absent list satisfies.
 */

/** Custom attributes registered in the namespace (name → type). */
export type CustomAttributes = ReadonlyMap<string, SearchAttributeType>;

export interface CompiledListQuery {
  /** SQL boolean expression over `executions_visibility` ('1' when the query is empty), with `?` placeholders. */
  where: string;
  params: (string | number)[];
  /** Set when the query ends with GROUP BY ExecutionStatus (only that grouping is supported). */
  groupBy?: 'ExecutionStatus';
}

/** Parses and compiles in one step; every user error is an INVALID_ARGUMENT ServiceError. */
export function compileListQuery(query: string, custom: CustomAttributes): CompiledListQuery {
  return compileListQueryAst(parseListQuery(query), custom);
}

/** How a value is checked and converted, and which operators the attribute supports. */
type ValueKind =
  | 'keyword'
  | 'text'
  | 'int'
  | 'double'
  | 'bool'
  | 'keywordList'
  /** Datetime in an epoch-ms column. */
  | 'epochMs'
  /** Datetime in the JSON, as an ISO string. */
  | 'isoDatetime'
  /** ExecutionStatus: status names compiled to the enum's integer. */
  | 'status'
  /** ExecutionDuration: nanoseconds or a duration string, compiled to milliseconds. */
  | 'duration';

interface Attribute {
  name: string;
  type: SearchAttributeType;
  kind: ValueKind;
  /** The SQL for a scalar attribute; for a KeywordList, the JSON path literal. */
  sql: string;
  /** For JSON-stored attributes: the quoted JSON path, e.g. `'$."Name"'`. */
  jsonPath?: string;
}

const NAMESPACE_DIVISION = 'TemporalNamespaceDivision';

const COLUMN_ATTRIBUTES: Record<string, [column: string, type: SearchAttributeType, kind: ValueKind]> = {
  WorkflowId: ['workflow_id', 'Keyword', 'keyword'],
  RunId: ['run_id', 'Keyword', 'keyword'],
  WorkflowType: ['workflow_type', 'Keyword', 'keyword'],
  TaskQueue: ['task_queue', 'Keyword', 'keyword'],
  ExecutionStatus: ['status', 'Keyword', 'status'],
  StartTime: ['start_time', 'Datetime', 'epochMs'],
  ExecutionTime: ['execution_time', 'Datetime', 'epochMs'],
  CloseTime: ['close_time', 'Datetime', 'epochMs'],
  ExecutionDuration: ['execution_duration', 'Int', 'duration'],
  HistoryLength: ['history_length', 'Int', 'int'],
  HistorySizeBytes: ['history_size_bytes', 'Int', 'int'],
  StateTransitionCount: ['state_transition_count', 'Int', 'int'],
  ParentWorkflowId: ['parent_workflow_id', 'Keyword', 'keyword'],
  ParentRunId: ['parent_run_id', 'Keyword', 'keyword'],
  RootWorkflowId: ['root_workflow_id', 'Keyword', 'keyword'],
  RootRunId: ['root_run_id', 'Keyword', 'keyword'],
};

/** System attributes kept in the search_attributes JSON, next to the custom ones. */
const JSON_SYSTEM_ATTRIBUTES: Record<string, SearchAttributeType> = {
  TemporalChangeVersion: 'KeywordList',
  BuildIds: 'KeywordList',
  [NAMESPACE_DIVISION]: 'Keyword',
  // Set on the runs a schedule starts.
  TemporalScheduledById: 'Keyword',
  TemporalScheduledStartTime: 'Datetime',
};

const KIND_OF_TYPE: Record<SearchAttributeType, ValueKind> = {
  Keyword: 'keyword',
  Text: 'text',
  Int: 'int',
  Double: 'double',
  Bool: 'bool',
  Datetime: 'isoDatetime',
  KeywordList: 'keywordList',
};

/** WorkflowExecutionStatus values, by the names Temporal's query language uses. */
const STATUSES: Record<string, number> = {
  RUNNING: 1,
  COMPLETED: 2,
  FAILED: 3,
  CANCELED: 4,
  TERMINATED: 5,
  CONTINUEDASNEW: 6,
  TIMEDOUT: 7,
};

type Operation = 'equality' | 'range' | 'in' | 'startsWith' | 'isNull';

const SUPPORTED: Record<ValueKind, Operation[]> = {
  keyword: ['equality', 'range', 'in', 'startsWith', 'isNull'],
  text: ['equality', 'isNull'],
  int: ['equality', 'range', 'in', 'isNull'],
  double: ['equality', 'range', 'in', 'isNull'],
  bool: ['equality', 'isNull'],
  keywordList: ['equality', 'in', 'isNull'],
  epochMs: ['equality', 'range', 'in', 'isNull'],
  isoDatetime: ['equality', 'range', 'in', 'isNull'],
  status: ['equality', 'in', 'isNull'],
  duration: ['equality', 'range', 'in', 'isNull'],
};

function queryError(message: string): Error {
  return invalidArgument(`invalid query: ${message}`);
}

/** SQL string literal for a JSON path naming one top-level key. */
function jsonPathLiteral(name: string): string {
  // SQLite's JSON path has no escape inside a quoted key, so a name holding '"' cannot be addressed.
  if (name.includes('"')) {
    throw queryError(`search attribute name '${name}' cannot be queried`);
  }
  return `'${`$."${name}"`.replaceAll("'", "''")}'`;
}

function jsonAttribute(name: string, type: SearchAttributeType): Attribute {
  const jsonPath = jsonPathLiteral(name);
  return { name, type, kind: KIND_OF_TYPE[type], sql: `json_extract(search_attributes, ${jsonPath})`, jsonPath };
}

function resolveAttribute(attribute: ListQueryAttribute, custom: CustomAttributes): Attribute {
  const name = attribute.name;
  const column = Object.hasOwn(COLUMN_ATTRIBUTES, name) ? COLUMN_ATTRIBUTES[name] : undefined;
  if (column) {
    return { name, type: column[1], kind: column[2], sql: column[0] };
  }
  const type = (Object.hasOwn(JSON_SYSTEM_ATTRIBUTES, name) ? JSON_SYSTEM_ATTRIBUTES[name] : undefined) ?? custom.get(name);
  if (!type) {
    throw queryError(`unknown search attribute '${name}'`);
  }
  return jsonAttribute(name, type);
}

/** Compiles a parsed query; `compileListQuery` is the usual entry point. */
export function compileListQueryAst(ast: ListQueryAst, custom: CustomAttributes): CompiledListQuery {
  const compiled: CompiledListQuery = { where: '1', params: [] };
  if (ast.groupBy) {
    if (ast.groupBy.length !== 1 || ast.groupBy[0]?.name !== 'ExecutionStatus') {
      throw queryError(`GROUP BY is only supported for ExecutionStatus, got GROUP BY ${ast.groupBy.map((a) => a.name).join(', ')}`);
    }
    compiled.groupBy = 'ExecutionStatus';
  }
  if (ast.filter) {
    const compiler = new SqlCompiler(custom);
    const where = compiler.compile(ast.filter);
    compiled.where = compiler.mentionsNamespaceDivision
      ? where
      : `${where} AND json_extract(search_attributes, ${jsonPathLiteral(NAMESPACE_DIVISION)}) IS NULL`;
    compiled.params = compiler.params;
  }
  return compiled;
}

class SqlCompiler {
  readonly params: (string | number)[] = [];
  mentionsNamespaceDivision = false;

  constructor(private readonly custom: CustomAttributes) {}

  /** Returns a self-contained (parenthesized where needed) SQL expression. */
  compile(expr: ListQueryExpr): string {
    switch (expr.kind) {
      case 'and':
        return `(${this.compile(expr.left)} AND ${this.compile(expr.right)})`;
      case 'or':
        return `(${this.compile(expr.left)} OR ${this.compile(expr.right)})`;
      case 'not':
        return `(NOT ${this.compile(expr.expr)})`;
      case 'compare': {
        const attr = this.attribute(expr.attribute, expr.op === '=' || expr.op === '!=' ? 'equality' : 'range', expr.op);
        const negated = expr.op === '!=';
        if (attr.kind === 'keywordList') {
          return this.listContains(attr, [expr.value], negated);
        }
        if (attr.kind === 'text') {
          const contains = `instr(lower(${attr.sql}), lower(${this.param(attr, expr.value)})) > 0`;
          return negated ? `(NOT (${contains}))` : `(${contains})`;
        }
        return `(${attr.sql} ${expr.op} ${this.param(attr, expr.value)})`;
      }
      case 'in': {
        const attr = this.attribute(expr.attribute, 'in', expr.negated ? 'NOT IN' : 'IN');
        if (attr.kind === 'keywordList') {
          return this.listContains(attr, expr.values, expr.negated);
        }
        const list = expr.values.map((v) => this.param(attr, v)).join(', ');
        return `(${attr.sql} ${expr.negated ? 'NOT IN' : 'IN'} (${list}))`;
      }
      case 'between': {
        const attr = this.attribute(expr.attribute, 'range', expr.negated ? 'NOT BETWEEN' : 'BETWEEN');
        const low = this.param(attr, expr.low);
        const high = this.param(attr, expr.high);
        return `(${attr.sql} ${expr.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${low} AND ${high})`;
      }
      case 'isNull': {
        const attr = this.attribute(expr.attribute, 'isNull', expr.negated ? 'IS NOT NULL' : 'IS NULL');
        if (attr.kind === 'keywordList') {
          // Absent, JSON null and the empty list all count as "not set".
          const exists = `EXISTS (SELECT 1 FROM json_each(search_attributes, ${attr.jsonPath}) WHERE value IS NOT NULL)`;
          return expr.negated ? exists : `(NOT ${exists})`;
        }
        return `(${attr.sql} ${expr.negated ? 'IS NOT NULL' : 'IS NULL'})`;
      }
      case 'startsWith': {
        const attr = this.attribute(expr.attribute, 'startsWith', expr.negated ? 'NOT STARTS_WITH' : 'STARTS_WITH');
        // instr() is case-sensitive and needs no escaping, unlike LIKE.
        const prefixed = `instr(${attr.sql}, ${this.param(attr, expr.value)}) = 1`;
        return expr.negated ? `(NOT (${prefixed}))` : `(${prefixed})`;
      }
    }
  }

  private attribute(ref: ListQueryAttribute, operation: Operation, operator: string): Attribute {
    const attr = resolveAttribute(ref, this.custom);
    if (attr.name === NAMESPACE_DIVISION) {
      this.mentionsNamespaceDivision = true;
    }
    if (!SUPPORTED[attr.kind].includes(operation)) {
      throw queryError(`operator ${operator} is not supported on search attribute '${attr.name}' of type ${attr.type}`);
    }
    return attr;
  }

  /** "The list contains one of the values" (or, negated, "none of them"). */
  private listContains(attr: Attribute, values: ListQueryValue[], negated: boolean): string {
    const source = `json_each(search_attributes, ${attr.jsonPath})`;
    const list = values.map((v) => this.param(attr, v));
    const test = list.length === 1 ? `value = ${list[0]}` : `value IN (${list.join(', ')})`;
    const exists = `EXISTS (SELECT 1 FROM ${source} WHERE ${test})`;
    return negated ? `(NOT ${exists})` : exists;
  }

  /** Type-checks and converts one literal, pushes it, and returns its placeholder. */
  private param(attr: Attribute, value: ListQueryValue): string {
    this.params.push(convertValue(attr, value));
    return '?';
  }
}

function describeValue(value: ListQueryValue): string {
  switch (value.kind) {
    case 'string':
      return `'${value.value}'`;
    case 'number':
      return value.raw;
    case 'bool':
      return String(value.value);
  }
}

function convertValue(attr: Attribute, value: ListQueryValue): string | number {
  const mismatch = (expected: string): Error =>
    queryError(`search attribute '${attr.name}' of type ${attr.type} requires ${expected}, got ${describeValue(value)} at position ${value.position}`);
  switch (attr.kind) {
    case 'keyword':
    case 'text':
    case 'keywordList':
      if (value.kind !== 'string') throw mismatch('a string value');
      return value.value;
    case 'int':
      if (value.kind !== 'number' || !Number.isInteger(value.value)) throw mismatch('an integer value');
      return value.value;
    case 'double':
      if (value.kind !== 'number') throw mismatch('a numeric value');
      return value.value;
    case 'bool':
      if (value.kind === 'bool') return value.value ? 1 : 0;
      if (value.kind === 'string' && /^(true|false)$/i.test(value.value)) return value.value.toLowerCase() === 'true' ? 1 : 0;
      throw mismatch('true or false');
    case 'epochMs':
    case 'isoDatetime': {
      const ms = datetimeToMs(value);
      if (ms === undefined) throw mismatch("an RFC 3339 datetime such as '2024-01-01T00:00:00Z'");
      return attr.kind === 'epochMs' ? ms : new Date(Math.floor(ms)).toISOString();
    }
    case 'status': {
      const status = statusValue(value);
      if (status === undefined) {
        throw queryError(
          `invalid ExecutionStatus ${describeValue(value)} at position ${value.position}; expected one of Running, Completed, Failed, Canceled, Terminated, ContinuedAsNew, TimedOut`,
        );
      }
      return status;
    }
    case 'duration': {
      const ms = durationToMs(value);
      if (ms === undefined) throw mismatch("a duration such as '1h30m', '01:30:00' or an integer number of nanoseconds");
      return ms;
    }
  }
}

function statusValue(value: ListQueryValue): number | undefined {
  if (value.kind === 'number') {
    return Number.isInteger(value.value) && value.value >= 1 && value.value <= 7 ? value.value : undefined;
  }
  if (value.kind !== 'string') return undefined;
  const name = value.value
    .toUpperCase()
    .replace(/^WORKFLOW_EXECUTION_STATUS_/, '')
    .replaceAll('_', '');
  return Object.hasOwn(STATUSES, name) ? STATUSES[name] : undefined;
}

/** An integer of nanoseconds in Go's int64 (time.Unix(0, n), time.Duration), in milliseconds; out of range is no value. */
function nanosToMs(nanos: number): number | undefined {
  return Number.isInteger(nanos) && Math.abs(nanos) <= 2 ** 63 ? nanos / 1e6 : undefined;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?)?(Z|z|[+-]\d{2}:?\d{2})?$/;

/** An RFC 3339 string (date-only and a missing offset mean UTC), or an integer of epoch nanoseconds as Temporal accepts. */
function datetimeToMs(value: ListQueryValue): number | undefined {
  if (value.kind === 'number') return nanosToMs(value.value);
  if (value.kind !== 'string') return undefined;
  const match = RFC3339.exec(value.value.trim());
  if (!match) return undefined;
  const [, date, time = '00:00:00', fraction = '', zone = 'Z'] = match;
  const seconds = time.length === 5 ? `${time}:00` : time;
  const millis = (fraction + '000').slice(0, 3);
  const offset = zone === 'Z' || zone === 'z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const ms = Date.parse(`${date}T${seconds}.${millis}${offset}`);
  if (Number.isNaN(ms)) return undefined;
  // Keep sub-millisecond digits, so that '>' a time between two milliseconds stays exact.
  const subMillis = fraction.length > 3 ? Number(`0.${fraction.slice(3)}`) : 0;
  return ms + subMillis;
}

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

/** Nanoseconds (a number, or a string of digits), a Go duration ('1h30m', '1.5s', '2d'), or 'hh:mm:ss'. */
function durationToMs(value: ListQueryValue): number | undefined {
  if (value.kind === 'number') return nanosToMs(value.value);
  if (value.kind !== 'string') return undefined;
  const text = value.value.trim();
  if (/^-?\d+$/.test(text)) return nanosToMs(Number(text));
  const clock = /^(\d+):([0-5]\d):([0-5]\d(?:\.\d+)?)$/.exec(text);
  if (clock) {
    const [, h, m, s] = clock as unknown as [string, string, string, string];
    return (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  }
  const go = /^(-?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d))+$/.exec(text);
  if (!go) return undefined;
  let ms = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/g)) {
    ms += Number(part[1]) * (DURATION_UNITS_MS[part[2] as string] as number);
  }
  return go[1] === '-' ? -ms : ms;
}
