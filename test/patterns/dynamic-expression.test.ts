/**
 * The dynamic-workflow expression language: literals, paths into earlier results, comparisons and
 * boolean logic; errors carry the position; prototypes, constructors and globals are out of reach.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateExpression, ExpressionEvaluationError, ExpressionSyntaxError, parseExpression, referencedStepIds } from '../../patterns/dynamic/expression';

describe('expression language', () => {
  const scope = { results: { order: { total: 120, status: 'paid', items: ['a', 'b'], flags: { vip: true } }, empty: null } };
  const evaluate = (source: string): unknown => evaluateExpression(parseExpression(source), scope);

  test('literals, paths, comparisons, boolean logic and parentheses', () => {
    assert.equal(evaluate('120'), 120);
    assert.equal(evaluate('-1.5'), -1.5);
    assert.equal(evaluate("'it\\'s'"), "it's");
    assert.equal(evaluate('null'), null);
    assert.equal(evaluate('results.order.total'), 120);
    assert.equal(evaluate('results.order.items.1'), 'b');
    assert.equal(evaluate('results.order.items.length'), 2);
    assert.equal(evaluate('results.order.total >= 100 && results.order.status == "paid"'), true);
    assert.equal(evaluate('results.order.total < 100 || results.order.flags.vip'), true);
    assert.equal(evaluate('!(results.order.total > 100) || false'), false);
    assert.equal(evaluate('!results.order.flags.vip == false'), true, '! binds tighter than ==');
    assert.equal(evaluate('true || false && false'), true, '&& binds tighter than ||');
    assert.equal(evaluate('(true || false) && false'), false);
    assert.equal(evaluate('results.order.status != "paid"'), false);
    assert.equal(evaluate('"abc" < "abd"'), true);
  });

  test('missing paths are undefined (no throw); comparing mismatched types is an evaluation error with position', () => {
    assert.equal(evaluate('results.missing.deeper.still'), undefined);
    assert.equal(evaluate('results.empty.x'), undefined);
    assert.equal(evaluate('results.missing == null'), false, '== is strict');
    assert.throws(
      () => evaluate('results.order.status > 1'),
      (err: unknown) => err instanceof ExpressionEvaluationError && err.position === 21 && err.reason === 'cannot compare string > number',
    );
  });

  test('syntax errors carry the position of the offending token', () => {
    const cases: [string, string, number][] = [
      ['results.order.total >', 'unexpected end of expression', 21],
      ['(results.order.total > 1', 'expected ")" but found end of expression', 24],
      ['results.order.total = 1', 'unexpected character "=" (use "==" to compare)', 20],
      ['results.order.total & 1', 'unexpected character "&" (use "&&")', 20],
      ['results.order. > 1', 'expected a property name after "." but found ">"', 15],
      ['1 < 2 < 3', 'comparisons cannot be chained; use && and parentheses', 6],
      ["'open", 'unterminated string', 0],
      ['', 'empty expression', 0],
      ['process.exit', 'unknown name "process" (expected "results")', 0],
      ['results.a results.b', 'unexpected "results"', 10],
    ];
    for (const [source, reason, position] of cases) {
      assert.throws(
        () => parseExpression(source),
        (err: unknown) => err instanceof ExpressionSyntaxError && err.reason === reason && err.position === position,
        `${JSON.stringify(source)} should fail with "${reason}" at ${position}`,
      );
    }
  });

  test('prototype access is refused: constructor, __proto__ and prototype never parse, inherited members read as undefined', () => {
    for (const source of ['results.constructor', 'results.order.__proto__', 'results.order.constructor.prototype', '__proto__', 'constructor']) {
      assert.throws(
        () => parseExpression(source, { roots: ['results'] }),
        (err: unknown) => err instanceof ExpressionSyntaxError && /^access to "(constructor|__proto__|prototype)" is not allowed$/.test(err.reason),
        source,
      );
    }
    // Only own properties are visible: inherited members do not leak.
    assert.equal(evaluate('results.order.toString'), undefined);
    assert.equal(evaluate('results.order.hasOwnProperty'), undefined);
    assert.equal(evaluate('results.order.items.map'), undefined);
    // A hostile value with an own "__proto__" key still cannot be reached.
    const hostile = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    assert.equal(evaluateExpression(parseExpression('results.x.polluted'), { results: { x: hostile } }), undefined);
  });

  test('referencedStepIds lists the steps an expression reads', () => {
    assert.deepEqual(referencedStepIds(parseExpression('results.a.x > 1 && (results.b == results.a.y || !results.c)')), ['a', 'b', 'c']);
  });
});
