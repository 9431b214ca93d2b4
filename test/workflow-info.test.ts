import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import { EventType, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { commandsWithSummaries, historyInfoAfterSignals, tickSignal } from './workflows';

const env = useHourglassServer();
const { History } = temporal.api.history.v1;

describe('workflowInfo() of history', () => {
  test('historyLength is the task Started event id and historySize the persisted history before it, as Temporal counts it', async (t) => {
    const taskQueue = uniqueName(t);
    const info = await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(historyInfoAfterSignals, { taskQueue, workflowId: taskQueue, args: [3] });
      for (let i = 0; i < 3; i++) {
        await waitFor(`workflow task ${i + 1} completed`, async () => {
          const events = (await handle.fetchHistory()).events ?? [];
          const completed = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length;
          return completed >= i + 1 || undefined;
        });
        await handle.signal(tickSignal);
      }
      return handle.result();
    });
    const events = (await env.client.workflow.getHandle(taskQueue).fetchHistory()).events ?? [];
    const started = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const last = started[started.length - 1];
    assert.ok(last && started.length >= 4, `expected at least 4 workflow tasks, got ${started.length}`);
    const startedId = Number(last.eventId);
    assert.equal(info.historyLength, startedId);
    const recorded = Number(last.workflowTaskStartedEventAttributes?.historySizeBytes);
    assert.equal(info.historySize, recorded);
    assert.equal(info.continueAsNewSuggested, false);
    assert.equal(last.workflowTaskStartedEventAttributes?.suggestContinueAsNew, false);
    // Temporal's ExecutionStats.HistorySize: the bytes of the history batches persisted before the task
    // started, i.e. the History message of the events written in earlier transactions. The Started event
    // may share its transaction with its Scheduled event and what caused it (a signal, sync-matched).
    const sizeBefore = (id: number): number => History.encode({ events: events.filter((e) => Number(e.eventId) < id) }).finish().length;
    const previousCompleted = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && Number(e.eventId) < startedId).pop();
    const boundaries = [];
    for (let id = Number(previousCompleted?.eventId) + 1; id <= startedId; id++) boundaries.push(sizeBefore(id));
    assert.ok(boundaries.includes(recorded), `historySizeBytes ${recorded}, expected one of ${boundaries.join(', ')}`);
    // Describe reports the same measure for the whole (closed) history, as Temporal's ExecutionStats.HistorySize.
    const { raw } = await env.client.workflow.getHandle(taskQueue).describe();
    assert.equal(Number(raw.workflowExecutionInfo?.historySizeBytes), History.encode({ events }).finish().length);
    // Every task's Started event grows with the history.
    const sizes = started.map((e) => Number(e.workflowTaskStartedEventAttributes?.historySizeBytes));
    assert.deepEqual(
      [...sizes].sort((a, b) => a - b),
      sizes,
    );
  });

  test("WorkflowTaskCompleted records the worker's deployment name, as Temporal does for an unversioned worker", async (t) => {
    const taskQueue = uniqueName(t);
    const version = { deploymentName: `${taskQueue}-deployment`, buildId: 'build-1' };
    const info = await withWorker(env, { taskQueue, workerDeploymentOptions: { version, useWorkerVersioning: false } }, async () => {
      const handle = await env.client.workflow.start(historyInfoAfterSignals, { taskQueue, workflowId: taskQueue, args: [1] });
      await handle.signal(tickSignal);
      return handle.result();
    });
    assert.equal(info.currentBuildId, 'build-1');
    const events = (await env.client.workflow.getHandle(taskQueue).fetchHistory()).events ?? [];
    const completed = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    assert.ok(completed.length > 0);
    for (const e of completed) {
      const attrs = e.workflowTaskCompletedEventAttributes;
      assert.equal(attrs?.workerDeploymentName, version.deploymentName);
      // Only a versioned worker's completion carries the version (worker_versioning.DeploymentOrVersion).
      assert.equal(attrs?.deploymentVersion ?? null, null);
    }
  });

  test("the start request's summary and details are kept on WorkflowExecutionStarted and returned by describe", async (t) => {
    const taskQueue = uniqueName(t);
    const handle = await env.client.workflow.start(historyInfoAfterSignals, {
      taskQueue,
      workflowId: taskQueue,
      args: [1],
      staticSummary: 'a summary',
      staticDetails: 'some details',
    });
    const description = await handle.describe();
    assert.equal(await description.staticSummary(), 'a summary');
    assert.equal(await description.staticDetails(), 'some details');
    const [started] = (await handle.fetchHistory()).events ?? [];
    assert.ok(started?.userMetadata?.summary, 'WorkflowExecutionStarted carries the user metadata');
    await handle.terminate();
  });

  test("a command's summary goes on its event: activity, timer, child", async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, () => env.client.workflow.execute(commandsWithSummaries, { taskQueue, workflowId: taskQueue }));
    const handle = env.client.workflow.getHandle(taskQueue);
    const events = (await handle.fetchHistory()).events ?? [];
    const converter = env.client.options.loadedDataConverter.payloadConverter;
    const summaryOf = (type: (typeof EventType)[keyof typeof EventType]): unknown => {
      const summary = events.find((e) => e.eventType === type)?.userMetadata?.summary;
      return summary ? converter.fromPayload(summary) : undefined;
    };
    assert.equal(summaryOf(EventType.EVENT_TYPE_TIMER_STARTED), 'timer summary');
    assert.equal(summaryOf(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), 'echo summary');
    assert.equal(summaryOf(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED), 'child summary');
    assert.equal(summaryOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED), undefined);
    const child = events.find((e) => e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED)?.childWorkflowExecutionStartedEventAttributes
      ?.workflowExecution;
    const childDescription = await env.client.workflow.getHandle(child?.workflowId ?? '', child?.runId ?? undefined).describe();
    assert.equal(await childDescription.staticSummary(), 'child summary');
    assert.equal(await childDescription.staticDetails(), 'child details');
  });
});
