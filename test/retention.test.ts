/** Namespace retention: closed workflows and their history go away once the retention period has passed. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import Long from 'long';
import { delay, needsInProcessServer, uniqueName, useHourglassServer, withWorker } from './helpers';
import { returnValue } from './workflows';

describe('retention', needsInProcessServer('runs the retention sweep on demand with env.server.runRetention()'), () => {
  const env = useHourglassServer();

  test('a closed workflow is removed once its namespace retention has passed; an open one stays', async (t) => {
    const namespace = `short-retention-${uniqueName(t).slice(-8)}`;
    await env.connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(1) } });
    const client = new (await import('@temporalio/client')).Client({ connection: env.connection, namespace });
    const taskQueue = uniqueName(t);
    await withWorker({ ...env, namespace }, { taskQueue }, () =>
      client.workflow.execute(returnValue, { taskQueue, workflowId: `${taskQueue}-done`, args: ['x'] }),
    );
    await client.workflow.start(returnValue, { taskQueue: `${taskQueue}-nobody`, workflowId: `${taskQueue}-open`, args: ['y'] });

    assert.equal(await env.server.runRetention(), 0, 'nothing is older than the retention period yet');
    await delay(1200);
    assert.ok((await env.server.runRetention()) >= 1);
    await assert.rejects(client.workflow.getHandle(`${taskQueue}-done`).describe(), WorkflowNotFoundError);
    assert.equal((await client.workflow.getHandle(`${taskQueue}-open`).describe()).status.name, 'RUNNING');
  });
});
