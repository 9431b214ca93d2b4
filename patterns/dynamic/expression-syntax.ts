/**
 * What every stage of the expression language shares (see expression.ts for the grammar): the
 * syntax tree the parser builds and the evaluator walks, the names no expression may read, and
 * the two errors, both carrying the 0-based position in the source.
 * Workflow-safe: no Node APIs, no I/O.
 */

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type LogicalOperator = '&&' | '||';
export type LiteralValue = string | number | boolean | null;

/** The parsed form of an expression; `position` is the 0-based offset of the node in the source. */
export type ExpressionNode =
  | { readonly kind: 'literal'; readonly value: LiteralValue; readonly position: number }
  | { readonly kind: 'path'; readonly root: string; readonly segments: readonly string[]; readonly position: number }
  | { readonly kind: 'not'; readonly operand: ExpressionNode; readonly position: number }
  | {
      readonly kind: 'binary';
      readonly operator: ComparisonOperator | LogicalOperator;
      readonly left: ExpressionNode;
      readonly right: ExpressionNode;
      readonly position: number;
    };

/** A parsed expression, ready to evaluate any number of times. */
export interface Expression {
  readonly source: string;
  readonly ast: ExpressionNode;
}

/** Names a definition can never read: they lead to prototypes and constructors, the classic sandbox escapes. */
export const FORBIDDEN_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** An expression that failed at `position` (the 0-based offset of the offending character) of `source`. */
abstract class ExpressionError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
    readonly source: string,
  ) {
    super(`${reason} at position ${position} in ${JSON.stringify(source)}`);
  }
}

/** The expression does not parse. */
export class ExpressionSyntaxError extends ExpressionError {
  override readonly name = 'ExpressionSyntaxError';
}

/** The expression parsed but cannot be evaluated against these values (e.g. `<` between a string and a number). */
export class ExpressionEvaluationError extends ExpressionError {
  override readonly name = 'ExpressionEvaluationError';
}

export interface ParseOptions {
  /**
   * Identifiers an expression may start with (e.g. `results`, and `item`/`index` inside loops).
   * Anything else is a syntax error, so typos are caught when a definition is validated, not mid-run.
   * Default: `['results']`.
   */
  readonly roots?: readonly string[];
}
