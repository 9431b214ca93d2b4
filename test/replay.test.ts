import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import { EventType, countEvents, eventNames, uniqueName, useHourglassServer, withWorker, workflowBundle } from './helpers';
import { patchedLocalActivities } from './workflows';

const env = useHourglassServer();

describe('replay', () => {
  test('local activities and patched() replay without nondeterminism when every task replays (maxCachedWorkflows: 0)', async (t) => {
    const taskQueue = uniqueName(t);
    const result = await withWorker(env, { taskQueue, maxCachedWorkflows: 0 }, () =>
      env.client.workflow.execute(patchedLocalActivities, { taskQueue, workflowId: taskQueue, args: ['ann'] }),
    );
    assert.equal(result, 'hello ann|patched|hello hello ann|hello hello ann');

    const history = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    const names = eventNames(history.events).join(', ');
    assert.equal(countEvents(history.events, EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED), 0, `history: ${names}`);
    // Two local-activity markers and one patch marker.
    assert.equal(countEvents(history.events, EventType.EVENT_TYPE_MARKER_RECORDED), 3, `history: ${names}`);
    assert.equal(countEvents(history.events, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED), 1, `history: ${names}`);

    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, taskQueue);
  });
});
