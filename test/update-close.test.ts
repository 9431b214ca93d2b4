/**
 * Updates a run leaves unfinished when it closes, answered as Temporal's history service answers them
 * (service/history/workflow/update/abort_reason.go, errors_failures.go): an accepted update completes
 * with the AcceptedUpdateCompletedWorkflow failure; one not yet accepted fails with NOT_FOUND, or, when
 * the run closes into a new one, with a retryable error the client follows to the new run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { EventType, eventNames, grpcCode, grpcDetails, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { acceptThenEnd, addItemUpdate, cart, cartAfterContinueAsNew, closeCartSignal, hangingUpdate, slowAddItemUpdate, type UpdateEnd } from './workflows';

const env = useHourglassServer();
const Stage = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
const ABORTED_MESSAGE = 'Workflow Update failed because the Workflow completed before the Update completed.';

/** The failure an accepted update gets when its run closes first, as the SDK client raises it. */
function assertAbortedAfterAcceptance(err: unknown): void {
  assert.ok(err instanceof WorkflowUpdateFailedError, `expected WorkflowUpdateFailedError, got ${String(err)}`);
  const cause = err.cause;
  assert.ok(cause instanceof ApplicationFailure, `expected an ApplicationFailure cause, got ${String(cause)}`);
  assert.equal(cause.message, ABORTED_MESSAGE);
  assert.equal(cause.type, 'AcceptedUpdateCompletedWorkflow');
  assert.equal(cause.nonRetryable, true);
}

/** PollWorkflowExecutionUpdate of an update on a run, waiting for `stage`. */
function pollUpdate(workflowId: string, runId: string, updateId: string, stage = Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED) {
  return env.connection.workflowService.pollWorkflowExecutionUpdate({
    namespace: env.namespace,
    updateRef: { workflowExecution: { workflowId, runId }, updateId },
    waitPolicy: { lifecycleStage: stage },
  });
}

async function runHistory(workflowId: string, runId: string): Promise<string[]> {
  const { history } = await env.connection.workflowService.getWorkflowExecutionHistory({ namespace: env.namespace, execution: { workflowId, runId } });
  return eventNames(history?.events);
}

describe('updates a closing run leaves unfinished', () => {
  for (const end of ['return', 'fail', 'continueAsNew'] as UpdateEnd[]) {
    test(`an accepted update whose workflow ends (${end}) before the handler returns fails with AcceptedUpdateCompletedWorkflow`, async (t) => {
      const taskQueue = uniqueName(t);
      await withWorker(env, { taskQueue }, async () => {
        const handle = await env.client.workflow.start(acceptThenEnd, { taskQueue, workflowId: taskQueue, args: [end] });
        assertAbortedAfterAcceptance(await rejectionOf(handle.executeUpdate(hangingUpdate, { updateId: 'hang' }), 'the unfinished update'));

        const firstRunId = handle.firstExecutionRunId;
        if (end === 'fail') assert.ok((await rejectionOf(handle.result())) instanceof WorkflowFailedError);
        else assert.equal(await handle.result(), 'done');

        // After the close, polling the update (raw, and through a handle) gives the same outcome, field by field.
        const polled = await pollUpdate(taskQueue, firstRunId, 'hang');
        assert.equal(polled.stage, Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED);
        const failure = polled.outcome?.failure;
        assert.equal(failure?.message, ABORTED_MESSAGE);
        assert.equal(failure?.source, 'Server');
        assert.equal(failure?.applicationFailureInfo?.type, 'AcceptedUpdateCompletedWorkflow');
        assert.equal(failure?.applicationFailureInfo?.nonRetryable, true);
        assertAbortedAfterAcceptance(await rejectionOf(handle.getUpdateHandle('hang', { workflowRunId: firstRunId }).result()));

        // History records the acceptance and no completion.
        const names = await runHistory(taskQueue, firstRunId);
        assert.ok(names.includes('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED'), names.join(', '));
        assert.ok(!names.includes('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED'), names.join(', '));
      });
    });
  }

  test('an accepted update of a terminated workflow fails with AcceptedUpdateCompletedWorkflow, through its handle and when sent again', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      const update = await handle.startUpdate(slowAddItemUpdate, { args: [4, 3_600_000], waitForStage: WorkflowUpdateStage.ACCEPTED, updateId: 'slow' });
      await handle.terminate('with an update in flight');
      assertAbortedAfterAcceptance(await rejectionOf(update.result(), 'the update of a terminated workflow'));
      assertAbortedAfterAcceptance(
        await rejectionOf(handle.executeUpdate(slowAddItemUpdate, { args: [4, 1], updateId: 'slow' }), 'the same update sent again'),
      );
    });
  });

  test('an update admitted to a workflow terminated before a worker takes it fails with NOT_FOUND "workflow update was aborted by closing workflow"', async (t) => {
    const taskQueue = uniqueName(t); // no worker polls it
    const handle = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
    const pending = rejectionOf(handle.executeUpdate(addItemUpdate, { args: [1], updateId: 'waiting' }), 'the update of a terminated workflow');
    await waitFor('the update to be admitted', () =>
      pollUpdate(taskQueue, handle.firstExecutionRunId, 'waiting', Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED).then((r) => r.stage),
    );
    await handle.terminate('before any worker took the update');
    const err = await pending;
    // The SDK client maps NOT_FOUND to WorkflowNotFoundError.
    assert.ok(err instanceof WorkflowNotFoundError, `expected WorkflowNotFoundError, got ${String(err)}`);
    assert.equal(err.message, 'workflow update was aborted by closing workflow');
    // Never accepted, so the closed run does not know it.
    const polled = await rejectionOf(pollUpdate(taskQueue, handle.firstExecutionRunId, 'waiting'));
    assert.equal(grpcCode(polled), 5 /* NOT_FOUND */);
    assert.equal(grpcDetails(polled), 'update "waiting" not found');
  });

  test('an update admitted while the workflow continues as new is refused as retryable and lands on the new run', async (t) => {
    const taskQueue = uniqueName(t);
    // A connection without the SDK's retry interceptor sees the first answer.
    const raw = await Connection.connect({ address: env.address, interceptors: [] });
    try {
      await withWorker(env, { taskQueue }, async () => {
        const handle = await env.client.workflow.start(cartAfterContinueAsNew, { taskQueue, workflowId: taskQueue, args: [1500] });
        const firstRunId = handle.firstExecutionRunId;
        // The first run's only workflow task is started and held open by its local activity.
        await waitFor(
          'the first workflow task to start',
          async () => (await runHistory(taskQueue, firstRunId)).includes(EventType[EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED]) || undefined,
        );
        // Sent while that task runs: admitted, never delivered to the first run.
        const moved = handle.executeUpdate(addItemUpdate, { args: [7], updateId: 'moved' });
        const refused = await rejectionOf(
          raw.workflowService.updateWorkflowExecution({
            namespace: env.namespace,
            workflowExecution: { workflowId: taskQueue },
            firstExecutionRunId: firstRunId,
            waitPolicy: { lifecycleStage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED },
            request: { meta: { updateId: 'refused' }, input: { name: addItemUpdate.name } },
          }),
          'an update admitted as the run continues as new',
        );
        assert.equal(grpcCode(refused), 8 /* RESOURCE_EXHAUSTED: the SDK client retries it */);
        assert.equal(grpcDetails(refused), 'workflow operation can not be applied because workflow is closing');

        // The SDK client retries, and its retry (naming no run) reaches the new run, which runs the handler.
        assert.equal(await moved, 7);
        const first = await runHistory(taskQueue, firstRunId);
        assert.equal(first.at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
        assert.ok(!first.some((n) => n.startsWith('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_')), first.join(', '));
        await handle.signal(closeCartSignal);
        assert.deepEqual(await handle.result(), [7]);
      });
    } finally {
      await raw.close();
    }
  });
});
