import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowNotFoundError } from '@temporalio/client';
import { EventType, countEvents, eventNames, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { addMessageSignal, collectMessages, countSignals, doneSignal, incrementSignal, messagesQuery, returnValue } from './workflows';

const env = useHourglassServer();

describe('signals', () => {
  test('100 signals sent in a burst are all delivered, each recorded once in history', async (t) => {
    const taskQueue = uniqueName(t);
    const result = await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(countSignals, { taskQueue, workflowId: taskQueue, args: [100] });
      await Promise.all(Array.from({ length: 100 }, (_, i) => handle.signal(incrementSignal, i + 1)));
      return handle.result();
    });
    assert.deepEqual(result, { count: 100, sum: 5050 });
    const { events } = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    assert.equal(countEvents(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 100, `history: ${eventNames(events).join(', ')}`);
  });

  test('signalWithStart starts the workflow with the signal delivered first; a second one only signals the same run', async (t) => {
    const taskQueue = uniqueName(t);
    const workflowId = taskQueue;
    const { first, second, result } = await withWorker(env, { taskQueue }, async () => {
      const first = await env.client.workflow.signalWithStart(collectMessages, {
        taskQueue,
        workflowId,
        signal: addMessageSignal,
        signalArgs: ['first'],
      });
      const seen = await waitFor('the first message in the handler', async () => {
        const m = await first.query(messagesQuery);
        return m.length > 0 ? m : undefined;
      });
      assert.deepEqual(seen, ['first']);

      const second = await env.client.workflow.signalWithStart(collectMessages, {
        taskQueue,
        workflowId,
        signal: addMessageSignal,
        signalArgs: ['second'],
      });
      await second.signal(doneSignal);
      return { first, second, result: await first.result() };
    });
    assert.deepEqual(result, ['first', 'second']);
    assert.equal(second.signaledRunId, first.signaledRunId, 'the second signalWithStart must signal the running run');

    const { events } = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const names = eventNames(events);
    assert.equal(countEvents(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED), 1, `history: ${names.join(', ')}`);
    assert.equal(countEvents(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 3, `history: ${names.join(', ')}`);
    const firstSignal = names.indexOf('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    const firstTaskStarted = names.indexOf('EVENT_TYPE_WORKFLOW_TASK_STARTED');
    assert.ok(firstSignal >= 0 && firstSignal < firstTaskStarted, `the signal must precede the first workflow task; history: ${names.join(', ')}`);

    const description = await env.client.workflow.getHandle(workflowId).describe();
    assert.equal(description.runId, first.signaledRunId);
  });

  test('signalling a completed workflow fails with WorkflowNotFoundError', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, () => env.client.workflow.execute(returnValue, { taskQueue, workflowId: taskQueue, args: ['done'] }));
    const err = await rejectionOf(env.client.workflow.getHandle(taskQueue).signal(incrementSignal, 1), 'signalling a completed workflow');
    assert.ok(err instanceof WorkflowNotFoundError, `expected WorkflowNotFoundError, got ${String(err)}`);
    const { events } = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    assert.equal(countEvents(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 0, 'a closed workflow must not record the signal');
  });

  test('signalling an unknown workflow ID fails with WorkflowNotFoundError', async (t) => {
    const err = await rejectionOf(env.client.workflow.getHandle(uniqueName(t)).signal(incrementSignal, 1), 'signalling an unknown workflow');
    assert.ok(err instanceof WorkflowNotFoundError, `expected WorkflowNotFoundError, got ${String(err)}`);
  });
});
