import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { cartAfterContinueAsNew, failWorkflow, returnValue, waitForFinish } from './workflows';

const env = useHourglassServer();

async function expectAlreadyStarted(p: Promise<unknown>, why: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof WorkflowExecutionAlreadyStartedError, `${why}: expected WorkflowExecutionAlreadyStartedError, got ${String(err)}`);
    return true;
  });
}

describe('starting workflows and workflow ID reuse', () => {
  test('starting a workflow ID that is already running raises WorkflowExecutionAlreadyStartedError', async (t) => {
    const id = uniqueName(t);
    const first = await env.client.workflow.start(waitForFinish, { taskQueue: id, workflowId: id });
    await expectAlreadyStarted(env.client.workflow.start(waitForFinish, { taskQueue: id, workflowId: id }), 'second start');
    const description = await first.describe();
    assert.equal(description.status.name, 'RUNNING');
    assert.equal(description.runId, first.firstExecutionRunId);
    await first.terminate('test cleanup');
  });

  test('by default a workflow ID can be reused after the previous run completed', async (t) => {
    const id = uniqueName(t);
    await withWorker(env, { taskQueue: id }, async () => {
      const firstRun = await env.client.workflow.start(returnValue, { taskQueue: id, workflowId: id, args: ['one'] });
      assert.equal(await firstRun.result(), 'one');
      const secondRun = await env.client.workflow.start(returnValue, { taskQueue: id, workflowId: id, args: ['two'] });
      assert.notEqual(secondRun.firstExecutionRunId, firstRun.firstExecutionRunId);
      assert.equal(await secondRun.result(), 'two');
    });
  });

  test('REJECT_DUPLICATE refuses to reuse the ID of a completed workflow', async (t) => {
    const id = uniqueName(t);
    await withWorker(env, { taskQueue: id }, async () => {
      await env.client.workflow.execute(returnValue, { taskQueue: id, workflowId: id, args: ['one'] });
    });
    await expectAlreadyStarted(
      env.client.workflow.start(returnValue, { taskQueue: id, workflowId: id, args: ['two'], workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
      'REJECT_DUPLICATE after completion',
    );
  });

  test('ALLOW_DUPLICATE_FAILED_ONLY allows reuse after a failed run', async (t) => {
    const id = uniqueName(t);
    await withWorker(env, { taskQueue: id }, async () => {
      await assert.rejects(env.client.workflow.execute(failWorkflow, { taskQueue: id, workflowId: id, args: ['fail'] }), WorkflowFailedError);
      const again = await env.client.workflow.start(returnValue, {
        taskQueue: id,
        workflowId: id,
        args: ['after failure'],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      });
      assert.equal(await again.result(), 'after failure');
    });
  });

  test('ALLOW_DUPLICATE_FAILED_ONLY refuses reuse after a successful run', async (t) => {
    const id = uniqueName(t);
    await withWorker(env, { taskQueue: id }, async () => {
      await env.client.workflow.execute(returnValue, { taskQueue: id, workflowId: id, args: ['ok'] });
    });
    await expectAlreadyStarted(
      env.client.workflow.start(returnValue, { taskQueue: id, workflowId: id, args: ['again'], workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' }),
      'ALLOW_DUPLICATE_FAILED_ONLY after success',
    );
  });

  test('USE_EXISTING conflict policy returns the running run instead of starting a new one', async (t) => {
    const id = uniqueName(t);
    const first = await env.client.workflow.start(waitForFinish, { taskQueue: id, workflowId: id });
    const second = await env.client.workflow.start(waitForFinish, { taskQueue: id, workflowId: id, workflowIdConflictPolicy: 'USE_EXISTING' });
    assert.equal(second.firstExecutionRunId, first.firstExecutionRunId);
    assert.equal((await second.describe()).status.name, 'RUNNING');
    await first.terminate('test cleanup');
  });

  test('the start response names the first run of the chain the returned run belongs to (the Go SDK reads it)', async (t) => {
    const id = uniqueName(t);
    const start = (requestId: string) =>
      env.client.workflowService.startWorkflowExecution({
        namespace: env.namespace,
        workflowId: id,
        workflowType: { name: cartAfterContinueAsNew.name },
        taskQueue: { name: id },
        input: { payloads: [defaultPayloadConverter.toPayload(1)] },
        requestId,
        workflowIdConflictPolicy: temporal.api.enums.v1.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
      });
    const first = await start('first');
    assert.equal(first.started, true);
    assert.equal(first.firstExecutionRunId, first.runId);
    await withWorker(env, { taskQueue: id }, async () => {
      const second = await waitFor('the continued-as-new run', async () => {
        const current = await env.client.workflow.getHandle(id).describe();
        return current.runId !== first.runId ? current.runId : undefined;
      });
      // USE_EXISTING answers with the running (second) run, whose chain began with the first run.
      const existing = await start('second');
      assert.equal(existing.started, false);
      assert.equal(existing.runId, second);
      assert.equal(existing.firstExecutionRunId, first.runId);
      const signaled = await env.client.workflowService.signalWithStartWorkflowExecution({
        namespace: env.namespace,
        workflowId: id,
        workflowType: { name: cartAfterContinueAsNew.name },
        taskQueue: { name: id },
        signalName: 'unhandled',
        requestId: 'third',
      });
      assert.equal(signaled.runId, second);
      assert.equal(signaled.firstExecutionRunId, first.runId);
      await env.client.workflow.getHandle(id).terminate('test cleanup');
    });
  });

  test('TERMINATE_EXISTING conflict policy terminates the running run and starts a new one', async (t) => {
    const id = uniqueName(t);
    const first = await env.client.workflow.start(waitForFinish, { taskQueue: id, workflowId: id });
    const second = await env.client.workflow.start(waitForFinish, { taskQueue: id, workflowId: id, workflowIdConflictPolicy: 'TERMINATE_EXISTING' });
    assert.notEqual(second.firstExecutionRunId, first.firstExecutionRunId);
    const old = await env.client.workflow.getHandle(id, first.firstExecutionRunId).describe();
    assert.equal(old.status.name, 'TERMINATED');
    const current = await env.client.workflow.getHandle(id).describe();
    assert.equal(current.runId, second.firstExecutionRunId);
    assert.equal(current.status.name, 'RUNNING');
    await second.terminate('test cleanup');
  });
});
