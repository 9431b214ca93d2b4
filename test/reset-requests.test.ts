/**
 * ResetWorkflowExecution requests: idempotent by request id, and refused with Temporal's status and
 * message when a field is missing, the run is unknown or the reset point is not a workflow task.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Long from 'long';
import { grpcCode, grpcDetails, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { firstCompletedTaskId, historyOf, isCompletedTask, probeWithSignals, reset, settled, type ResetRequest } from './reset-fixtures';
import { resetMessageSignal } from './workflows';

const env = useHourglassServer();

const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;

describe('ResetWorkflowExecution', () => {
  test('a reset request is idempotent by request id: the same id answers the run it created', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { base } = await probeWithSignals(env.client, taskQueue, 2, ['one']);
      const point = firstCompletedTaskId(await historyOf(base));
      const request: ResetRequest = {
        workflowExecution: { workflowId: taskQueue },
        workflowTaskFinishEventId: Long.fromNumber(point),
        requestId: randomUUID(),
      };
      const first = await reset(env.client, env.namespace, request);
      const again = await reset(env.client, env.namespace, request);
      assert.equal(again, first, 'the retried request answers the same new run');
      const other = await reset(env.client, env.namespace, { ...request, requestId: randomUUID() });
      assert.notEqual(other, first, 'a new request id resets again');
      const description = await env.client.workflow.getHandle(taskQueue).describe();
      assert.equal(description.runId, other);
      assert.equal((await env.client.workflow.getHandle(taskQueue, first).describe()).status.name, 'TERMINATED');
      await env.client.workflow.getHandle(taskQueue).terminate('done');
    });
  });

  test('bad requests get INVALID_ARGUMENT or NOT_FOUND with Temporal’s messages', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const { base, baseRunId } = await probeWithSignals(env.client, taskQueue, 3, ['one']);
      // A second signal after the run settled: its workflow task guarantees an event after the first completed
      // task, even when the first signal arrived before the first task started.
      await base.signal(resetMessageSignal, 'two');
      const history = await waitFor('a workflow task after the second signal', async () => {
        const events = await historyOf(base);
        return settled(events) && events.filter(isCompletedTask).length >= 2 ? events : undefined;
      });
      const point = firstCompletedTaskId(history);
      const nextEventId = Number(history.at(-1)?.eventId) + 1;
      const workflowExecution = { workflowId: taskQueue, runId: baseRunId };
      const cases: [string, ResetRequest, number, string][] = [
        [
          'no request id',
          { workflowExecution, workflowTaskFinishEventId: Long.fromNumber(point), requestId: '' },
          INVALID_ARGUMENT,
          'RequestId is not set on request.',
        ],
        ['no execution', { workflowExecution: null, workflowTaskFinishEventId: Long.fromNumber(point) }, INVALID_ARGUMENT, 'Execution is not set on request.'],
        [
          'no workflow id',
          { workflowExecution: { workflowId: '' }, workflowTaskFinishEventId: Long.fromNumber(point) },
          INVALID_ARGUMENT,
          'WorkflowId is not set on request.',
        ],
        [
          'a run id that is no UUID',
          { workflowExecution: { workflowId: taskQueue, runId: 'nope' }, workflowTaskFinishEventId: Long.fromNumber(point) },
          INVALID_ARGUMENT,
          'Invalid RunId.',
        ],
        [
          'a post-reset operation',
          { workflowExecution, workflowTaskFinishEventId: Long.fromNumber(point), postResetOperations: [{ signalWorkflow: { signalName: 'x' } }] },
          INVALID_ARGUMENT,
          'unsupported post reset operation',
        ],
        [
          'the start event',
          { workflowExecution, workflowTaskFinishEventId: Long.fromNumber(1) },
          INVALID_ARGUMENT,
          'Workflow task finish ID must be > 1 && <= workflow last event ID.',
        ],
        [
          'beyond the history',
          { workflowExecution, workflowTaskFinishEventId: Long.fromNumber(nextEventId) },
          INVALID_ARGUMENT,
          'Workflow task finish ID must be > 1 && <= workflow last event ID.',
        ],
        [
          'an event after a completed task',
          { workflowExecution, workflowTaskFinishEventId: Long.fromNumber(point + 1) },
          INVALID_ARGUMENT,
          `Can only reset workflow to event ID in range [WorkflowTaskScheduled +1, WorkflowTaskStarted + 1]: ${point + 1}`,
        ],
        [
          'an unknown run',
          { workflowExecution: { workflowId: taskQueue, runId: randomUUID() }, workflowTaskFinishEventId: Long.fromNumber(point) },
          NOT_FOUND,
          'workflow execution not found',
        ],
        [
          'an unknown workflow',
          { workflowExecution: { workflowId: `${taskQueue}-unknown` }, workflowTaskFinishEventId: Long.fromNumber(point) },
          NOT_FOUND,
          'workflow execution not found',
        ],
      ];
      for (const [what, request, code, message] of cases) {
        const err = await rejectionOf(reset(env.client, env.namespace, request), `a reset to ${what}`);
        assert.equal(grpcCode(err), code, `${what}: ${grpcDetails(err)}`);
        assert.ok(grpcDetails(err).startsWith(message), `${what}: ${grpcDetails(err)}`);
      }
      assert.equal((await base.describe()).status.name, 'RUNNING', 'a refused reset changes nothing');
      await base.terminate('done');
    });
  });
});
