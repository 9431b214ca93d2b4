import { invalidArgument } from '../common/errors';
import type { ComparisonOperator, ListQueryAst, ListQueryAttribute, ListQueryExpr, ListQueryValue } from './query-ast';

/**
 * Temporal's visibility list filter (the `query` of ListWorkflowExecutions / CountWorkflowExecutions):
 * a SQL-like WHERE clause, with the semantics of Temporal's `common/persistence/visibility/store/query`.
 * This file holds the tokenizer and the recursive-descent parser; `query-compiler.ts` compiles the
 * tree to SQLite SQL over `executions_visibility`.
 *
 * Grammar (keywords case-insensitive):
 *   query      := [expr] [GROUP BY name {, name}] EOF          (ORDER BY, LIMIT are rejected)
 *   expr       := and {OR and}
 *   and        := unary {AND unary}
 *   unary      := NOT unary | '(' expr ')' | predicate
 *   predicate  := name ( cmpOp value | [NOT] IN '(' value {, value} ')' | [NOT] BETWEEN value AND value
 *                      | IS [NOT] NULL | [NOT] STARTS_WITH value )
 *   value      := 'string' | "string" | number | TRUE | FALSE
 *   name       := identifier | `quoted identifier`
 */

// ---------------------------------------------------------------------------------------------------
// Tokenizer

type TokenKind = 'word' | 'quotedName' | 'string' | 'number' | 'op' | '(' | ')' | ',' | 'eof';

interface Token {
  kind: TokenKind;
  /** The word, the unquoted name / string contents, the number's source text, or the operator. */
  text: string;
  /** 1-based. */
  position: number;
}

const OPERATORS = ['<=', '>=', '<>', '!=', '=', '<', '>'];
// Sticky: matched in place, so that tokenizing stays linear in the query's length.
const NUMBER = /-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Bounds that keep a filter within what the parser's recursion and SQLite accept (SQLITE_MAX_EXPR_DEPTH
 * is 1000; every value is a bound parameter): a filter past one is INVALID_ARGUMENT, never INTERNAL.
 */
export const MAX_QUERY_NESTING = 100;
export const MAX_QUERY_PREDICATES = 1000;
export const MAX_QUERY_VALUES = 5000;

function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

function syntaxError(message: string): Error {
  return invalidArgument(`invalid query: ${message}`);
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i] as string;
    const position = i + 1;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c, position });
      i++;
    } else if (c === "'" || c === '"' || c === '`') {
      const [text, end] = readQuoted(query, i);
      tokens.push({ kind: c === '`' ? 'quotedName' : 'string', text, position });
      i = end;
    } else if (/[0-9.]/.test(c) || (c === '-' && /[0-9.]/.test(query[i + 1] ?? ''))) {
      const match = matchAt(NUMBER, query, i);
      if (!match) {
        throw syntaxError(`invalid number at position ${position}`);
      }
      tokens.push({ kind: 'number', text: match[0], position });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = matchAt(WORD, query, i) as RegExpExecArray;
      tokens.push({ kind: 'word', text: match[0], position });
      i += match[0].length;
    } else {
      const op = OPERATORS.find((o) => query.startsWith(o, i));
      if (!op) {
        // The whole code point: an emoji is two UTF-16 units, and half of one is no character.
        throw syntaxError(`unexpected character '${String.fromCodePoint(query.codePointAt(i) ?? 0xfffd)}' at position ${position}`);
      }
      tokens.push({ kind: 'op', text: op === '<>' ? '!=' : op, position });
      i += op.length;
    }
  }
  tokens.push({ kind: 'eof', text: '', position: query.length + 1 });
  return tokens;
}

/**
 * Reads a quoted string or backtick name starting at `start` (the opening quote). A doubled quote
 * stands for one quote; in strings, a backslash before the quote character or another backslash
 * escapes it (as in the MySQL dialect Temporal parses), any other backslash is kept as written.
 */
function readQuoted(query: string, start: number): [string, number] {
  const quote = query[start] as string;
  let text = '';
  let i = start + 1;
  while (i < query.length) {
    const c = query[i] as string;
    if (c === quote) {
      if (query[i + 1] === quote) {
        text += quote;
        i += 2;
        continue;
      }
      return [text, i + 1];
    }
    const next = query[i + 1];
    if (c === '\\' && quote !== '`' && (next === quote || next === '\\')) {
      text += next;
      i += 2;
      continue;
    }
    text += c;
    i++;
  }
  const what = quote === '`' ? 'quoted name' : 'string';
  throw syntaxError(`unterminated ${what} starting at position ${start + 1}`);
}

// ---------------------------------------------------------------------------------------------------
// Parser

/**
 * A chain of ANDs (or ORs) as a balanced tree: both are associative, and a balanced tree keeps a
 * chain of thousands of terms shallow for the compiler's recursion and SQLite's expression depth.
 */
function balanced(kind: 'and' | 'or', terms: ListQueryExpr[], from = 0, to = terms.length): ListQueryExpr {
  if (to - from === 1) return terms[from] as ListQueryExpr;
  const middle = (from + to) >>> 1;
  return { kind, left: balanced(kind, terms, from, middle), right: balanced(kind, terms, middle, to) };
}

const RESERVED = new Set(['AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'IS', 'NULL', 'STARTS_WITH', 'ORDER', 'GROUP', 'BY', 'LIMIT', 'TRUE', 'FALSE']);

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of query';
    case 'string':
      return `string '${token.text}'`;
    case 'quotedName':
      return `name \`${token.text}\``;
    default:
      return `token '${token.text}'`;
  }
}

/** Parses a list filter into its tree; throws INVALID_ARGUMENT naming the position of a syntax error. */
export function parseListQuery(query: string): ListQueryAst {
  return new Parser(tokenize(query)).parseQuery();
}

class Parser {
  private index = 0;
  private depth = 0;
  private predicates = 0;
  private values = 0;

  constructor(private readonly tokens: Token[]) {}

  parseQuery(): ListQueryAst {
    const ast: ListQueryAst = {};
    if (!this.atClauseEnd()) {
      ast.filter = this.parseOr();
    }
    if (this.isKeyword('GROUP')) {
      this.next();
      this.expectKeyword('BY');
      const names = [this.parseAttribute()];
      while (this.peek().kind === ',') {
        this.next();
        names.push(this.parseAttribute());
      }
      ast.groupBy = names;
    }
    if (this.isKeyword('ORDER')) {
      throw syntaxError('ORDER BY is not supported');
    }
    if (this.isKeyword('LIMIT')) {
      throw syntaxError('LIMIT is not supported');
    }
    if (this.peek().kind !== 'eof') {
      this.fail(ast.groupBy ? "',' or end of query" : 'AND, OR, GROUP BY or end of query');
    }
    return ast;
  }

  private atClauseEnd(): boolean {
    return this.peek().kind === 'eof' || this.isKeyword('GROUP') || this.isKeyword('ORDER') || this.isKeyword('LIMIT');
  }

  private parseOr(): ListQueryExpr {
    const terms = [this.parseAnd()];
    while (this.isKeyword('OR')) {
      this.next();
      terms.push(this.parseAnd());
    }
    return balanced('or', terms);
  }

  private parseAnd(): ListQueryExpr {
    const terms = [this.parseUnary()];
    while (this.isKeyword('AND')) {
      this.next();
      terms.push(this.parseUnary());
    }
    return balanced('and', terms);
  }

  private parseUnary(): ListQueryExpr {
    const token = this.peek();
    if (!this.isKeyword('NOT') && token.kind !== '(') return this.parsePredicate();
    if (++this.depth > MAX_QUERY_NESTING) {
      throw syntaxError(`expression nested deeper than ${MAX_QUERY_NESTING} levels (NOT and parentheses) at position ${token.position}`);
    }
    this.next();
    let expr: ListQueryExpr;
    if (token.kind === '(') {
      expr = this.parseOr();
      this.expect(')', "')'");
    } else {
      expr = { kind: 'not', expr: this.parseUnary() };
    }
    this.depth--;
    return expr;
  }

  private parsePredicate(): ListQueryExpr {
    if (++this.predicates > MAX_QUERY_PREDICATES) {
      throw syntaxError(`more than ${MAX_QUERY_PREDICATES} comparisons, at position ${this.peek().position}`);
    }
    const attribute = this.parseAttribute();
    const token = this.peek();
    if (token.kind === 'op') {
      this.next();
      return { kind: 'compare', attribute, op: token.text as ComparisonOperator, value: this.parseValue() };
    }
    if (this.isKeyword('IS')) {
      this.next();
      const negated = this.acceptKeyword('NOT');
      this.expectKeyword('NULL');
      return { kind: 'isNull', attribute, negated };
    }
    const negated = this.acceptKeyword('NOT');
    if (this.acceptKeyword('IN')) {
      this.expect('(', "'('");
      const values = [this.parseValue()];
      while (this.peek().kind === ',') {
        this.next();
        values.push(this.parseValue());
      }
      this.expect(')', "',' or ')'");
      return { kind: 'in', attribute, negated, values };
    }
    if (this.acceptKeyword('BETWEEN')) {
      const low = this.parseValue();
      this.expectKeyword('AND');
      return { kind: 'between', attribute, negated, low, high: this.parseValue() };
    }
    if (this.acceptKeyword('STARTS_WITH')) {
      return { kind: 'startsWith', attribute, negated, value: this.parseValue() };
    }
    return this.fail(negated ? 'IN, BETWEEN or STARTS_WITH' : 'an operator');
  }

  private parseAttribute(): ListQueryAttribute {
    const token = this.peek();
    if (token.kind === 'quotedName' || (token.kind === 'word' && !RESERVED.has(token.text.toUpperCase()))) {
      this.next();
      return { name: token.text, position: token.position };
    }
    return this.fail('a search attribute name');
  }

  private parseValue(): ListQueryValue {
    const token = this.peek();
    const position = token.position;
    if (++this.values > MAX_QUERY_VALUES) {
      throw syntaxError(`more than ${MAX_QUERY_VALUES} values, at position ${position}`);
    }
    if (token.kind === 'string') {
      this.next();
      return { kind: 'string', value: token.text, position };
    }
    if (token.kind === 'number') {
      this.next();
      return { kind: 'number', value: Number(token.text), raw: token.text, position };
    }
    if (this.isKeyword('TRUE') || this.isKeyword('FALSE')) {
      this.next();
      return { kind: 'bool', value: token.text.toUpperCase() === 'TRUE', position };
    }
    return this.fail('a value');
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') {
      this.index++;
    }
    return token;
  }

  private isKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.text.toUpperCase() === keyword;
  }

  private acceptKeyword(keyword: string): boolean {
    if (this.isKeyword(keyword)) {
      this.next();
      return true;
    }
    return false;
  }

  private expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword)) {
      this.fail(keyword);
    }
  }

  private expect(kind: TokenKind, expected: string): void {
    if (this.peek().kind !== kind) {
      this.fail(expected);
    }
    this.next();
  }

  private fail(expected: string): never {
    const token = this.peek();
    throw syntaxError(`unexpected ${describe(token)} at position ${token.position}, expected ${expected}`);
  }
}
