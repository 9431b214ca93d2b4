import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { temporal } from '@temporalio/proto';
import { EventType, uniqueName, useHourglassServer } from './helpers';

const env = useHourglassServer();
type HistoryRequest = temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryRequest;

describe('following a history (GetWorkflowExecutionHistory with waitNewEvent)', () => {
  test("a running run's last page carries a token; the next long poll answers only the events added after it", async (t) => {
    const taskQueue = uniqueName(t);
    // No worker: the run stays at its first workflow task, and each signal adds one event.
    const handle = await env.client.workflow.start('neverPolled', { taskQueue, workflowId: taskQueue });
    const request = (nextPageToken?: Uint8Array): HistoryRequest => ({
      namespace: env.namespace,
      execution: { workflowId: taskQueue },
      waitNewEvent: true,
      nextPageToken,
    });
    const first = await env.connection.workflowService.getWorkflowExecutionHistory(request());
    assert.deepEqual(
      first.history?.events?.map((e) => e.eventType),
      [EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED],
    );
    assert.ok(first.nextPageToken && first.nextPageToken.length > 0, 'the last page of a running run has a token to follow it');

    const next = env.connection.workflowService.getWorkflowExecutionHistory(request(first.nextPageToken));
    await handle.signal('poke');
    const followed = await next;
    assert.deepEqual(
      followed.history?.events?.map((e) => Number(e.eventId)),
      [3],
      'only the signal event, once it is added',
    );
    assert.equal(followed.history?.events?.[0]?.eventType, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED);

    await handle.terminate('done following');
    const last = await env.connection.workflowService.getWorkflowExecutionHistory(request(followed.nextPageToken ?? undefined));
    assert.equal(last.history?.events?.[0]?.eventType, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED);
    assert.equal(last.nextPageToken?.length ?? 0, 0, 'a closed run ends the follow: no token');
  });

  test('without waitNewEvent the last page of a running run has no token', async (t) => {
    const taskQueue = uniqueName(t);
    const handle = await env.client.workflow.start('neverPolled', { taskQueue, workflowId: taskQueue });
    const page = await env.connection.workflowService.getWorkflowExecutionHistory({ namespace: env.namespace, execution: { workflowId: taskQueue } });
    assert.equal(page.history?.events?.length, 2);
    assert.equal(page.nextPageToken?.length ?? 0, 0);
    await handle.terminate();
  });
});
