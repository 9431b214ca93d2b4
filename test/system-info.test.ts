/**
 * GetSystemInfo's capabilities, as an SDK client reads them: each flag says whether the feature is
 * implemented, and the false ones are checked against what the server answers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { temporalServerVersion } from '../src/version';
import { repoRoot, useHourglassServer } from './helpers';

const { Capabilities } = temporal.api.workflowservice.v1.GetSystemInfoResponse;

describe('GetSystemInfo', () => {
  const env = useHourglassServer();

  test('reports the Temporal server release it implements and exactly the implemented capabilities', async () => {
    const info = await env.connection.workflowService.getSystemInfo({});
    // The Temporal release (not Hourglass's own version), which the UI and CLI compare against.
    assert.equal(info.serverVersion, '1.32.0-162.0');
    assert.ok(info.capabilities);
    // Every field of the proto, so a field added by an SDK upgrade fails here until it is decided on.
    assert.deepEqual(Capabilities.toObject(Capabilities.fromObject(info.capabilities), { defaults: true }), {
      signalAndQueryHeader: true,
      internalErrorDifferentiation: true,
      activityFailureIncludeHeartbeat: true,
      supportsSchedules: true,
      encodedFailureAttributes: true,
      buildIdBasedVersioning: false,
      upsertMemo: true,
      eagerWorkflowStart: true,
      sdkMetadata: true,
      countGroupByExecutionStatus: true,
      nexus: false,
      serverScaledDeployments: false,
      serverScaledProviderCloudRun: false,
    });
  });

  test("GetClusterInfo reports the same Temporal server version; Hourglass's own version stays out of both", async () => {
    const cluster = await env.connection.workflowService.getClusterInfo({});
    assert.equal(cluster.serverVersion, temporalServerVersion);
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.notEqual(temporalServerVersion, pkg.version);
  });

  test('countGroupByExecutionStatus: CountWorkflowExecutions answers GROUP BY ExecutionStatus with groups', async () => {
    const id = `count-${randomUUID()}`;
    await env.connection.workflowService.startWorkflowExecution({
      namespace: env.namespace,
      workflowId: id,
      workflowType: { name: 'noSuchWorkflow' },
      taskQueue: { name: id },
      requestId: randomUUID(),
    });
    const answer = await env.connection.workflowService.countWorkflowExecutions({
      namespace: env.namespace,
      query: `WorkflowId = '${id}' GROUP BY ExecutionStatus`,
    });
    assert.equal(Number(answer.count), 1);
    assert.equal(answer.groups.length, 1);
    assert.equal(Number(answer.groups[0]?.count), 1);
    await env.connection.workflowService.terminateWorkflowExecution({ namespace: env.namespace, workflowExecution: { workflowId: id } });
  });

  test('eagerWorkflowStart is true: a start asking for eager execution gets its first workflow task', async () => {
    const id = `eager-${randomUUID()}`;
    const started = await env.connection.workflowService.startWorkflowExecution({
      namespace: env.namespace,
      workflowId: id,
      workflowType: { name: 'noSuchWorkflow' },
      taskQueue: { name: id },
      requestId: randomUUID(),
      requestEagerExecution: true,
    });
    assert.ok(started.runId);
    assert.equal(started.eagerWorkflowTask?.workflowExecution?.runId, started.runId);
    await env.connection.workflowService.terminateWorkflowExecution({ namespace: env.namespace, workflowExecution: { workflowId: id } });
  });

  test('supportsSchedules is true: the schedule RPCs answer', async () => {
    const res = await env.connection.workflowService.listSchedules({ namespace: env.namespace });
    assert.ok(Array.isArray(res.schedules));
  });
});
