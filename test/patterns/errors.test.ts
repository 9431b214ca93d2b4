/**
 * Typed error handling: permanent failure types are not retried, every final failure is routed by
 * type to one handler (notification / escalation / logging), and the workflow fails with the
 * original typed failure rather than a generic "activity failed".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, RetryState } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { needsTimeSkipping, rejectionOf, uniqueName } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';
import {
  authenticationError,
  describeFailure,
  ErrorTypes,
  externalServiceError,
  NON_RETRYABLE_ERROR_TYPES,
  rateLimitError,
  routeFor,
  typedRetryPolicy,
  validationError,
  type FailureInfo,
} from '../../patterns/errors';
import type { Order } from '../../patterns/domain';
import type * as exampleActivities from '../../examples/activities/errors';
import type { errorsOrderWorkflow, ErrorsOrderResult } from '../../examples/workflows/errors';

type Activities = typeof exampleActivities;

const order: Order = {
  orderId: 'o-1',
  customerId: 'c-1',
  items: [{ sku: 'A-1', quantity: 2, unitPrice: 10 }],
  paymentMethod: 'credit_card',
  shippingAddress: { street: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
};

/** Mocked activities: counts every attempt and records what each handler received. */
function mocks(overrides: Partial<Pick<Activities, 'errorsValidateOrder' | 'errorsAuthorizePayment' | 'errorsChargePayment'>> = {}) {
  const attempts = { validate: 0, authorize: 0, charge: 0 };
  const routed: { route: string; failure: FailureInfo }[] = [];
  const activities: Activities = {
    errorsValidateOrder: async (o) => {
      attempts.validate++;
      return overrides.errorsValidateOrder?.(o);
    },
    errorsAuthorizePayment: async (o) => {
      attempts.authorize++;
      return overrides.errorsAuthorizePayment ? overrides.errorsAuthorizePayment(o) : 'auth-1';
    },
    errorsChargePayment: async (o) => {
      attempts.charge++;
      return overrides.errorsChargePayment ? overrides.errorsChargePayment(o) : { transactionId: 'tx-1', amount: 20 };
    },
    errorsNotifyCustomer: async (failure) => void routed.push({ route: 'notification', failure }),
    errorsEscalateIncident: async (failure) => void routed.push({ route: 'escalation', failure }),
    errorsLogFailure: async (failure) => void routed.push({ route: 'logging', failure }),
  };
  return { attempts, routed, activities };
}

describe('typed error handling', needsTimeSkipping(), () => {
  const pattern = usePatternEnvironment('errors');

  async function run(taskQueue: string, activities: Activities): Promise<ErrorsOrderResult> {
    return pattern.run(taskQueue, activities, () =>
      pattern.env.client.workflow.execute<typeof errorsOrderWorkflow>('errorsOrderWorkflow', { taskQueue, workflowId: taskQueue, args: [order] }),
    );
  }

  /** The workflow's failure: a WorkflowFailedError whose cause is the typed ApplicationFailure. */
  async function typedFailureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await rejectionOf(promise, 'the workflow');
    assert.ok(err instanceof WorkflowFailedError, String(err));
    assert.ok(err.cause instanceof ApplicationFailure, `cause: ${String(err.cause)}`);
    return err.cause;
  }

  test('a successful order touches no handler', async (t) => {
    const { attempts, routed, activities } = mocks();
    assert.deepEqual(await run(uniqueName(t), activities), { authorization: 'auth-1', transactionId: 'tx-1', amount: 20 });
    assert.deepEqual(attempts, { validate: 1, authorize: 1, charge: 1 });
    assert.deepEqual(routed, []);
  });

  test('a ValidationError is not retried, routes to notification, and fails the workflow as a ValidationError', async (t) => {
    const { attempts, routed, activities } = mocks({
      errorsValidateOrder: async () => {
        throw validationError('order o-1 has no items', { field: 'items' });
      },
    });
    const failure = await typedFailureOf(run(uniqueName(t), activities));
    assert.equal(failure.type, 'ValidationError');
    assert.equal(failure.message, 'order o-1 has no items');
    assert.deepEqual(failure.details, [{ field: 'items' }]);
    assert.ok(failure.cause instanceof ActivityFailure, 'the activity failure is kept as the cause');
    assert.equal(failure.cause.activityType, 'errorsValidateOrder');

    assert.deepEqual(attempts, { validate: 1, authorize: 0, charge: 0 }, 'ran once, and nothing after it');
    assert.deepEqual(routed, [
      {
        route: 'notification',
        failure: { type: 'ValidationError', message: 'order o-1 has no items', source: 'activity', name: 'errorsValidateOrder', details: { field: 'items' } },
      },
    ]);
  });

  test('the retry policy alone stops retries of a listed type, even when the thrower forgot nonRetryable', async (t) => {
    const { attempts, routed, activities } = mocks({
      errorsValidateOrder: async () => {
        throw ApplicationFailure.create({ type: ErrorTypes.Validation, message: 'bad postal code', nonRetryable: false });
      },
    });
    const failure = await typedFailureOf(run(uniqueName(t), activities));
    assert.equal(failure.type, 'ValidationError');
    assert.equal(attempts.validate, 1);
    assert.deepEqual(
      routed.map((r) => r.route),
      ['notification'],
    );
  });

  test('an AuthenticationError is not retried and routes to escalation', async (t) => {
    const { attempts, routed, activities } = mocks({
      errorsAuthorizePayment: async () => {
        throw authenticationError('payment credentials of c-1 have expired');
      },
    });
    const failure = await typedFailureOf(run(uniqueName(t), activities));
    assert.equal(failure.type, 'AuthenticationError');
    assert.equal(failure.message, 'payment credentials of c-1 have expired');
    assert.deepEqual(attempts, { validate: 1, authorize: 1, charge: 0 });
    assert.deepEqual(routed, [
      {
        route: 'escalation',
        failure: { type: 'AuthenticationError', message: 'payment credentials of c-1 have expired', source: 'activity', name: 'errorsAuthorizePayment' },
      },
    ]);
  });

  test('an unknown error is retried per the policy (3 attempts), then routed to logging', async (t) => {
    const { attempts, routed, activities } = mocks({
      errorsChargePayment: async () => {
        throw new Error('connection reset by payment gateway');
      },
    });
    const failure = await typedFailureOf(run(uniqueName(t), activities));
    assert.equal(failure.type, 'Error');
    assert.equal(failure.message, 'connection reset by payment gateway');
    assert.ok(failure.cause instanceof ActivityFailure);
    assert.equal(failure.cause.retryState, RetryState.MAXIMUM_ATTEMPTS_REACHED);
    assert.deepEqual(attempts, { validate: 1, authorize: 1, charge: 3 });
    assert.deepEqual(routed, [
      { route: 'logging', failure: { type: 'Error', message: 'connection reset by payment gateway', source: 'activity', name: 'errorsChargePayment' } },
    ]);
  });
});

describe('error vocabulary', () => {
  test('factories set the type and whether it is retryable', () => {
    assert.equal(validationError('x').type, 'ValidationError');
    assert.equal(validationError('x').nonRetryable, true);
    assert.equal(authenticationError('x').nonRetryable, true);
    assert.equal(externalServiceError('x').nonRetryable, false);
    const throttled = rateLimitError('slow down', 30_000);
    assert.equal(throttled.type, 'RateLimitError');
    assert.equal(throttled.nonRetryable, false);
    assert.equal(throttled.nextRetryDelay, 30_000);
  });

  test('the retry policy lists every non-retryable type, plus any extra, and keeps overrides', () => {
    const policy = typedRetryPolicy({ maximumAttempts: 5, nonRetryableErrorTypes: ['FraudSuspected'] });
    assert.equal(policy.maximumAttempts, 5);
    assert.equal(policy.initialInterval, '1s');
    assert.deepEqual(policy.nonRetryableErrorTypes, [...NON_RETRYABLE_ERROR_TYPES, 'FraudSuspected']);
    assert.deepEqual(NON_RETRYABLE_ERROR_TYPES, ['ValidationError', 'BusinessLogicError', 'AuthenticationError', 'AuthorizationError', 'NotFoundError']);
  });

  test('routes: customer mistakes notify, credentials escalate, anything else is logged', () => {
    assert.equal(routeFor('ValidationError'), 'notification');
    assert.equal(routeFor('BusinessLogicError'), 'notification');
    assert.equal(routeFor('AuthenticationError'), 'escalation');
    assert.equal(routeFor('ExternalServiceError'), 'logging');
    assert.equal(routeFor('toString'), 'logging', 'inherited names are not routes');
  });

  test('describeFailure unwraps a child workflow whose activity failed down to the typed cause', () => {
    const root = validationError('bad sku', { sku: 'Z' });
    const activity = new ActivityFailure('activity failed', 'reserveStock', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', root);
    const child = new ChildWorkflowFailure('default', { workflowId: 'child-1', runId: 'r' }, 'reserveWorkflow', RetryState.NON_RETRYABLE_FAILURE, activity);
    assert.deepEqual(describeFailure(child), {
      type: 'ValidationError',
      message: 'bad sku',
      source: 'child-workflow',
      name: 'reserveWorkflow',
      details: { sku: 'Z' },
    });
    assert.deepEqual(describeFailure(new Error('plain')), { type: 'Unknown', message: 'plain', source: 'workflow' });
  });
});
