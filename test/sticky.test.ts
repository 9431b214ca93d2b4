import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { activities, eventNames, needsInProcessServer, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import * as interactionActivities from './interaction-activities';
import { finishSignal, manySequentialActivities, waitForFinish } from './workflows';

const env = useHourglassServer();
const allActivities = { ...activities, ...interactionActivities };

describe('sticky execution', needsInProcessServer('counts the workflow tasks sent with the full history in env.server.stats'), () => {
  test('200 sequential activities on one warm worker need at most 2 full-history workflow tasks', async (t) => {
    const taskQueue = uniqueName(t);
    const before = env.server.stats.fullHistoryWorkflowTasks;
    const result = await withWorker(env, { taskQueue, activities: allActivities }, () =>
      env.client.workflow.execute(manySequentialActivities, { taskQueue, workflowId: taskQueue, args: [200] }),
    );
    const fullHistoryTasks = env.server.stats.fullHistoryWorkflowTasks - before;
    assert.equal(result, 200);
    const names = eventNames((await env.client.workflow.getHandle(taskQueue).fetchHistory()).events);
    const workflowTasks = names.filter((n) => n === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED').length;
    assert.ok(workflowTasks >= 200, `expected one workflow task per activity, got ${workflowTasks}`);
    assert.ok(fullHistoryTasks <= 2, `${fullHistoryTasks} of ${workflowTasks} workflow tasks carried the full history`);
  });

  test('after its worker shuts down, a workflow is picked up by a new worker from the normal queue', async (t) => {
    const taskQueue = uniqueName(t);
    const handle = await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(waitForFinish, { taskQueue, workflowId: taskQueue });
      await waitFor('the first workflow task', async () =>
        eventNames((await handle.fetchHistory()).events).includes('EVENT_TYPE_WORKFLOW_TASK_COMPLETED') ? true : undefined,
      );
      return handle;
    });
    // The first worker is gone; a brand-new one (empty cache) takes over the same task queue.
    const before = env.server.stats.fullHistoryWorkflowTasks;
    const started = Date.now();
    const result = await withWorker(env, { taskQueue }, async () => {
      await handle.signal(finishSignal);
      return handle.result();
    });
    const elapsed = Date.now() - started;
    assert.equal(result, 'finished');
    assert.ok(elapsed < 15_000, `the new worker took ${elapsed}ms to finish the workflow`);
    assert.ok(env.server.stats.fullHistoryWorkflowTasks - before >= 1, 'the new worker must have been sent the full history');
  });
});
