/**
 * Dynamic-workflow definitions are validated completely before anything runs: shape errors and
 * semantic errors (duplicate ids, loop settings, references to unknown or out-of-scope steps) each
 * name the step and the field, as a message a definition's author can act on.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { durationToMs, formatIssue, validateDefinition } from '../../patterns/dynamic/definition';
import { ACTIVITY_NAMES, orderDefinition } from './fixtures/dynamic-order';

describe('definition validation', () => {
  const options = { activities: ACTIVITY_NAMES };
  const messages = (definition: unknown): string[] => {
    const result = validateDefinition(definition, options);
    return result.success ? [] : result.issues.map(formatIssue);
  };

  test('the example order definition is valid', () => {
    assert.deepEqual(messages(orderDefinition), []);
  });

  test('durations are milliseconds or "<n><unit>" strings', () => {
    assert.deepEqual(['500ms', '30s', '1.5m', '2h', '1d', 250].map(durationToMs), [500, 30_000, 90_000, 7_200_000, 86_400_000, 250]);
  });

  test('shape errors name the step and the field', () => {
    assert.deepEqual(messages({ steps: [{ id: 'a', type: 'parallel', steps: [{ id: 'charge', type: 'activity' }] }] }), [
      'step "charge" (steps[0].steps[0]): missing required field "activity"',
    ]);
    assert.deepEqual(messages({ steps: [{ type: 'activity', activity: 'dynamicCheckFraud' }] }), ['step at steps[0]: missing required field "id"']);
    assert.deepEqual(messages({ steps: [{ id: 'a', type: 'activity', activity: 'dynamicCheckFraud', timeOut: '5s' }] }), [
      'step "a" (steps[0]): unknown field "timeOut"',
    ]);
    assert.deepEqual(messages({ steps: [{ id: 'a', type: 'activity', activity: 'dynamicCheckFraud', timeout: 'soon' }] }), [
      'step "a" (steps[0]): "timeout": expected a duration such as "500ms", "30s", "5m"',
    ]);
    assert.deepEqual(messages({ steps: [{ id: 'a', activity: 'dynamicCheckFraud' }] }), [
      'step "a" (steps[0]): missing step type (expected one of: activity, parallel, conditional, loop)',
    ]);
    assert.deepEqual(messages({ steps: [] }), ['definition: "steps": a definition needs at least one step']);
  });

  test('semantic errors: duplicate ids, loop settings, unknown and out-of-scope references, loop names outside loops', () => {
    assert.deepEqual(
      messages({
        steps: [
          { id: 'a', type: 'activity', activity: 'dynamicCheckFraud' },
          {
            id: 'l',
            type: 'loop',
            times: 2,
            over: 'results.a',
            body: [{ id: 'inner', type: 'activity', activity: 'dynamicCheckFraud', input: { i: { $expr: 'item' } } }],
          },
          { id: 'c', type: 'conditional', if: 'results.inner.score > 1 || results.nope', then: [{ id: 'a', type: 'activity', activity: 'dynamicCheckFraud' }] },
          { id: 'z', type: 'activity', activity: 'dynamicCheckFraud', input: [{ $expr: 'item' }] },
        ],
      }),
      [
        'step "a" (steps[2].then[0]): duplicate step id "a" (already used by steps[0])',
        'step "l" (steps[1]): a loop needs exactly one of "over" or "times"',
        'step "c" (steps[2]): "if" expression refers to step "inner" inside loop "l"; read results.l instead',
        'step "c" (steps[2]): "if" expression refers to unknown step "nope"',
        'step "z" (steps[3]): invalid "input[0]" expression: unknown name "item" (expected "results") at position 0',
      ],
    );
  });
});
