import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import type { ParentClosePolicy } from '@temporalio/workflow';
import * as compositionActivities from './composition-activities';
import { EventType, activities, countEvents, eventNames, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import {
  batchParent,
  cancelExternal,
  parentOfReporter,
  parentWithPolicy,
  signalExternal,
  startDuplicateChild,
  waitForPing,
  waitForever,
  type BatchItem,
} from './workflows';

const env = useHourglassServer();
const allActivities = { ...activities, ...compositionActivities };

async function statusOf(workflowId: string): Promise<string> {
  return (await env.client.workflow.getHandle(workflowId).describe()).status.name;
}

async function terminateIfRunning(handle: WorkflowHandle): Promise<void> {
  if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test cleanup');
}

describe('child workflows', () => {
  test('a parent runs 20 children in parallel and collects 17 successes and 3 ValidationError failures by item ID', async (t) => {
    const taskQueue = uniqueName(t);
    const parentId = taskQueue;
    const invalid = new Set(['item-3', 'item-11', 'item-17']);
    const items: BatchItem[] = Array.from({ length: 20 }, (_, i) => ({ id: `item-${i}`, value: invalid.has(`item-${i}`) ? -i : i }));

    const result = await withWorker(env, { taskQueue, activities: allActivities }, () =>
      env.client.workflow.execute(batchParent, { taskQueue, workflowId: parentId, args: [items] }),
    );

    assert.equal(result.successes.length, 17);
    assert.deepEqual(
      result.successes.map((s) => s.id).sort(),
      items
        .filter((i) => !invalid.has(i.id))
        .map((i) => i.id)
        .sort(),
    );
    for (const s of result.successes) assert.equal(s.doubled, 2 * Number(s.id.slice('item-'.length)));
    assert.deepEqual(
      result.failures.slice().sort((a, b) => a.id.localeCompare(b.id)),
      [...invalid].sort().map((id) => ({ id, error: `invalid item ${id}` })),
      'each failure carries its item ID and the child ApplicationFailure message (unwrapped from ChildWorkflowFailure)',
    );
    assert.equal(result.summary, '17 succeeded, 3 failed');
    assert.deepEqual(compositionActivities.batchSummaries.get(parentId), [{ successes: 17, failures: [...invalid] }], 'the summary activity runs exactly once');

    const { events } = await env.client.workflow.getHandle(parentId).fetchHistory();
    const names = eventNames(events).join(', ');
    assert.equal(countEvents(events, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED), 20, names);
    assert.equal(countEvents(events, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED), 20, names);
    assert.equal(countEvents(events, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED), 17, names);
    assert.equal(countEvents(events, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED), 3, names);

    const failedChild = await env.client.workflow.getHandle(`${parentId}-item-3`).describe();
    assert.equal(failedChild.status.name, 'FAILED');
    const okChild = await env.client.workflow.getHandle(`${parentId}-item-4`).describe();
    assert.equal(okChild.status.name, 'COMPLETED');
  });

  const policies: { policy: ParentClosePolicy; expected: string }[] = [
    { policy: 'TERMINATE', expected: 'TERMINATED' },
    { policy: 'REQUEST_CANCEL', expected: 'CANCELLED' },
    { policy: 'ABANDON', expected: 'RUNNING' },
  ];
  for (const { policy, expected } of policies) {
    test(`parent close policy ${policy}: when the parent completes, its still-running child ends ${expected}`, async (t) => {
      const taskQueue = uniqueName(t);
      const parentId = taskQueue;
      const childId = `${taskQueue}-child`;
      const child = env.client.workflow.getHandle(childId);
      try {
        await withWorker(env, { taskQueue }, async () => {
          const childRunId = await env.client.workflow.execute(parentWithPolicy, { taskQueue, workflowId: parentId, args: [childId, policy] });
          assert.equal((await child.describe()).runId, childRunId);
          if (expected === 'RUNNING') {
            // Give the server time to (wrongly) act on the child before checking it was left alone.
            await new Promise((resolve) => setTimeout(resolve, 750));
            assert.equal(await statusOf(childId), 'RUNNING', 'an abandoned child keeps running after its parent closes');
          } else {
            await waitFor(`the child to become ${expected}`, async () => ((await statusOf(childId)) === expected ? true : undefined));
          }
        });
        assert.equal((await env.client.workflow.getHandle(parentId).describe()).status.name, 'COMPLETED');
        const { events } = await child.fetchHistory();
        if (expected === 'CANCELLED') {
          assert.equal(countEvents(events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED), 1, eventNames(events).join(', '));
        }
        if (expected === 'TERMINATED') {
          assert.equal(eventNames(events).at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED');
        }
      } finally {
        await terminateIfRunning(child).catch(() => undefined);
      }
    });
  }

  test('starting a child whose workflow ID is already running fails in the parent with WorkflowExecutionAlreadyStartedError', async (t) => {
    const taskQueue = uniqueName(t);
    const existingId = `${taskQueue}-existing`;
    const existing = await env.client.workflow.start(waitForever, { taskQueue, workflowId: existingId });
    try {
      const outcome = await withWorker(env, { taskQueue }, () =>
        env.client.workflow.execute(startDuplicateChild, { taskQueue, workflowId: taskQueue, args: [existingId] }),
      );
      assert.deepEqual(outcome, {
        started: false,
        error: 'WorkflowExecutionAlreadyStartedError',
        isAlreadyStarted: true,
        workflowId: existingId,
        workflowType: 'waitForever',
      });
      const { events } = await env.client.workflow.getHandle(taskQueue).fetchHistory();
      const names = eventNames(events).join(', ');
      assert.equal(countEvents(events, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED), 1, names);
      assert.equal(countEvents(events, EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED), 0, names);
      const failed = events?.find((e) => e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED);
      assert.equal(
        failed?.startChildWorkflowExecutionFailedEventAttributes?.cause,
        1, // START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS
      );
      assert.equal((await existing.describe()).runId, existing.firstExecutionRunId, 'the running workflow is untouched');
    } finally {
      await terminateIfRunning(existing).catch(() => undefined);
    }
  });

  test("a child's describe names its parent execution, and the child sees its parent in workflowInfo()", async (t) => {
    const taskQueue = uniqueName(t);
    const childId = `${taskQueue}-child`;
    const { parentHandle, result } = await withWorker(env, { taskQueue }, async () => {
      const parentHandle = await env.client.workflow.start(parentOfReporter, { taskQueue, workflowId: taskQueue, args: [childId] });
      return { parentHandle, result: await parentHandle.result() };
    });
    assert.equal(result.value, 'from parent');
    assert.equal(result.parent?.workflowId, taskQueue);
    assert.equal(result.parent?.runId, parentHandle.firstExecutionRunId);
    assert.equal(result.parent?.namespace, env.namespace);

    const description = await env.client.workflow.getHandle(childId).describe();
    assert.equal(description.status.name, 'COMPLETED');
    assert.deepEqual(
      { workflowId: description.parentExecution?.workflowId, runId: description.parentExecution?.runId },
      { workflowId: taskQueue, runId: parentHandle.firstExecutionRunId },
    );
    const parentEvents = (await parentHandle.fetchHistory()).events;
    const names = eventNames(parentEvents);
    const initiated = names.indexOf('EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED');
    const started = names.indexOf('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED');
    const completed = names.indexOf('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED');
    assert.ok(initiated >= 0 && initiated < started && started < completed, `history: ${names.join(', ')}`);
  });
});

describe('external workflows', () => {
  test('a workflow signals another running workflow by ID and the target completes with the payload', async (t) => {
    const taskQueue = uniqueName(t);
    const targetId = `${taskQueue}-target`;
    const { outcome, targetResult } = await withWorker(env, { taskQueue }, async () => {
      const target = await env.client.workflow.start(waitForPing, { taskQueue, workflowId: targetId });
      const outcome = await env.client.workflow.execute(signalExternal, { taskQueue, workflowId: taskQueue, args: [targetId, 'hello'] });
      return { outcome, targetResult: await target.result() };
    });
    assert.deepEqual(outcome, { ok: true });
    assert.equal(targetResult, 'hello');

    const sender = (await env.client.workflow.getHandle(taskQueue).fetchHistory()).events;
    assert.equal(countEvents(sender, EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED), 1, eventNames(sender).join(', '));
    assert.equal(countEvents(sender, EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED), 1, eventNames(sender).join(', '));
    const target = (await env.client.workflow.getHandle(targetId).fetchHistory()).events;
    assert.equal(countEvents(target, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED), 1, eventNames(target).join(', '));
  });

  test('signalling an unknown workflow ID fails inside the calling workflow', async (t) => {
    const taskQueue = uniqueName(t);
    const outcome = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(signalExternal, { taskQueue, workflowId: taskQueue, args: [`${taskQueue}-nobody`, 'hello'] }),
    );
    assert.equal(outcome.ok, false, 'the signal must fail');
    if (outcome.ok) return;
    assert.match(outcome.message, /not found/i, `caught ${outcome.name}: ${outcome.message}`);
    const { events } = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    assert.equal(countEvents(events, EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED), 1, eventNames(events).join(', '));
    const failed = events?.find((e) => e.eventType === EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED);
    assert.equal(
      failed?.signalExternalWorkflowExecutionFailedEventAttributes?.cause,
      1, // SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND
    );
  });

  test('a workflow cancels another waiting workflow by ID, which closes as CANCELLED', async (t) => {
    const taskQueue = uniqueName(t);
    const targetId = `${taskQueue}-target`;
    const outcome = await withWorker(env, { taskQueue }, async () => {
      await env.client.workflow.start(waitForever, { taskQueue, workflowId: targetId });
      const outcome = await env.client.workflow.execute(cancelExternal, { taskQueue, workflowId: taskQueue, args: [targetId] });
      await waitFor('the target to be cancelled', async () => ((await statusOf(targetId)) === 'CANCELLED' ? true : undefined));
      return outcome;
    });
    assert.deepEqual(outcome, { ok: true });
    const sender = (await env.client.workflow.getHandle(taskQueue).fetchHistory()).events;
    assert.equal(countEvents(sender, EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED), 1, eventNames(sender).join(', '));
    assert.equal(countEvents(sender, EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED), 1, eventNames(sender).join(', '));
    const target = (await env.client.workflow.getHandle(targetId).fetchHistory()).events;
    assert.equal(countEvents(target, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED), 1, eventNames(target).join(', '));
    assert.equal(eventNames(target).at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED');
  });

  test('cancelling an unknown workflow ID fails inside the calling workflow', async (t) => {
    const taskQueue = uniqueName(t);
    const outcome = await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(cancelExternal, { taskQueue, workflowId: taskQueue, args: [`${taskQueue}-nobody`] }),
    );
    assert.equal(outcome.ok, false, 'the cancel request must fail');
    if (outcome.ok) return;
    assert.match(outcome.message, /not found/i, `caught ${outcome.name}: ${outcome.message}`);
    const { events } = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    assert.equal(countEvents(events, EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED), 1, eventNames(events).join(', '));
    const failed = events?.find((e) => e.eventType === EventType.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED);
    assert.equal(
      failed?.requestCancelExternalWorkflowExecutionFailedEventAttributes?.cause,
      1, // CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND
    );
  });
});
