import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { activities, EventType, eventNames, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { temporal } from '@temporalio/proto';
import { failOnceThenWaitWorkflow, sequentialActivities, uiParent } from './workflows';

const env = useHourglassServer();

describe('describe and history', () => {
  test('describe shows a retried pending activity with its attempt and last failure', async (t) => {
    const taskQueue = uniqueName(t);
    const result = await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(failOnceThenWaitWorkflow, { taskQueue, workflowId: taskQueue, args: [taskQueue] });
      try {
        const pending = await waitFor('a pending activity on attempt 2', async () => {
          const { raw } = await handle.describe();
          const activity = raw.pendingActivities?.[0];
          return activity && (activity.attempt ?? 0) >= 2 ? activity : undefined;
        });
        assert.equal(pending.activityType?.name, 'failOnceThenWait');
        assert.ok((pending.attempt ?? 0) >= 2);
        assert.ok(pending.lastFailure, 'pending activity should carry the failure of attempt 1');
        assert.equal(pending.lastFailure.message, 'first attempt fails');
        assert.equal(pending.lastFailure.applicationFailureInfo?.type, 'FirstAttempt');
      } finally {
        activities.releaseLatch(taskQueue);
      }
      return handle.result();
    });
    assert.equal(result, 2);
    const { raw, status } = await env.client.workflow.getHandle(taskQueue).describe();
    assert.equal(status.name, 'COMPLETED');
    assert.equal(raw.pendingActivities?.length ?? 0, 0);
  });

  test('describe lists a running child under pendingChildren: its workflow ID, run ID, type, initiated event and parent close policy', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const parent = await env.client.workflow.start(uiParent, { taskQueue, workflowId: taskQueue });
      try {
        const child = await waitFor('the child started', async () => (await parent.describe()).raw.pendingChildren?.find((c) => c.runId));
        const childRun = await env.client.workflow.getHandle(`${taskQueue}-child`).describe();
        assert.equal(child.workflowId, `${taskQueue}-child`);
        assert.equal(child.runId, childRun.runId);
        assert.equal(child.workflowTypeName, 'uiChild');
        assert.equal(Number(child.initiatedId), 5);
        assert.equal(child.parentClosePolicy, temporal.api.enums.v1.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE);
      } finally {
        await parent.terminate();
      }
    });
  });

  test('history pages of maximumPageSize 3 chain through nextPageToken to the full history', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, () =>
      env.client.workflow.execute(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['p', 'q', 'r']] }),
    );
    const full = (await env.client.workflow.getHandle(taskQueue).fetchHistory()).events ?? [];
    assert.ok(full.length > 6, `expected a history longer than two pages, got ${full.length} events`);
    assert.equal(full[full.length - 1]?.eventType, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);

    const paged: number[] = [];
    let nextPageToken: Uint8Array | undefined;
    let pages = 0;
    do {
      const page = await env.client.workflowService.getWorkflowExecutionHistory({
        namespace: env.namespace,
        execution: { workflowId: taskQueue },
        maximumPageSize: 3,
        nextPageToken,
      });
      const events = page.history?.events ?? [];
      assert.ok(events.length <= 3, `page ${pages + 1} has ${events.length} events, more than maximumPageSize 3`);
      paged.push(...events.map((e) => Number(e.eventId)));
      nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
      pages++;
      assert.ok(pages <= full.length + 1, 'pagination does not terminate');
    } while (nextPageToken);
    assert.ok(pages >= Math.ceil(full.length / 3), `only ${pages} pages for ${full.length} events`);
    assert.deepEqual(
      paged,
      full.map((e) => Number(e.eventId)),
    );
  });

  test('getWorkflowExecutionHistoryReverse returns events newest first', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, () => env.client.workflow.execute(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['s']] }));
    const full = (await env.client.workflow.getHandle(taskQueue).fetchHistory()).events ?? [];
    const reversed: number[] = [];
    const types: number[] = [];
    let nextPageToken: Uint8Array | undefined;
    let pages = 0;
    do {
      const page = await env.client.workflowService.getWorkflowExecutionHistoryReverse({
        namespace: env.namespace,
        execution: { workflowId: taskQueue },
        maximumPageSize: 4,
        nextPageToken,
      });
      for (const e of page.history?.events ?? []) {
        reversed.push(Number(e.eventId));
        types.push(e.eventType ?? 0);
      }
      nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
      assert.ok(++pages <= full.length + 1, 'reverse pagination does not terminate');
    } while (nextPageToken);
    assert.deepEqual(reversed, full.map((e) => Number(e.eventId)).reverse(), `forward history: ${eventNames(full).join(', ')}`);
    assert.equal(types[0], EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    assert.equal(types[types.length - 1], EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  });
});
