import { invalidArgument } from '../common/errors';
import type { ListQueryExpr, ListQueryValue } from '../visibility/query-ast';
import { parseListQuery } from '../visibility/query-parser';
import type { SearchAttributeType } from '../visibility/search-attribute-type';

/** A schedule as ListSchedules' query sees it: its search attributes plus ScheduleId and TemporalSchedulePaused. */
export type ScheduleAttributes = Record<string, unknown>;

/** Attributes every schedule has besides the registered ones. */
export const SCHEDULE_ATTRIBUTES: ReadonlyMap<string, SearchAttributeType> = new Map([
  ['ScheduleId', 'Keyword'],
  ['TemporalSchedulePaused', 'Bool'],
]);

/**
 * A list filter (the visibility query language) evaluated in memory over schedules: there are few, and their
 * attributes are not visibility rows. Names must be registered (`known`); absent values match only IS NULL.
 */
export function scheduleFilter(query: string, known: ReadonlyMap<string, SearchAttributeType>): (attrs: ScheduleAttributes) => boolean {
  const { filter } = parseListQuery(query);
  if (!filter) return () => true;
  check(filter, known);
  return (attrs) => evaluate(filter, attrs, known);
}

function check(e: ListQueryExpr, known: ReadonlyMap<string, SearchAttributeType>): void {
  if (e.kind === 'and' || e.kind === 'or') {
    check(e.left, known);
    check(e.right, known);
  } else if (e.kind === 'not') check(e.expr, known);
  else if (!known.has(e.attribute.name) && !SCHEDULE_ATTRIBUTES.has(e.attribute.name)) {
    throw invalidArgument(`invalid query: filter expression: invalid search attribute: ${e.attribute.name}`);
  }
}

function evaluate(e: ListQueryExpr, attrs: ScheduleAttributes, known: ReadonlyMap<string, SearchAttributeType>): boolean {
  switch (e.kind) {
    case 'and':
      return evaluate(e.left, attrs, known) && evaluate(e.right, attrs, known);
    case 'or':
      return evaluate(e.left, attrs, known) || evaluate(e.right, attrs, known);
    case 'not':
      return !evaluate(e.expr, attrs, known);
    case 'isNull': {
      const v = attrs[e.attribute.name];
      return (v === undefined || v === null) !== e.negated;
    }
    default:
  }
  const type = known.get(e.attribute.name) ?? SCHEDULE_ATTRIBUTES.get(e.attribute.name) ?? 'Keyword';
  const raw = attrs[e.attribute.name];
  if (raw === undefined || raw === null) return false;
  const values = Array.isArray(raw) ? raw : [raw];
  const cmp = (a: unknown, b: ListQueryValue): number => compare(a, b, type);
  switch (e.kind) {
    case 'compare': {
      const ops: Record<string, (c: number) => boolean> = {
        '=': (c) => c === 0,
        '!=': (c) => c !== 0,
        '<': (c) => c < 0,
        '>': (c) => c > 0,
        '<=': (c) => c <= 0,
        '>=': (c) => c >= 0,
      };
      const op = ops[e.op] ?? (() => false);
      // A KeywordList equals a value when it contains it.
      return e.op === '!=' ? values.every((v) => op(cmp(v, e.value))) : values.some((v) => op(cmp(v, e.value)));
    }
    case 'in': {
      const hit = values.some((v) => e.values.some((x) => cmp(v, x) === 0));
      return hit !== e.negated;
    }
    case 'between': {
      const hit = values.some((v) => cmp(v, e.low) >= 0 && cmp(v, e.high) <= 0);
      return hit !== e.negated;
    }
    case 'startsWith': {
      const hit = values.some((v) => String(v).startsWith(String(e.value.value)));
      return hit !== e.negated;
    }
  }
}

function compare(a: unknown, b: ListQueryValue, type: SearchAttributeType): number {
  if (type === 'Datetime') return Math.sign(Date.parse(String(a)) - Date.parse(String(b.value)));
  if (typeof a === 'number') return Math.sign(a - Number(b.value));
  if (typeof a === 'boolean') return a === (b.value === true || b.value === 'true') ? 0 : 1;
  const x = String(a);
  const y = String(b.value);
  return x < y ? -1 : x > y ? 1 : 0;
}
