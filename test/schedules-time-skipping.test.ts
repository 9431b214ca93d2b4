/**
 * Schedules in virtual time: their wake-ups are deadlines of the time-skipping clock, so a day of an hourly
 * schedule runs in a fraction of a second of real time, with the same actions as in real time.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { activities, createTestEnvironment, installQuietRuntime, needsTimeSkipping, uniqueName, workflowBundle } from './helpers';

const HOUR = 3600_000;
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

describe('schedules with time skipping', needsTimeSkipping(), () => {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    installQuietRuntime();
    env = await createTestEnvironment();
  });
  after(async () => {
    await env?.teardown();
  });

  test('an hourly schedule takes 24 actions in a virtual day, named after their hours, without waiting out the day in real time', async (t) => {
    const e = env as TestWorkflowEnvironment;
    const id = uniqueName(t);
    const worker = await Worker.create({ connection: e.nativeConnection, taskQueue: id, workflowBundle: await workflowBundle(), activities });
    await worker.runUntil(async () => {
      const handle = await e.client.schedule.create({
        scheduleId: id,
        spec: { intervals: [{ every: '1h' }] },
        action: { type: 'startWorkflow', workflowType: 'returnValue', args: ['tick'], taskQueue: id, workflowId: id },
      });
      const created = await e.currentTimeMs();
      const realStart = Date.now();
      await e.sleep('1 day');
      const realMs = Date.now() - realStart;
      const d = await handle.describe();
      assert.equal(d.info.numActionsTaken, 24);
      assert.equal(d.info.numActionsSkippedOverlap, 0);
      // Real time is measured, not asserted (speed belongs to bench/): each action is a worker round trip.
      t.diagnostic(`a virtual day of an hourly schedule took ${realMs} ms of real time`);

      const firstHour = Math.ceil(created / HOUR) * HOUR;
      const expected = Array.from({ length: 24 }, (_, i) => `${id}-${rfc3339(firstHour + i * HOUR)}`);
      const started: string[] = [];
      for await (const wf of e.client.workflow.list({ query: `TemporalScheduledById = '${id}'` })) {
        started.push(wf.workflowId);
        const scheduledAt = wf.typedSearchAttributes.get(SCHEDULED_START)?.getTime();
        assert.equal(wf.workflowId, `${id}-${rfc3339(scheduledAt ?? 0)}`);
      }
      assert.deepEqual(started.sort(), expected);
      await handle.delete();
    });
  });
});
