/**
 * A small, safe expression language for dynamic workflow definitions: conditions (`if`), loop
 * sources (`over`) and activity inputs (`{ "$expr": ... }`) read the results of earlier steps.
 *
 * Why not `eval`/`Function`: definitions come from data (a database, an API), so they must not be
 * able to run code, reach prototypes or touch globals — and the workflow sandbox must stay
 * deterministic. This interpreter only reads own properties of plain data.
 *
 * Grammar (lowest to highest precedence):
 * ```
 * or         := and ('||' and)*
 * and        := comparison ('&&' comparison)*
 * comparison := unary (('==' | '!=' | '<' | '<=' | '>' | '>=') unary)?
 * unary      := '!' unary | primary
 * primary    := literal | path | '(' or ')'
 * literal    := number | 'string' | "string" | true | false | null
 * path       := identifier ('.' (identifier | digits))*      e.g. results.charge.amount, item.sku, results.validate.skus.0
 * ```
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

/** The expression does not parse; `position` is the 0-based offset of the offending character. */
export class ExpressionSyntaxError extends Error {
  override readonly name = 'ExpressionSyntaxError';
  constructor(
    readonly reason: string,
    readonly position: number,
    readonly source: string,
  ) {
    super(`${reason} at position ${position} in ${JSON.stringify(source)}`);
  }
}

/** The expression parsed but cannot be evaluated against these values (e.g. `<` between a string and a number). */
export class ExpressionEvaluationError extends Error {
  override readonly name = 'ExpressionEvaluationError';
  constructor(
    readonly reason: string,
    readonly position: number,
    readonly source: string,
  ) {
    super(`${reason} at position ${position} in ${JSON.stringify(source)}`);
  }
}

export interface ParseOptions {
  /**
   * Identifiers an expression may start with (e.g. `results`, and `item`/`index` inside loops).
   * Anything else is a syntax error, so typos are caught when a definition is validated, not mid-run.
   * Default: `['results']`.
   */
  readonly roots?: readonly string[];
}

type Token =
  | { readonly kind: 'number'; readonly value: number; readonly position: number }
  | { readonly kind: 'string'; readonly value: string; readonly position: number }
  | { readonly kind: 'identifier'; readonly value: string; readonly position: number }
  | { readonly kind: 'operator'; readonly value: string; readonly position: number }
  | { readonly kind: 'end'; readonly position: number };

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '.'] as const;
const MAX_SOURCE_LENGTH = 2000;

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function isIdentifierStart(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z_$]/.test(ch);
}

function isIdentifierPart(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_$]/.test(ch);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (reason: string, position: number): never => {
    throw new ExpressionSyntaxError(reason, position, source);
  };
  while (i < source.length) {
    const ch = source[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const start = i;
    const previous = tokens[tokens.length - 1];
    // A number, optionally negative; '-' is not otherwise an operator. After a '.', digits are a path segment.
    const afterDot = previous?.kind === 'operator' && previous.value === '.';
    if (!afterDot && (isDigit(ch) || (ch === '-' && isDigit(source[i + 1])))) {
      i++;
      while (isDigit(source[i])) i++;
      if (source[i] === '.' && isDigit(source[i + 1])) {
        i++;
        while (isDigit(source[i])) i++;
      }
      if (isIdentifierPart(source[i])) fail(`unexpected ${JSON.stringify(source[i])} after number`, i);
      tokens.push({ kind: 'number', value: Number(source.slice(start, i)), position: start });
      continue;
    }
    if (afterDot && isDigit(ch)) {
      while (isDigit(source[i])) i++;
      tokens.push({ kind: 'identifier', value: source.slice(start, i), position: start });
      continue;
    }
    if (ch === '"' || ch === "'") {
      const quote = ch;
      let value = '';
      i++;
      for (;;) {
        const c = source[i];
        if (c === undefined) fail('unterminated string', start);
        if (c === quote) break;
        if (c === '\\') {
          const escaped = source[i + 1];
          if (escaped === undefined) fail('unterminated string', start);
          value += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', value, position: start });
      continue;
    }
    if (isIdentifierStart(ch)) {
      while (isIdentifierPart(source[i])) i++;
      tokens.push({ kind: 'identifier', value: source.slice(start, i), position: start });
      continue;
    }
    const operator = OPERATORS.find((op) => source.startsWith(op, i));
    if (operator === undefined) {
      const hint = ch === '=' ? ' (use "==" to compare)' : ch === '&' || ch === '|' ? ` (use "${ch}${ch}")` : '';
      fail(`unexpected character ${JSON.stringify(ch)}${hint}`, i);
    } else {
      tokens.push({ kind: 'operator', value: operator, position: start });
      i += operator.length;
    }
  }
  tokens.push({ kind: 'end', position: source.length });
  return tokens;
}

function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of expression';
    case 'string':
      return `string ${JSON.stringify(token.value)}`;
    case 'number':
      return `number ${token.value}`;
    default:
      return JSON.stringify(token.value);
  }
}

class Parser {
  private index = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    private readonly roots: ReadonlySet<string>,
  ) {}

  parse(): ExpressionNode {
    if (this.peek().kind === 'end') this.fail('empty expression', 0);
    const node = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') this.fail(`unexpected ${describeToken(next)}`, next.position);
    return node;
  }

  private peek(): Token {
    // The token list always ends with an 'end' token, and the parser never advances past it.
    return this.tokens[this.index] ?? { kind: 'end', position: this.source.length };
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isOperator(...values: string[]): boolean {
    const token = this.peek();
    return token.kind === 'operator' && values.includes(token.value);
  }

  private fail(reason: string, position: number): never {
    throw new ExpressionSyntaxError(reason, position, this.source);
  }

  private parseOr(): ExpressionNode {
    let left = this.parseAnd();
    while (this.isOperator('||')) {
      const op = this.next();
      left = { kind: 'binary', operator: '||', left, right: this.parseAnd(), position: op.position };
    }
    return left;
  }

  private parseAnd(): ExpressionNode {
    let left = this.parseComparison();
    while (this.isOperator('&&')) {
      const op = this.next();
      left = { kind: 'binary', operator: '&&', left, right: this.parseComparison(), position: op.position };
    }
    return left;
  }

  private parseComparison(): ExpressionNode {
    const left = this.parseUnary();
    if (this.isOperator('==', '!=', '<', '<=', '>', '>=')) {
      const op = this.next() as Extract<Token, { kind: 'operator' }>;
      const right = this.parseUnary();
      if (this.isOperator('==', '!=', '<', '<=', '>', '>=')) {
        this.fail('comparisons cannot be chained; use && and parentheses', this.peek().position);
      }
      return { kind: 'binary', operator: op.value as ComparisonOperator, left, right, position: op.position };
    }
    return left;
  }

  private parseUnary(): ExpressionNode {
    if (this.isOperator('!')) {
      const op = this.next();
      return { kind: 'not', operand: this.parseUnary(), position: op.position };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): ExpressionNode {
    const token = this.next();
    switch (token.kind) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value, position: token.position };
      case 'identifier':
        return this.parsePath(token);
      case 'operator':
        if (token.value === '(') {
          const inner = this.parseOr();
          const close = this.next();
          if (close.kind !== 'operator' || close.value !== ')') this.fail(`expected ")" but found ${describeToken(close)}`, close.position);
          return inner;
        }
        return this.fail(`unexpected ${describeToken(token)}`, token.position);
      case 'end':
        return this.fail('unexpected end of expression', token.position);
    }
  }

  private parsePath(first: Extract<Token, { kind: 'identifier' }>): ExpressionNode {
    if (first.value === 'true' || first.value === 'false') return { kind: 'literal', value: first.value === 'true', position: first.position };
    if (first.value === 'null') return { kind: 'literal', value: null, position: first.position };
    if (FORBIDDEN_NAMES.has(first.value)) this.fail(`access to "${first.value}" is not allowed`, first.position);
    if (!this.roots.has(first.value)) {
      this.fail(`unknown name "${first.value}" (expected ${[...this.roots].map((r) => `"${r}"`).join(' or ')})`, first.position);
    }
    const segments: string[] = [];
    while (this.isOperator('.')) {
      this.next();
      const segment = this.next();
      if (segment.kind !== 'identifier') this.fail(`expected a property name after "." but found ${describeToken(segment)}`, segment.position);
      if (FORBIDDEN_NAMES.has(segment.value)) this.fail(`access to "${segment.value}" is not allowed`, segment.position);
      segments.push(segment.value);
    }
    return { kind: 'path', root: first.value, segments, position: first.position };
  }
}

/**
 * Parses `source`; throws {@link ExpressionSyntaxError} (with the position) when it is malformed,
 * starts with a name outside `options.roots`, or touches `constructor`/`__proto__`/`prototype`.
 */
export function parseExpression(source: string, options: ParseOptions = {}): Expression {
  if (source.length > MAX_SOURCE_LENGTH) {
    throw new ExpressionSyntaxError(`expression longer than ${MAX_SOURCE_LENGTH} characters`, MAX_SOURCE_LENGTH, source.slice(0, 40) + '…');
  }
  const roots = new Set(options.roots ?? ['results']);
  return { source, ast: new Parser(source, tokenize(source), roots).parse() };
}

/** The step IDs an expression reads through `results.<stepId>`, e.g. to check they exist before running. */
export function referencedStepIds(expression: Expression): string[] {
  const ids = new Set<string>();
  const visit = (node: ExpressionNode): void => {
    switch (node.kind) {
      case 'path':
        if (node.root === 'results' && node.segments[0] !== undefined) ids.add(node.segments[0]);
        return;
      case 'not':
        return visit(node.operand);
      case 'binary':
        visit(node.left);
        return visit(node.right);
      case 'literal':
        return;
    }
  };
  visit(expression.ast);
  return [...ids];
}

/** Values an expression can see, by root name: `{ results: {...}, item: ..., index: 0 }`. */
export type ExpressionScope = Readonly<Record<string, unknown>>;

/** Reads an own property only: inherited members (`toString`, `constructor`, ...) are invisible. */
function readProperty(value: unknown, key: string): unknown {
  if (FORBIDDEN_NAMES.has(key)) return undefined;
  if (typeof value === 'string') return key === 'length' ? value.length : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    if (key === 'length') return value.length;
    return /^\d+$/.test(key) ? (value as unknown[])[Number(key)] : undefined;
  }
  return Object.prototype.hasOwnProperty.call(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function evaluateNode(node: ExpressionNode, scope: ExpressionScope, source: string): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'path': {
      let value = readProperty(scope, node.root);
      for (const segment of node.segments) {
        if (value === undefined || value === null) return undefined;
        value = readProperty(value, segment);
      }
      return value;
    }
    case 'not':
      return !evaluateNode(node.operand, scope, source);
    case 'binary': {
      if (node.operator === '&&') return Boolean(evaluateNode(node.left, scope, source)) && Boolean(evaluateNode(node.right, scope, source));
      if (node.operator === '||') return Boolean(evaluateNode(node.left, scope, source)) || Boolean(evaluateNode(node.right, scope, source));
      const left = evaluateNode(node.left, scope, source);
      const right = evaluateNode(node.right, scope, source);
      if (node.operator === '==') return left === right;
      if (node.operator === '!=') return left !== right;
      const comparable = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
      if (!comparable) {
        throw new ExpressionEvaluationError(`cannot compare ${typeName(left)} ${node.operator} ${typeName(right)}`, node.position, source);
      }
      switch (node.operator) {
        case '<':
          return left < right;
        case '<=':
          return left <= right;
        case '>':
          return left > right;
        case '>=':
          return left >= right;
      }
    }
  }
}

/**
 * Evaluates an expression against `scope`. Paths that lead nowhere yield `undefined`; `==`/`!=` are
 * strict; `<`, `<=`, `>`, `>=` need two numbers or two strings (else {@link ExpressionEvaluationError});
 * `!`, `&&`, `||` use truthiness and return booleans.
 */
export function evaluateExpression(expression: Expression | string, scope: ExpressionScope, options?: ParseOptions): unknown {
  const parsed = typeof expression === 'string' ? parseExpression(expression, options ?? { roots: Object.keys(scope) }) : expression;
  return evaluateNode(parsed.ast, scope, parsed.source);
}
