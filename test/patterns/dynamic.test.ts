/**
 * Dynamic workflows: a JSON definition is validated completely before anything runs, then
 * interpreted step by step (activity, parallel, conditional, loop) with per-step timeouts, retries
 * and stop rules. The expression language reads earlier results and nothing else.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { needsTimeSkipping, rejectionOf, uniqueName } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';
import { durationToMs, formatIssue, validateDefinition, type WorkflowDefinition } from '../../patterns/dynamic/definition';
import { evaluateExpression, ExpressionEvaluationError, ExpressionSyntaxError, parseExpression, referencedStepIds } from '../../patterns/dynamic/expression';
import type * as exampleActivities from '../../examples/activities/dynamic';
import type { dynamicWorkflow } from '../../examples/workflows/dynamic';
import type { DynamicRunResult } from '../../patterns/dynamic/interpreter';

type Activities = typeof exampleActivities;
type Call = [name: string, input: unknown];

/** Mocked activities that record every call (including retries) in order. */
function mockActivities(overrides: Partial<Record<keyof Activities, (input: unknown) => Promise<unknown>>> = {}): {
  calls: Call[];
  activities: Record<string, (input: unknown) => Promise<unknown>>;
} {
  const calls: Call[] = [];
  const defaults: Record<keyof Activities, (input: unknown) => Promise<unknown>> = {
    dynamicValidateOrder: async () => ({ valid: true, total: 120, skus: ['A-1', 'B-2'] }),
    dynamicCheckFraud: async () => ({ score: 12 }),
    dynamicReserveInventory: async (input) => ({ sku: (input as { sku: string }).sku, reserved: true }),
    dynamicChargePayment: async (input) => ({ transactionId: 'tx-1', amount: (input as { amount: number }).amount }),
    dynamicRequestReview: async () => ({ queued: true }),
    dynamicSendNotification: async () => ({ sent: true }),
  };
  const activities = Object.fromEntries(
    Object.entries({ ...defaults, ...overrides }).map(([name, fn]) => [
      name,
      async (input: unknown) => {
        calls.push([name, input]);
        return fn(input);
      },
    ]),
  );
  return { calls, activities };
}

const ACTIVITY_NAMES = [
  'dynamicValidateOrder',
  'dynamicCheckFraud',
  'dynamicReserveInventory',
  'dynamicChargePayment',
  'dynamicRequestReview',
  'dynamicSendNotification',
];

/** An order flow using all four step types. */
const orderDefinition: WorkflowDefinition = {
  name: 'order',
  defaults: { timeout: '10s', retry: { maximumAttempts: 3, initialInterval: '100ms' } },
  steps: [
    { id: 'validate', type: 'activity', activity: 'dynamicValidateOrder', input: { orderId: 'o-1', items: [] } },
    {
      id: 'checks',
      type: 'parallel',
      steps: [
        { id: 'fraud', type: 'activity', activity: 'dynamicCheckFraud', input: { orderId: 'o-1', total: { $expr: 'results.validate.total' } } },
        { id: 'ack', type: 'activity', activity: 'dynamicSendNotification', input: { to: 'c-1', message: 'received' } },
      ],
    },
    {
      id: 'route',
      type: 'conditional',
      if: 'results.validate.valid && results.fraud.score < 50',
      then: [
        {
          id: 'charge',
          type: 'activity',
          activity: 'dynamicChargePayment',
          timeout: '30s',
          input: { orderId: 'o-1', amount: { $expr: 'results.validate.total' } },
        },
      ],
      else: [{ id: 'review', type: 'activity', activity: 'dynamicRequestReview', input: { orderId: 'o-1', reason: 'fraud score' } }],
    },
    {
      id: 'reserve',
      type: 'loop',
      over: 'results.validate.skus',
      body: [
        { id: 'reservation', type: 'activity', activity: 'dynamicReserveInventory', input: { sku: { $expr: 'item' } } },
        {
          id: 'firstOnly',
          type: 'conditional',
          if: 'index == 0 && results.reservation.reserved',
          then: [{ id: 'note', type: 'activity', activity: 'dynamicSendNotification', input: { to: 'warehouse', message: { $expr: 'item' } } }],
        },
      ],
    },
  ],
};

describe('dynamic workflows', needsTimeSkipping(), () => {
  const pattern = usePatternEnvironment('dynamic');

  async function run(taskQueue: string, activities: Record<string, (input: unknown) => Promise<unknown>>, definition: unknown): Promise<DynamicRunResult> {
    return pattern.run(taskQueue, activities, () =>
      pattern.env.client.workflow.execute<typeof dynamicWorkflow>('dynamicWorkflow', {
        taskQueue,
        workflowId: taskQueue,
        args: [definition as WorkflowDefinition],
      }),
    );
  }

  test('a definition using all four step types runs each step in order and returns every result', async (t) => {
    const { calls, activities } = mockActivities();
    const workflowId = uniqueName(t);
    const { results, failures } = await run(workflowId, activities, orderDefinition);

    // Parallel: both branches were scheduled by the same workflow task (their execution order is the worker's).
    const history = await pattern.env.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    const scheduledBy = scheduled.map((e) => [
      e.activityTaskScheduledEventAttributes?.activityType?.name,
      String(e.activityTaskScheduledEventAttributes?.workflowTaskCompletedEventId),
    ]);
    assert.deepEqual(scheduledBy[1]?.[0], 'dynamicCheckFraud');
    assert.deepEqual(scheduledBy[2]?.[0], 'dynamicSendNotification');
    assert.equal(scheduledBy[1]?.[1], scheduledBy[2]?.[1], 'both parallel activities come from one workflow task');
    assert.notEqual(scheduledBy[0]?.[1], scheduledBy[1]?.[1]);
    // Per-step options: the charge step's own 30s timeout; the definition's defaults elsewhere.
    const optionsOf = (activityId: string) => {
      const attrs = scheduled.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityId)?.activityTaskScheduledEventAttributes;
      return {
        timeoutSeconds: Number(attrs?.startToCloseTimeout?.seconds ?? 0),
        maximumAttempts: attrs?.retryPolicy?.maximumAttempts,
        initialIntervalMs:
          Number(attrs?.retryPolicy?.initialInterval?.seconds ?? 0) * 1000 + Math.round((attrs?.retryPolicy?.initialInterval?.nanos ?? 0) / 1e6),
      };
    };
    assert.deepEqual(optionsOf('dynamicChargePayment'), { timeoutSeconds: 30, maximumAttempts: 3, initialIntervalMs: 100 });
    assert.deepEqual(optionsOf('dynamicValidateOrder'), { timeoutSeconds: 10, maximumAttempts: 3, initialIntervalMs: 100 });
    const parallelCalls = calls.splice(1, 2).sort(([a], [b]) => a.localeCompare(b));
    assert.deepEqual(parallelCalls, [
      ['dynamicCheckFraud', { orderId: 'o-1', total: 120 }],
      ['dynamicSendNotification', { to: 'c-1', message: 'received' }],
    ]);
    assert.deepEqual(calls, [
      ['dynamicValidateOrder', { orderId: 'o-1', items: [] }],
      // Conditional: score 12 < 50 → then branch, with the amount read from validate.
      ['dynamicChargePayment', { orderId: 'o-1', amount: 120 }],
      // Loop over validate.skus; the nested conditional only fires on the first iteration.
      ['dynamicReserveInventory', { sku: 'A-1' }],
      ['dynamicSendNotification', { to: 'warehouse', message: 'A-1' }],
      ['dynamicReserveInventory', { sku: 'B-2' }],
    ]);
    assert.deepEqual(failures, []);
    assert.deepEqual(results, {
      validate: { valid: true, total: 120, skus: ['A-1', 'B-2'] },
      fraud: { score: 12 },
      ack: { sent: true },
      checks: { fraud: { score: 12 }, ack: { sent: true } },
      charge: { transactionId: 'tx-1', amount: 120 },
      route: { branch: 'then', condition: true },
      reserve: [
        { reservation: { sku: 'A-1', reserved: true }, firstOnly: { branch: 'then', condition: true }, note: { sent: true } },
        { reservation: { sku: 'B-2', reserved: true }, firstOnly: { branch: 'else', condition: false } },
      ],
    });
  });

  test('the else branch runs when the condition is false', async (t) => {
    const { calls, activities } = mockActivities({ dynamicCheckFraud: async () => ({ score: 90 }) });
    const { results } = await run(uniqueName(t), activities, orderDefinition);
    assert.deepEqual(results.route, { branch: 'else', condition: false });
    assert.deepEqual(results.review, { queued: true });
    assert.equal(results.charge, undefined);
    assert.deepEqual(
      calls.map(([name]) => name).filter((name) => name === 'dynamicChargePayment' || name === 'dynamicRequestReview'),
      ['dynamicRequestReview'],
    );
  });

  test('per-step retry settings apply, and onError "continue" records the failure and goes on', async (t) => {
    const { calls, activities } = mockActivities({
      dynamicSendNotification: async () => {
        throw new Error('smtp down');
      },
    });
    const definition: WorkflowDefinition = {
      steps: [
        {
          id: 'notify',
          type: 'activity',
          activity: 'dynamicSendNotification',
          input: { to: 'x', message: 'hi' },
          retry: { maximumAttempts: 2, initialInterval: '1s' },
          onError: 'continue',
        },
        {
          id: 'times',
          type: 'loop',
          times: 2,
          body: [{ id: 'fraud', type: 'activity', activity: 'dynamicCheckFraud', input: { orderId: 'o', total: { $expr: 'index' } } }],
        },
      ],
    };
    const { results, failures } = await run(uniqueName(t), activities, definition);
    assert.deepEqual(
      calls.map(([name]) => name),
      ['dynamicSendNotification', 'dynamicSendNotification', 'dynamicCheckFraud', 'dynamicCheckFraud'],
    );
    assert.deepEqual(failures, [{ stepId: 'notify', path: 'steps[0]', type: 'Error', message: 'smtp down' }]);
    assert.equal(results.notify, undefined);
    assert.deepEqual(results.times, [{ fraud: { score: 12 } }, { fraud: { score: 12 } }]);
  });

  test('a failing step with onError "stop" fails the workflow with DynamicStepFailed naming the step; later steps never run', async (t) => {
    const { calls, activities } = mockActivities({
      dynamicReserveInventory: async () => {
        throw ApplicationFailure.create({ type: 'OutOfStock', message: 'B-2 is out of stock', nonRetryable: true });
      },
    });
    const definition: WorkflowDefinition = {
      steps: [
        { id: 'validate', type: 'activity', activity: 'dynamicValidateOrder', input: {} },
        {
          id: 'reserve',
          type: 'loop',
          over: 'results.validate.skus',
          body: [{ id: 'reservation', type: 'activity', activity: 'dynamicReserveInventory', input: { sku: { $expr: 'item' } } }],
        },
        { id: 'charge', type: 'activity', activity: 'dynamicChargePayment', input: {} },
      ],
    };
    const err = await rejectionOf(run(uniqueName(t), activities, definition));
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'DynamicStepFailed');
    assert.equal(err.cause.message, 'step "reservation" (steps[1].body[0]) failed: B-2 is out of stock');
    assert.deepEqual(
      calls.map(([name]) => name),
      ['dynamicValidateOrder', 'dynamicReserveInventory'],
    );
  });

  for (const [what, definition, expected] of [
    [
      'an unknown step type',
      {
        steps: [
          { id: 'validate', type: 'activity', activity: 'dynamicValidateOrder' },
          { id: 'checks', type: 'parallel', steps: [] },
          { id: 'charge', type: 'foo' },
        ],
      },
      'step "charge" (steps[2]): unknown step type "foo"',
    ],
    [
      'an activity that is not registered',
      {
        steps: [
          { id: 'validate', type: 'activity', activity: 'dynamicValidateOrder' },
          { id: 'charge', type: 'activity', activity: 'chargeCreditCard' },
        ],
      },
      'step "charge" (steps[1]): unknown activity "chargeCreditCard"',
    ],
    [
      'a malformed expression',
      {
        steps: [
          { id: 'validate', type: 'activity', activity: 'dynamicValidateOrder' },
          { id: 'route', type: 'conditional', if: 'results.validate.total >', then: [] },
        ],
      },
      'step "route" (steps[1]): invalid "if" expression: unexpected end of expression at position 24',
    ],
  ] as const) {
    test(`the workflow rejects ${what} before running anything, naming the step`, async (t) => {
      const { calls, activities } = mockActivities();
      const err = await rejectionOf(run(uniqueName(t), activities, definition));
      assert.ok(err instanceof WorkflowFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, 'InvalidDefinition');
      assert.equal(err.cause.nonRetryable, true);
      assert.ok(err.cause.message.includes(expected), err.cause.message);
      assert.deepEqual(calls, [], 'no activity ran');
    });
  }
});

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
