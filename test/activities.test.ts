import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { activities, uniqueName, useHourglassServer, withWorker } from './helpers';
import { catchActivityFailure, failWorkflow, heartbeatRetry, parallelActivities, retryingActivity, sequentialActivities } from './workflows';

const env = useHourglassServer();

describe('activities', () => {
  test('three activities in sequence return their results in order', async (t) => {
    const taskQueue = uniqueName(t);
    const result = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['a', 'b', 'c']] }),
    );
    assert.deepEqual(result, ['A', 'B', 'C']);
  });

  test('three activities in parallel each return their own result', async (t) => {
    const taskQueue = uniqueName(t);
    const result = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(parallelActivities, { taskQueue, workflowId: taskQueue, args: [['x', 'y', 'z']] }),
    );
    assert.deepEqual(result, ['X', 'Y', 'Z']);
  });

  test('an activity that fails twice is retried and succeeds on attempt 3', async (t) => {
    const taskQueue = uniqueName(t);
    const attempt = await withWorker(env, { taskQueue }, () => env.client.workflow.execute(retryingActivity, { taskQueue, workflowId: taskQueue }));
    assert.equal(attempt, 3);
  });

  test('a non-retryable ApplicationFailure reaches the workflow as ActivityFailure caused by ApplicationFailure of that type', async (t) => {
    const taskQueue = uniqueName(t);
    const caught = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(catchActivityFailure, { taskQueue, workflowId: taskQueue, args: ['nonRetryable'] }),
    );
    assert.deepEqual(caught, {
      outer: 'ActivityFailure',
      cause: 'ApplicationFailure',
      type: 'MyType',
      message: 'boom: not retryable',
      nonRetryable: true,
    });
    assert.equal(activities.executions.get(taskQueue), 1, 'a non-retryable failure must not be retried');
  });

  test('an error type listed in nonRetryableErrorTypes is not retried and reaches the workflow with its type', async (t) => {
    const taskQueue = uniqueName(t);
    const caught = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(catchActivityFailure, { taskQueue, workflowId: taskQueue, args: ['typeListed'] }),
    );
    assert.equal(caught.outer, 'ActivityFailure');
    assert.equal(caught.cause, 'ApplicationFailure');
    assert.equal(caught.type, 'MyType');
    assert.equal(caught.message, 'boom: type listed as non-retryable');
    assert.equal(activities.executions.get(taskQueue), 1, 'a failure whose type is in nonRetryableErrorTypes must not be retried');
  });

  test('a workflow that throws ApplicationFailure fails with WorkflowFailedError carrying the failure and its message', async (t) => {
    const taskQueue = uniqueName(t);
    const err = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(failWorkflow, { taskQueue, workflowId: taskQueue, args: ['the workflow gave up'] }).then(
        () => assert.fail('workflow should have failed'),
        (e: unknown) => e,
      ),
    );
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
    assert.ok(err.cause instanceof ApplicationFailure, `expected ApplicationFailure cause, got ${String(err.cause)}`);
    assert.equal(err.cause.message, 'the workflow gave up');
    assert.equal(err.cause.type, 'WorkflowFailureType');
    const description = await env.client.workflow.getHandle(taskQueue).describe();
    assert.equal(description.status.name, 'FAILED');
  });

  test('a heartbeat timeout retries the activity and the next attempt sees the last heartbeat details', async (t) => {
    const taskQueue = uniqueName(t);
    const result = await withWorker(env, { taskQueue }, () => env.client.workflow.execute(heartbeatRetry, { taskQueue, workflowId: taskQueue, args: [2500] }));
    assert.deepEqual(result, { attempt: 2, details: { progress: 5 } });
  });
});
