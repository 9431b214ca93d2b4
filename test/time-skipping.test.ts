/**
 * Time skipping: the virtual clock jumps to the next deadline while the test awaits a result and
 * nothing is in flight, so days of workflow time pass in milliseconds — in-process, no download.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTestWorkflowEnvironment } from '../src/testing';
import { activities, createTestEnvironment, installQuietRuntime, needsTimeSkipping, repoRoot, uniqueName, workflowBundle } from './helpers';
import * as interactionActivities from './interaction-activities';
import {
  approvalOrTimeout,
  cart,
  closeCartSignal,
  parentOfSleeper,
  slowAddItemUpdate,
  approveSignal,
  awaitHangingActivity,
  getStatusQuery,
  longRunningProcess,
  pauseSignal,
  processOrder,
  resumeSignal,
  sleepThirtyDays,
  type OrderActivities,
} from './workflows';

const DAY = 24 * 3600 * 1000;

/**
 * Time was skipped: the workflow saw at least `expected` pass, of which real time accounts for only
 * what the test took. (How fast skipping is, is measured in bench/, not asserted here.)
 */
function assertSkipped(virtualMs: number, realMs: number, expected: number): void {
  assert.ok(virtualMs >= expected, `the workflow saw ${virtualMs} ms pass, expected at least ${expected}`);
  assert.ok(realMs < expected, `real time (${realMs} ms) did not have to pass`);
}

const mockedOrderActivities: OrderActivities = {
  validateOrder: async (_orderId, amount) => amount > 0,
  processPayment: async (orderId) => `tx-${orderId}`,
  // Hangs until the server times it out; honours cancellation so the worker can shut down.
  neverCompletes: () => Context.current().cancelled,
};

async function run<R>(env: TestWorkflowEnvironment, taskQueue: string, fn: () => Promise<R>): Promise<R> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...activities, ...interactionActivities, ...mockedOrderActivities },
  });
  return worker.runUntil(fn);
}

/**
 * A time-skipping environment for the enclosing suite, created before its tests and torn down after: in-process, or
 * on the external time-skipping server (HOURGLASS_TEST_ADDRESS with HOURGLASS_TEST_TIME_SKIPPING=1).
 */
function useTimeSkippingEnvironment(): { readonly env: TestWorkflowEnvironment } {
  let env: TestWorkflowEnvironment | undefined;
  before(async () => {
    installQuietRuntime();
    env = await createTestEnvironment();
  });
  after(async () => {
    await env?.teardown();
  });
  return {
    get env(): TestWorkflowEnvironment {
      if (!env) throw new Error('the time-skipping environment is created in before()');
      return env;
    },
  };
}

describe('time skipping', needsTimeSkipping(), () => {
  const ts = useTimeSkippingEnvironment();

  test('a workflow that sleeps 30 days completes in seconds, and workflow time shows the skip', async (t) => {
    const taskQueue = uniqueName(t);
    const started = Date.now();
    const result = await run(ts.env, taskQueue, () => ts.env.client.workflow.execute(sleepThirtyDays, { taskQueue, workflowId: taskQueue }));
    assertSkipped(result.elapsedMs, Date.now() - started, 30 * DAY);
    assert.ok(result.now - result.runStartTime >= 30 * DAY);
  });

  test('an activity that never completes times out after a virtual 24 hours', async (t) => {
    const taskQueue = uniqueName(t);
    const started = Date.now();
    const result = await run(ts.env, taskQueue, () => ts.env.client.workflow.execute(awaitHangingActivity, { taskQueue, workflowId: taskQueue }));
    assert.equal(result.failure, 'TimeoutFailure');
    assertSkipped(result.elapsedHours * 3_600_000, Date.now() - started, DAY);
  });

  test('env.sleep advances the environment clock', async () => {
    const before = await ts.env.currentTimeMs();
    await ts.env.sleep('1 day');
    assert.ok((await ts.env.currentTimeMs()) - before >= DAY);
  });

  test('a signal sent before a 24 h timer wins the race; without it the timer fires', async (t) => {
    const taskQueue = uniqueName(t);
    await run(ts.env, taskQueue, async () => {
      const approved = await ts.env.client.workflow.start(approvalOrTimeout, { taskQueue, workflowId: `${taskQueue}-a` });
      await approved.signal(approveSignal);
      assert.equal(await approved.result(), 'approved');
      const ignored = await ts.env.client.workflow.start(approvalOrTimeout, { taskQueue, workflowId: `${taskQueue}-b` });
      assert.equal(await ignored.result(), 'timed out');
    });
  });

  test("the guide's order processing unit test: mocked validation and payment, a day's wait skipped", async (t) => {
    const taskQueue = uniqueName(t);
    const [ok, rejected] = await run(ts.env, taskQueue, () =>
      Promise.all([
        ts.env.client.workflow.execute(processOrder, { taskQueue, workflowId: `${taskQueue}-ok`, args: ['order-1', 99.5] }),
        ts.env.client.workflow.execute(processOrder, { taskQueue, workflowId: `${taskQueue}-bad`, args: ['order-2', 0] }),
      ]),
    );
    assert.deepEqual(ok, { status: 'completed', transactionId: 'tx-order-1' });
    assert.deepEqual(rejected, { status: 'rejected' });
  });

  test("the guide's long-running process unit test: pause, status query, resume, completion", async (t) => {
    const taskQueue = uniqueName(t);
    const result = await run(ts.env, taskQueue, async () => {
      const handle = await ts.env.client.workflow.start(longRunningProcess, { taskQueue, workflowId: taskQueue, args: [5, 0] });
      await handle.signal(pauseSignal);
      const status = await handle.query(getStatusQuery);
      assert.equal(status.status, 'paused');
      assert.equal(status.paused, true);
      await handle.signal(resumeSignal);
      return handle.result();
    });
    assert.equal(result.status, 'completed');
    assert.equal(result.progress, 100);
  });
});

describe('time skipping with updates, children and visibility', needsTimeSkipping(), () => {
  const ts = useTimeSkippingEnvironment();

  test('an update whose handler sleeps a day completes in seconds', async (t) => {
    const taskQueue = uniqueName(t);
    const started = Date.now();
    const total = await run(ts.env, taskQueue, async () => {
      const handle = await ts.env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      const value = await handle.executeUpdate(slowAddItemUpdate, { args: [5, DAY] });
      await handle.signal(closeCartSignal);
      await handle.result();
      return value;
    });
    assert.equal(total, 5);
    assert.ok(Date.now() - started < DAY, "the handler's day-long sleep was skipped");
  });

  test('a child workflow sleeping 30 days inside a parent completes in seconds', async (t) => {
    const taskQueue = uniqueName(t);
    const started = Date.now();
    const elapsed = await run(ts.env, taskQueue, () => ts.env.client.workflow.execute(parentOfSleeper, { taskQueue, workflowId: taskQueue }));
    assertSkipped(elapsed, Date.now() - started, 30 * DAY);
  });

  test('list queries work in a time-skipping environment', async (t) => {
    const taskQueue = uniqueName(t);
    await run(ts.env, taskQueue, () => ts.env.client.workflow.execute(sleepThirtyDays, { taskQueue, workflowId: taskQueue }));
    const found: string[] = [];
    for await (const w of ts.env.client.workflow.list({ query: `WorkflowId = '${taskQueue}' AND ExecutionStatus = 'Completed'` })) found.push(w.workflowId);
    assert.deepEqual(found, [taskQueue]);
  });
});

// These start their own servers (in-process, or the SDK launching our bin): they do not use HOURGLASS_TEST_ADDRESS.
describe('time-skipping environments', () => {
  test('start at a chosen instant, and two environments in one process keep separate clocks', async () => {
    installQuietRuntime();
    const initialTime = Date.UTC(2030, 0, 1);
    const [a, b] = await Promise.all([createTestWorkflowEnvironment({ initialTime }), createTestWorkflowEnvironment()]);
    try {
      assert.ok(Math.abs((await a.currentTimeMs()) - initialTime) < 60_000);
      const bBefore = await b.currentTimeMs();
      await a.sleep('10 days');
      assert.ok((await a.currentTimeMs()) - initialTime >= 10 * DAY);
      assert.ok((await b.currentTimeMs()) - bBefore < 60_000, 'the other environment did not move');
    } finally {
      await Promise.all([a.teardown(), b.teardown()]);
    }
  });

  test('createTimeSkipping with existing-path pointing at our bin runs a workflow test', async (t) => {
    const env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: path.join(repoRoot, 'node_modules', '.bin', 'hourglass') } },
    });
    try {
      const taskQueue = uniqueName(t);
      const started = Date.now();
      const result = await run(env, taskQueue, () => env.client.workflow.execute(sleepThirtyDays, { taskQueue, workflowId: taskQueue }));
      assertSkipped(result.elapsedMs, Date.now() - started, 30 * DAY);
    } finally {
      await env.teardown();
    }
  });
});
