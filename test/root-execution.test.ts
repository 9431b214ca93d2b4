import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { uniqueName, useHourglassServer, withWorker } from './helpers';
import { rootReporter } from './workflows';

const env = useHourglassServer();

describe('root execution', () => {
  test('a top-level run is its own root; children, grandchildren and a child continued as new all name the top-level run', async (t) => {
    const taskQueue = uniqueName(t);
    const rootId = taskQueue;
    const { rootRunId, reports } = await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(rootReporter, { taskQueue, workflowId: rootId, args: [0, false] });
      return { rootRunId: handle.firstExecutionRunId, reports: await handle.result() };
    });
    const root = { workflowId: rootId, runId: rootRunId };
    const [top, child, grandchild] = reports;
    // workflowInfo().root is undefined for a run without a parent, as the SDK documents and Temporal does.
    assert.equal(top?.root, undefined);
    assert.deepEqual(child?.root, root, 'the child, in the run after its continue-as-new');
    assert.deepEqual(grandchild?.root, root);

    for (const report of [top, child, grandchild]) {
      assert.ok(report);
      const described = await env.client.workflowService.describeWorkflowExecution({
        namespace: env.namespace,
        execution: { workflowId: report.workflowId, runId: report.runId },
      });
      const rootExecution = described.workflowExecutionInfo?.rootExecution;
      assert.deepEqual({ workflowId: rootExecution?.workflowId, runId: rootExecution?.runId }, root, report.workflowId);
    }
  });

  test('RootWorkflowId and RootRunId are queryable: a list by root finds the whole tree', async (t) => {
    const taskQueue = uniqueName(t);
    const rootId = taskQueue;
    const rootRunId = await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(rootReporter, { taskQueue, workflowId: rootId, args: [0, false] });
      await handle.result();
      return handle.firstExecutionRunId;
    });
    const found: string[] = [];
    for await (const info of env.client.workflow.list({ query: `RootWorkflowId = '${rootId}' AND RootRunId = '${rootRunId}'` })) {
      found.push(`${info.workflowId}/${info.status.name}`);
    }
    // The child's first run closed by continuing as new; its second run and the grandchild completed.
    assert.deepEqual(found.sort(), [`${rootId}-1/COMPLETED`, `${rootId}-1/CONTINUED_AS_NEW`, `${rootId}-1-2/COMPLETED`, `${rootId}/COMPLETED`].sort());
  });
});
