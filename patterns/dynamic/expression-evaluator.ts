/**
 * The expression language's evaluator: walks the syntax tree over plain data, reading own
 * properties only, so no definition can reach a prototype, a constructor or a global.
 * Workflow-safe: no Node APIs, no I/O.
 */
import { parseExpression } from './expression-parser';
import { ExpressionEvaluationError, FORBIDDEN_NAMES, type Expression, type ExpressionNode, type ParseOptions } from './expression-syntax';

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
