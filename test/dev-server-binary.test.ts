import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { activities, installQuietRuntime, repoRoot, uniqueName, workflowBundle } from './helpers';
import { sequentialActivities } from './workflows';

const binary = path.join(repoRoot, 'node_modules', '.bin', 'hourglass');

describe('dev server binary', () => {
  test('TestWorkflowEnvironment.createLocal with the hourglass binary as an existing-path executable runs a workflow end to end', async (t) => {
    assert.ok(fs.existsSync(binary), `${binary} is missing (the package's bin should be linked into node_modules/.bin)`);
    installQuietRuntime();
    const testEnv = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: binary } },
    });
    try {
      const taskQueue = uniqueName(t);
      const worker = await Worker.create({
        connection: testEnv.nativeConnection,
        namespace: testEnv.namespace ?? 'default',
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities,
      });
      const result = await worker.runUntil(
        testEnv.client.workflow.execute(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['dev', 'server']] }),
      );
      assert.deepEqual(result, ['DEV', 'SERVER']);
    } finally {
      await testEnv.teardown();
    }
  });
});
