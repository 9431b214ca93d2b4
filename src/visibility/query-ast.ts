/**
 * The parsed form of a visibility list filter. Only types: the parser produces it and the compiler
 * consumes it, so both depend on this module and never on each other's internals.
 */

/** `position` is 1-based, in characters of the query string. */
export type ListQueryValue =
  | { kind: 'string'; value: string; position: number }
  | { kind: 'number'; value: number; raw: string; position: number }
  | { kind: 'bool'; value: boolean; position: number };

export interface ListQueryAttribute {
  name: string;
  position: number;
}

export type ComparisonOperator = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type ListQueryExpr =
  | { kind: 'and'; left: ListQueryExpr; right: ListQueryExpr }
  | { kind: 'or'; left: ListQueryExpr; right: ListQueryExpr }
  | { kind: 'not'; expr: ListQueryExpr }
  | { kind: 'compare'; attribute: ListQueryAttribute; op: ComparisonOperator; value: ListQueryValue }
  | { kind: 'in'; attribute: ListQueryAttribute; negated: boolean; values: ListQueryValue[] }
  | { kind: 'between'; attribute: ListQueryAttribute; negated: boolean; low: ListQueryValue; high: ListQueryValue }
  | { kind: 'isNull'; attribute: ListQueryAttribute; negated: boolean }
  | { kind: 'startsWith'; attribute: ListQueryAttribute; negated: boolean; value: ListQueryValue };

export interface ListQueryAst {
  /** Undefined when the query has no filter (empty, or only a GROUP BY). */
  filter?: ListQueryExpr;
  /** The GROUP BY names, as written; the compiler accepts only `['ExecutionStatus']`. */
  groupBy?: ListQueryAttribute[];
}
