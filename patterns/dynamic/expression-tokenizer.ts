/**
 * The expression language's tokenizer: numbers (optionally negative), quoted strings, identifiers
 * (digits after a '.' are a path segment, as in `results.validate.skus.0`) and operators. A stray
 * character is a syntax error at its position, with a hint for the usual slips (`=`, `&`, `|`).
 * Workflow-safe: no Node APIs, no I/O.
 */
import { ExpressionSyntaxError } from './expression-syntax';

export type Token =
  | { readonly kind: 'number'; readonly value: number; readonly position: number }
  | { readonly kind: 'string'; readonly value: string; readonly position: number }
  | { readonly kind: 'identifier'; readonly value: string; readonly position: number }
  | { readonly kind: 'operator'; readonly value: string; readonly position: number }
  | { readonly kind: 'end'; readonly position: number };

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '.'] as const;

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function isIdentifierStart(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z_$]/.test(ch);
}

function isIdentifierPart(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_$]/.test(ch);
}

export function tokenize(source: string): Token[] {
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

export function describeToken(token: Token): string {
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
