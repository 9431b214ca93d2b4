/**
 * Schedule policies through the SDK, in virtual time (hours pass in milliseconds): pause on failure, limited
 * actions, and the overlap policies that stop the open run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ScheduleOverlapPolicy, type ScheduleDescription } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { activities, createTestEnvironment, installQuietRuntime, needsTimeSkipping, uniqueName, workflowBundle } from './helpers';

describe('schedule policies', needsTimeSkipping(), () => {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    installQuietRuntime();
    env = await createTestEnvironment();
  });
  after(async () => {
    await env?.teardown();
  });

  async function withScheduleWorker<R>(taskQueue: string, fn: (e: TestWorkflowEnvironment) => Promise<R>): Promise<R> {
    const e = env as TestWorkflowEnvironment;
    const worker = await Worker.create({ connection: e.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    return worker.runUntil(() => fn(e));
  }

  test('pauseOnFailure: a failed run pauses the schedule with a note naming the run and its failure', async (t) => {
    const id = uniqueName(t);
    await withScheduleWorker(id, async (e) => {
      const handle = await e.client.schedule.create({
        scheduleId: id,
        spec: { intervals: [{ every: '1h' }] },
        policies: { pauseOnFailure: true },
        action: { type: 'startWorkflow', workflowType: 'failWorkflow', args: ['broken'], taskQueue: id, workflowId: id },
      });
      await e.sleep('3h');
      const d = await handle.describe();
      assert.equal(d.state.paused, true);
      assert.equal(d.info.numActionsTaken, 1, 'no action after the pause');
      const failed = d.info.recentActions[0]?.action.workflow.workflowId;
      assert.equal(d.state.note, `paused due to workflow failure: ${failed}: broken`);
      await handle.delete();
    });
  });

  test('remainingActions: the schedule takes that many actions, then none; describe counts them down', async (t) => {
    const id = uniqueName(t);
    await withScheduleWorker(id, async (e) => {
      const handle = await e.client.schedule.create({
        scheduleId: id,
        spec: { intervals: [{ every: '1h' }] },
        state: { remainingActions: 2 },
        action: { type: 'startWorkflow', workflowType: 'returnValue', args: [1], taskQueue: id, workflowId: id },
      });
      assert.equal((await handle.describe()).info.nextActionTimes.length, 2);
      await e.sleep('5h');
      const d = await handle.describe();
      assert.equal(d.info.numActionsTaken, 2);
      assert.equal(d.state.remainingActions, 0);
      assert.deepEqual(d.info.nextActionTimes, []);
      await handle.delete();
    });
  });

  for (const [overlap, status] of [
    [ScheduleOverlapPolicy.TERMINATE_OTHER, 'TERMINATED'],
    [ScheduleOverlapPolicy.CANCEL_OTHER, 'CANCELLED'],
  ] as const) {
    test(`${overlap}: the next action stops the open run (${status}) and starts once it has closed`, async (t) => {
      const id = uniqueName(t);
      await withScheduleWorker(id, async (e) => {
        const handle = await e.client.schedule.create({
          scheduleId: id,
          spec: { intervals: [{ every: '1h' }] },
          policies: { overlap },
          action: { type: 'startWorkflow', workflowType: 'waitForFinish', args: [], taskQueue: id, workflowId: id },
        });
        await e.sleep('2h');
        const d: ScheduleDescription = await handle.describe();
        assert.equal(d.info.numActionsTaken, 2);
        const [first, second] = d.info.recentActions.map((a) => a.action.workflow.workflowId);
        assert.equal((await e.client.workflow.getHandle(first ?? '').describe()).status.name, status);
        assert.deepEqual(
          d.info.runningActions.map((a) => a.workflow.workflowId),
          [second],
        );
        await e.client.workflow.getHandle(second ?? '').terminate();
        await handle.delete();
      });
    });
  }
});
