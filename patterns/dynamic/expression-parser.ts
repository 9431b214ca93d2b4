/**
 * The expression language's recursive-descent parser (grammar in expression.ts). Names are checked
 * here, not at evaluation: a root outside `roots` or a forbidden name is a syntax error, so a
 * definition's typos and escapes are refused when it is validated, before anything runs.
 * Workflow-safe: no Node APIs, no I/O.
 */
import { ExpressionSyntaxError, FORBIDDEN_NAMES, type ComparisonOperator, type Expression, type ExpressionNode, type ParseOptions } from './expression-syntax';
import { describeToken, tokenize, type Token } from './expression-tokenizer';

const MAX_SOURCE_LENGTH = 2000;

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
