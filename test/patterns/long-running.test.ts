/**
 * Long-running process control: pause holds the process at its next checkpoint, resume lets it
 * finish, cancel stops it with its progress, and hours between steps pass instantly under time
 * skipping.
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { delay, needsTimeSkipping, uniqueName, waitFor } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';
import { cancelSignal, pauseSignal, resumeSignal, statusQuery, type ProcessState } from '../../patterns/process-control';
import type { LongRunningStepInput } from '../../examples/activities/long-running';
import { longRunningProcessWorkflow, type LongRunningInput } from '../../examples/workflows/long-running';

const HOUR = 3600_000;

/**
 * A step activity that records the steps it ran; `holdAt` makes that step wait for `release()`,
 * so the test can signal while a known step is in flight.
 */
function stepRecorder(holdAt?: number) {
  const steps: number[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const activities = {
    longRunningProcessStep: async ({ step }: LongRunningStepInput) => {
      steps.push(step);
      if (step === holdAt) await released;
    },
  };
  return { steps, activities, release };
}

describe('long-running process control', needsTimeSkipping(), () => {
  const pattern = usePatternEnvironment('long-running');

  /**
   * Starts the process; if the test fails half-way, the run is terminated afterwards, since a run left
   * waiting on a timer holds the shared environment's clock back for the tests that follow.
   */
  async function startProcess(t: TestContext, taskQueue: string, input: LongRunningInput) {
    const handle = await pattern.env.client.workflow.start(longRunningProcessWorkflow, { taskQueue, workflowId: taskQueue, args: [input] });
    t.after(() => handle.terminate().catch(() => undefined));
    return handle;
  }

  test('pause holds the process: the query shows paused and no step runs, even hours later; resume completes it at 100%', async (t) => {
    const taskQueue = uniqueName(t);
    const { steps, activities, release } = stepRecorder(1);
    const result = await pattern.run(taskQueue, activities, async () => {
      const handle = await startProcess(t, taskQueue, { totalSteps: 5 });
      await waitFor('step 1 to start', () => (steps.includes(1) ? true : undefined));
      try {
        await handle.signal(pauseSignal);
      } finally {
        release();
      }
      const paused = await waitFor('step 1 to finish', async () => {
        const s = await handle.query(statusQuery);
        return s.completedSteps === 2 ? s : undefined;
      });
      assert.deepEqual(paused, {
        status: 'paused',
        progress: 40,
        completedSteps: 2,
        totalSteps: 5,
        paused: true,
        cancelRequested: false,
      } satisfies ProcessState);
      await pattern.env.sleep('1 day'); // workflow time moves on …
      await delay(300); // … and so does the wall clock
      assert.deepEqual(steps, [0, 1], 'no step ran while paused');
      assert.equal((await handle.query(statusQuery)).status, 'paused');

      await handle.signal(resumeSignal);
      return handle.result();
    });
    assert.deepEqual(steps, [0, 1, 2, 3, 4]);
    assert.equal(result.status, 'completed');
    assert.equal(result.progress, 100);
    assert.equal(result.completedSteps, 5);
    assert.equal(result.paused, false);
  });

  test('cancel mid-way stops at the next checkpoint and returns cancelled with the progress made', async (t) => {
    const taskQueue = uniqueName(t);
    const { steps, activities, release } = stepRecorder(2);
    const result = await pattern.run(taskQueue, activities, async () => {
      const handle = await startProcess(t, taskQueue, { totalSteps: 5 });
      await waitFor('step 2 to start', () => (steps.includes(2) ? true : undefined));
      try {
        await handle.signal(cancelSignal, 'operator stop');
        const requested = await handle.query(statusQuery);
        assert.equal(requested.cancelRequested, true);
        assert.equal(requested.status, 'running', 'the step in flight finishes first');
      } finally {
        release();
      }
      return handle.result();
    });
    assert.deepEqual(steps, [0, 1, 2], 'the step in flight completed; no later step started');
    assert.deepEqual(
      {
        status: result.status,
        progress: result.progress,
        completedSteps: result.completedSteps,
        cancelRequested: result.cancelRequested,
        cancelReason: result.cancelReason,
      },
      { status: 'cancelled', progress: 60, completedSteps: 3, cancelRequested: true, cancelReason: 'operator stop' },
    );
  });

  test('a cancel during the delay between steps takes effect at once, without waiting the delay out', async (t) => {
    const taskQueue = uniqueName(t);
    const { steps, activities } = stepRecorder();
    const result = await pattern.run(taskQueue, activities, async () => {
      const handle = await startProcess(t, taskQueue, { totalSteps: 3, delayBetweenSteps: '1 day' });
      await waitFor('step 0 to finish', async () => ((await handle.query(statusQuery)).completedSteps === 1 ? true : undefined));
      await handle.signal(cancelSignal);
      return handle.result();
    });
    assert.deepEqual(steps, [0]);
    assert.equal(result.status, 'cancelled');
    assert.equal(result.progress, 33);
    assert.ok(result.elapsedMs < 3_600_000, `stopped without waiting out the day (${result.elapsedMs} ms)`);
  });

  test('the 1 hour delay between steps is a durable timer that time skipping passes in no time', async (t) => {
    const taskQueue = uniqueName(t);
    const { steps, activities } = stepRecorder();
    const wallStart = Date.now();
    const result = await pattern.run(taskQueue, activities, () =>
      pattern.env.client.workflow.execute(longRunningProcessWorkflow, {
        taskQueue,
        workflowId: taskQueue,
        args: [{ totalSteps: 3, delayBetweenSteps: '1 hour' }],
      }),
    );
    assert.deepEqual(steps, [0, 1, 2]);
    assert.equal(result.status, 'completed');
    assert.ok(result.elapsedMs >= 2 * HOUR, `two delays of an hour passed in workflow time (${result.elapsedMs} ms)`);
    assert.ok(Date.now() - wallStart < 2 * HOUR, 'the delays were skipped, not waited out');
  });
});
