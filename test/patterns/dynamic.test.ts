/**
 * Dynamic workflows on a real worker: a JSON definition is validated completely before anything
 * runs, then interpreted step by step (activity, parallel, conditional, loop) with per-step timeouts,
 * retries and stop rules. The validator's messages are specified in dynamic-definition.test.ts, the
 * expression language in dynamic-expression.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { needsTimeSkipping, rejectionOf, uniqueName } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';
import { orderDefinition } from './fixtures/dynamic-order';
import type { WorkflowDefinition } from '../../patterns/dynamic/definition';
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
