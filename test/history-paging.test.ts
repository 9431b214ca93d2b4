/**
 * A workflow task's history comes in pages, as from Temporal: the poll response carries at most
 * `limit.historyMaxPageSize` events (256 by default) and a nextPageToken, and the worker reads the rest with
 * GetWorkflowExecutionHistory. The Go SDK and sdk-core both follow that token when they replay.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { eventNames, needsInProcessServer, uniqueName, useHourglassServer, withWorker } from './helpers';
import { addMessageSignal, collectMessages, doneSignal, messagesQuery, sequentialActivities } from './workflows';

const { enums } = temporal.api;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const PAGE = 4;

describe('workflow task history paging', needsInProcessServer('sets limit.historyMaxPageSize'), () => {
  const env = useHourglassServer({ dynamicConfig: { 'limit.historyMaxPageSize': PAGE } });

  async function startWithSignals(workflowId: string, signals: number): Promise<void> {
    await env.connection.workflowService.startWorkflowExecution({
      namespace: env.namespace,
      workflowId,
      workflowType: { name: 'raw' },
      taskQueue: { name: workflowId },
      requestId: randomUUID(),
    });
    for (let i = 0; i < signals; i++) {
      await env.connection.workflowService.signalWorkflowExecution({
        namespace: env.namespace,
        workflowExecution: { workflowId },
        signalName: 'tick',
        input: { payloads: [defaultPayloadConverter.toPayload(i)] },
        requestId: randomUUID(),
      });
    }
  }

  async function poll(taskQueue: string): Promise<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse> {
    return env.connection.workflowService.pollWorkflowTaskQueue({ namespace: env.namespace, taskQueue: { name: taskQueue }, identity: 'raw-driver' });
  }

  /** The poll's history followed page by page, as a worker reads it. */
  async function taskHistory(workflowId: string, first: temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse): Promise<HistoryEvent[][]> {
    const pages = [first.history?.events ?? []];
    let token = first.nextPageToken;
    while (token && token.length > 0) {
      const page = await env.connection.workflowService.getWorkflowExecutionHistory({
        namespace: env.namespace,
        execution: { workflowId },
        nextPageToken: token,
      });
      pages.push(page.history?.events ?? []);
      token = page.nextPageToken;
    }
    return pages;
  }

  test('the poll response carries one page and a token; the pages end at WorkflowTaskStarted, not at later events', async (t) => {
    const id = uniqueName(t);
    await startWithSignals(id, 5); // Started, TaskScheduled, 5 signals, TaskStarted: 8 events
    const task = await poll(id);
    assert.equal(task.history?.events?.length, PAGE);
    assert.ok(task.nextPageToken && task.nextPageToken.length > 0, 'a nextPageToken for the rest');
    // A signal while the task is out is not part of this task's history.
    await env.connection.workflowService.signalWorkflowExecution({ namespace: env.namespace, workflowExecution: { workflowId: id }, signalName: 'late' });
    const pages = await taskHistory(id, task);
    assert.deepEqual(
      pages.map((p) => p.length),
      [4, 4],
    );
    const events = pages.flat();
    assert.deepEqual(
      events.map((e) => Number(e.eventId)),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.equal(events.at(-1)?.eventType, enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    assert.equal(Number(task.startedEventId), 8);
  });

  test("a retried (transient) task's Scheduled and Started events end its last page", async (t) => {
    const id = uniqueName(t);
    await startWithSignals(id, 3);
    const first = await poll(id);
    await env.connection.workflowService.respondWorkflowTaskFailed({
      namespace: env.namespace,
      taskToken: first.taskToken,
      cause: enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE,
      failure: { message: 'boom' },
    });
    const second = await poll(id);
    assert.equal(second.attempt, 2);
    assert.equal(second.history?.events?.length, PAGE);
    const events = (await taskHistory(id, second)).flat();
    assert.deepEqual(
      events.map((e) => Number(e.eventId)),
      Array.from({ length: events.length }, (_, i) => i + 1),
      'dense event ids',
    );
    assert.deepEqual(eventNames(events).slice(-3), [
      'EVENT_TYPE_WORKFLOW_TASK_FAILED',
      'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
      'EVENT_TYPE_WORKFLOW_TASK_STARTED',
    ]);
    assert.equal(Number(second.startedEventId), events.length);
  });

  test("a query task's history is paged too: the SDK answers a closed run's query after reading every page", async (t) => {
    const taskQueue = uniqueName(t);
    const messages = ['one', 'two', 'three', 'four', 'five', 'six'];
    const handle = await env.client.workflow.start(collectMessages, { taskQueue, workflowId: taskQueue });
    for (const m of messages) await handle.signal(addMessageSignal, m);
    await handle.signal(doneSignal);
    await withWorker(env, { taskQueue, maxCachedWorkflows: 0 }, async () => {
      assert.deepEqual(await handle.result(), messages);
      assert.deepEqual(await handle.query(messagesQuery), messages);
    });
  });

  test('the SDK worker replays a paged history on every task (no cache) and completes the run', async (t) => {
    const taskQueue = uniqueName(t);
    const values = ['a', 'b', 'c', 'd'];
    const result = await withWorker(env, { taskQueue, maxCachedWorkflows: 0 }, () =>
      env.client.workflow.execute(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [values] }),
    );
    assert.deepEqual(result, ['A', 'B', 'C', 'D']);
  });
});
