import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { activities, delay, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import * as interactionActivities from './interaction-activities';
import { cancelSignal, getStatusQuery, longRunningProcess, pauseSignal, resumeSignal } from './workflows';

const env = useHourglassServer();
const allActivities = { ...activities, ...interactionActivities };

/** Steps started so far by the process whose workflow ID is `key`. */
function stepsStarted(key: string): number {
  return interactionActivities.interactionExecutions.get(key) ?? 0;
}

describe('long-running process controlled by signals and observed by queries', () => {
  test('pause stops new steps, the query reports paused, resume lets it run to completion', async (t) => {
    const taskQueue = uniqueName(t);
    const workflowId = taskQueue;
    const result = await withWorker(env, { taskQueue, activities: allActivities }, async () => {
      const handle = await env.client.workflow.start(longRunningProcess, { taskQueue, workflowId, args: [10, 100] });
      await waitFor('progress > 0', async () => {
        const s = await handle.query(getStatusQuery);
        return s.progress > 0 ? s : undefined;
      });

      await handle.signal(pauseSignal);
      const paused = await waitFor('status paused', async () => {
        const s = await handle.query(getStatusQuery);
        return s.status === 'paused' ? s : undefined;
      });
      assert.equal(paused.paused, true);
      assert.equal(paused.cancelRequested, false);
      assert.ok(paused.progress > 0 && paused.progress < 100, `progress while paused: ${paused.progress}`);

      // A step already running when the pause arrived may finish; after that nothing new may start.
      await delay(300);
      const before = await handle.query(getStatusQuery);
      const startedBefore = stepsStarted(workflowId);
      await delay(600);
      const after = await handle.query(getStatusQuery);
      assert.equal(stepsStarted(workflowId), startedBefore, 'a step started while the process was paused');
      assert.deepEqual(after, before, 'the status changed while the process was paused');
      assert.equal(after.status, 'paused');
      assert.ok(after.progress < 100);

      await handle.signal(resumeSignal);
      return handle.result();
    });
    assert.deepEqual(result, { status: 'completed', progress: 100, paused: false, cancelRequested: false, currentStep: 10 });
    assert.equal(stepsStarted(workflowId), 10, 'every step runs exactly once');
  });

  test('the cancel signal stops the process mid-way and it returns status cancelled with its progress', async (t) => {
    const taskQueue = uniqueName(t);
    const workflowId = taskQueue;
    const result = await withWorker(env, { taskQueue, activities: allActivities }, async () => {
      const handle = await env.client.workflow.start(longRunningProcess, { taskQueue, workflowId, args: [20, 100] });
      await waitFor('progress >= 10', async () => {
        const s = await handle.query(getStatusQuery);
        return s.progress >= 10 ? s : undefined;
      });
      await handle.signal(cancelSignal);
      return handle.result();
    });
    assert.equal(result.status, 'cancelled');
    assert.equal(result.cancelRequested, true);
    assert.ok(result.progress > 0 && result.progress < 100, `progress of the cancelled process: ${result.progress}`);
    assert.equal(result.progress, Math.floor((stepsStarted(workflowId) * 100) / 20), 'every started step completed before the process stopped');
  });
});
