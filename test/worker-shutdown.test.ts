import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import { activities, eventNames, type HistoryEvent, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { slowActivityThenTimer, slowLocalActivityThenTimer } from './workflows';

const env = useHourglassServer();

/** The SDK's default sticky schedule-to-start timeout: a run left waiting on a dead sticky queue waits this long. */
const STICKY_TIMEOUT_MS = 10_000;

function eventMs(e: HistoryEvent): number {
  return Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
}

/**
 * Runs `workflow` on a first worker, shuts that worker down while the slow (local) activity is in flight, then
 * lets a second worker on the same task queue finish the run; returns its history.
 */
async function shutDownMidWorkflow(taskQueue: string, start: () => Promise<WorkflowHandle>): Promise<{ result: unknown; events: HistoryEvent[] }> {
  const handle = await withWorker(env, { taskQueue, identity: 'first', shutdownGraceTime: '20s' }, async (worker) => {
    const handle = await start();
    await waitFor('the slow activity to start', () => (activities.executions.get(taskQueue) === 1 ? true : undefined));
    worker.shutdown();
    return handle;
  });
  const result: unknown = await withWorker(env, { taskQueue, identity: 'second' }, () => handle.result());
  return { result, events: (await handle.fetchHistory()).events ?? [] };
}

function assertCompletedPromptly(events: HistoryEvent[]): void {
  const names = eventNames(events);
  for (const bad of ['EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT', 'EVENT_TYPE_WORKFLOW_TASK_FAILED', 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT']) {
    assert.ok(!names.includes(bad), `unexpected ${bad} in ${names.join(', ')}`);
  }
  assert.equal(names.at(-1), 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
  // Each workflow task was picked up well before a sticky schedule-to-start timeout could have moved it.
  for (const [i, e] of events.entries()) {
    if (eventNames([e])[0] !== 'EVENT_TYPE_WORKFLOW_TASK_STARTED') continue;
    const scheduled = events[i - 1];
    assert.ok(scheduled && eventNames([scheduled])[0] === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED');
    const waited = eventMs(e) - eventMs(scheduled);
    assert.ok(waited < STICKY_TIMEOUT_MS, `workflow task ${String(scheduled.eventId)} waited ${waited}ms to start`);
  }
  // The second worker took over the run.
  const starts = events.filter((e) => e.workflowTaskStartedEventAttributes);
  assert.equal(starts.at(-1)?.workflowTaskStartedEventAttributes?.identity, 'second');
}

describe('worker shutdown', () => {
  test('an activity in flight at shutdown completes; the next workflow task goes to a new worker from the normal queue', async (t) => {
    const taskQueue = uniqueName(t);
    const { result, events } = await shutDownMidWorkflow(taskQueue, () =>
      env.client.workflow.start(slowActivityThenTimer, { taskQueue, workflowId: taskQueue, args: [taskQueue, 1500] }),
    );
    assert.equal(result, 'done after 1 execution(s)');
    assert.equal(activities.executions.get(taskQueue), 1);
    assertCompletedPromptly(events);
  });

  test('a workflow task in flight at shutdown (held open by a local activity) completes after ShutdownWorker', async (t) => {
    const taskQueue = uniqueName(t);
    const { result, events } = await shutDownMidWorkflow(taskQueue, () =>
      env.client.workflow.start(slowLocalActivityThenTimer, { taskQueue, workflowId: taskQueue, args: [taskQueue, 1500] }),
    );
    assert.equal(result, 'done after 1 execution(s)');
    assert.equal(activities.executions.get(taskQueue), 1);
    assertCompletedPromptly(events);
    // The task that ran the local activity was completed by the first worker, during its shutdown.
    const completions = events.filter((e) => e.workflowTaskCompletedEventAttributes);
    assert.equal(completions[0]?.workflowTaskCompletedEventAttributes?.identity, 'first');
    assert.ok(eventNames(events).includes('EVENT_TYPE_MARKER_RECORDED'));
  });
});
