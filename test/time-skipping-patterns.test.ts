/**
 * The SDK's own time-skipping test patterns (sdk-typescript packages/test/src/test-testenvironment.ts), run with the
 * official TestWorkflowEnvironment on Hourglass: `env.sleep` inside an activity racing a workflow timer, `env.sleep`
 * before a signal, assertions in workflow code, an abandoned child's timer. Each finishes in seconds; the virtual clock
 * moves by exactly what was asked (plus the real time the calls took, as the clock flows while time skipping is locked).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { workflowInterceptorModules, type TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createTestEnvironment, installQuietRuntime, needsTimeSkipping, uniqueName, workflowBundle, workflowsPath } from './helpers';
import { virtualTimeActivities } from './time-skipping-activities';
import {
  assertFromWorkflow,
  asyncChildStarter,
  queriedSleepLoop,
  raceActivityAndTimer,
  sleepFor,
  stepsDoneQuery,
  unblockSignal,
  waitOnSignalWithTimeout,
} from './workflows';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
/** A hang fails the spec instead of the run. */
const fast = { timeout: 60_000 };

/** Measures the virtual time `fn` moved the environment's clock by, and the real time it took. */
async function measure<R>(env: TestWorkflowEnvironment, fn: () => Promise<R>): Promise<{ result: R; virtualMs: number; realMs: number }> {
  const virtualBefore = await env.currentTimeMs();
  const realBefore = Date.now();
  const result = await fn();
  const realMs = Date.now() - realBefore;
  return { result, virtualMs: (await env.currentTimeMs()) - virtualBefore, realMs };
}

/** `actualMs` is `expectedMs` of skipped time plus at most the real time that passed (`realMs`), never a skip further. */
function assertMovedBy(actualMs: number, expectedMs: number, realMs: number, what: string): void {
  assert.ok(actualMs >= expectedMs, `${what}: moved ${actualMs} ms, expected at least ${expectedMs}`);
  assert.ok(actualMs <= expectedMs + realMs + 50, `${what}: moved ${actualMs} ms, expected ${expectedMs} plus at most ${realMs} ms of real time`);
}

describe('the SDK time-skipping test environment patterns', needsTimeSkipping(), () => {
  let env: TestWorkflowEnvironment | undefined;
  let assertingBundle: WorkflowBundleWithSourceMap | undefined;
  before(async () => {
    installQuietRuntime();
    [env, assertingBundle] = await Promise.all([
      createTestEnvironment(),
      // The SDK's spec bundles its workflows with the testing package's interceptor modules, as its docs advise.
      bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: new DefaultLogger('ERROR') }),
      workflowBundle(),
    ]);
  });
  after(async () => {
    await env?.teardown();
  });

  function testEnv(): TestWorkflowEnvironment {
    if (!env) throw new Error('the environment is created in before()');
    return env;
  }

  async function run<R>(taskQueue: string, fn: () => Promise<R>, bundle?: WorkflowBundleWithSourceMap): Promise<R> {
    const worker = await Worker.create({
      connection: testEnv().nativeConnection,
      taskQueue,
      workflowBundle: bundle ?? (await workflowBundle()),
      activities: virtualTimeActivities(testEnv()),
    });
    return worker.runUntil(fn);
  }

  describe('an activity awaiting env.sleep races a workflow timer', () => {
    test('the timer wins when shorter: decided at the timer, complete once the activity has slept', fast, async (t) => {
      const taskQueue = uniqueName(t);
      const { result, virtualMs, realMs } = await measure(testEnv(), () =>
        run(taskQueue, () => testEnv().client.workflow.execute(raceActivityAndTimer, { taskQueue, workflowId: taskQueue, args: [1_000_000, 1_500_000, true] })),
      );
      assert.equal(result.winner, 'timer');
      assertMovedBy(result.decidedAfterMs, 1_000_000, realMs, 'workflow time at the decision');
      assertMovedBy(result.completedAfterMs, 1_500_000, realMs, 'workflow time at completion');
      assertMovedBy(virtualMs, 1_500_000, realMs, 'the environment clock');
    });

    test('the activity wins when its sleep is shorter, and the longer timer is never reached', fast, async (t) => {
      const taskQueue = uniqueName(t);
      const { result, virtualMs, realMs } = await measure(testEnv(), () =>
        run(taskQueue, () => testEnv().client.workflow.execute(raceActivityAndTimer, { taskQueue, workflowId: taskQueue, args: [1_500_000, 1_000_000, true] })),
      );
      assert.equal(result.winner, 'activity');
      assertMovedBy(result.decidedAfterMs, 1_000_000, realMs, 'workflow time at the decision');
      assertMovedBy(virtualMs, 1_000_000, realMs, 'the environment clock');
    });

    test("an activity still sleeping when its workflow completes does not keep time locked (Java's sdk-java#1138)", fast, async (t) => {
      const taskQueue = uniqueName(t);
      const { result, virtualMs, realMs } = await measure(testEnv(), () =>
        run(taskQueue, () => testEnv().client.workflow.execute(raceActivityAndTimer, { taskQueue, workflowId: taskQueue, args: [1_000_000, DAY, false] })),
      );
      assert.equal(result.winner, 'timer');
      assertMovedBy(result.completedAfterMs, 1_000_000, realMs, 'workflow time at completion');
      // The worker stops only once the activity has returned: its env.sleep ran to the end in skipped time.
      assertMovedBy(virtualMs, DAY, realMs, 'the environment clock');
    });
  });

  describe('env.sleep while a workflow waits for a signal', () => {
    test('env.sleep(1h) against a 2 h workflow timer moves time by exactly 1 h; the signal then wins', fast, async (t) => {
      const taskQueue = uniqueName(t);
      await run(taskQueue, async () => {
        const handle = await testEnv().client.workflow.start(waitOnSignalWithTimeout, { taskQueue, workflowId: taskQueue, args: ['2h'] });
        const slept = await measure(testEnv(), () => testEnv().sleep('1h'));
        assertMovedBy(slept.virtualMs, HOUR, slept.realMs, 'env.sleep(1h)');
        await handle.signal(unblockSignal);
        const { signalledAfterMs } = await handle.result();
        assert.ok(signalledAfterMs >= HOUR && signalledAfterMs < 2 * HOUR, `signalled ${signalledAfterMs} ms into the run`);
      });
    });

    test('env.sleep past the workflow timer lets the timer fire first, and still moves time by exactly what was asked', fast, async (t) => {
      const taskQueue = uniqueName(t);
      await run(taskQueue, async () => {
        const handle = await testEnv().client.workflow.start(waitOnSignalWithTimeout, { taskQueue, workflowId: taskQueue, args: ['2h'] });
        const slept = await measure(testEnv(), () => testEnv().sleep('3h'));
        assertMovedBy(slept.virtualMs, 3 * HOUR, slept.realMs, 'env.sleep(3h)');
        const err = await handle.result().then(
          () => assert.fail('the timer should have failed the run'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof WorkflowFailedError);
        assert.equal(err.cause?.message, 'sleep finished before receiving signal');
      });
    });
  });

  test("a failed assert in workflow code fails the workflow through the testing package's interceptor", fast, async (t) => {
    const taskQueue = uniqueName(t);
    const err = await run(
      taskQueue,
      () => testEnv().client.workflow.execute(assertFromWorkflow, { taskQueue, workflowId: taskQueue, args: [6] }),
      assertingBundle,
    ).then(
      () => assert.fail('the assertion should have failed the run'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
    // The interceptor rethrows the AssertionError as ApplicationFailure.nonRetryable(message): the SDK's default type.
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.message, 'Expected values to be strictly equal:\n\n6 !== 7\n');
    assert.equal(err.cause.type, 'Error');
    assert.equal(err.cause.nonRetryable, true);
  });

  test("an abandoned child's 30-day timer is skipped while the test awaits the child's result", fast, async (t) => {
    const taskQueue = uniqueName(t);
    const childId = `${taskQueue}-child`;
    const { result, virtualMs, realMs } = await measure(testEnv(), () =>
      run(taskQueue, async () => {
        await testEnv().client.workflow.execute(asyncChildStarter, { taskQueue, workflowId: taskQueue, args: [childId, '30 days'] });
        return testEnv().client.workflow.getHandle<typeof sleepFor>(childId).result();
      }),
    );
    assertMovedBy(result.sleptMs, 30 * DAY, realMs, "the child's sleep");
    assertMovedBy(virtualMs, 30 * DAY, realMs, 'the environment clock');
  });

  describe('other documented patterns finish in seconds', () => {
    test('env.sleep with no workflow running moves time by exactly what was asked', fast, async () => {
      const slept = await measure(testEnv(), () => testEnv().sleep('7 days'));
      assertMovedBy(slept.virtualMs, 7 * DAY, slept.realMs, 'env.sleep(7 days)');
    });

    test('two env.sleep calls at once both return, once time reaches the later one', fast, async () => {
      const slept = await measure(testEnv(), () => Promise.all([testEnv().sleep('1h'), testEnv().sleep('2h')]));
      assertMovedBy(slept.virtualMs, 2 * HOUR, slept.realMs, 'env.sleep(1h) with env.sleep(2h)');
    });

    test('client.workflow.execute of a workflow with a 1-year timer', fast, async (t) => {
      const taskQueue = uniqueName(t);
      const { result, virtualMs, realMs } = await measure(testEnv(), () =>
        run(taskQueue, () => testEnv().client.workflow.execute(sleepFor, { taskQueue, workflowId: taskQueue, args: ['365 days'] })),
      );
      assertMovedBy(result.sleptMs, 365 * DAY, realMs, 'the workflow timer');
      assertMovedBy(virtualMs, 365 * DAY, realMs, 'the environment clock');
    });

    test('a workflow started with a 1-day start delay runs once the delay is skipped', fast, async (t) => {
      const taskQueue = uniqueName(t);
      const { result, virtualMs, realMs } = await measure(testEnv(), () =>
        run(taskQueue, () => testEnv().client.workflow.execute(sleepFor, { taskQueue, workflowId: taskQueue, args: ['1h'], startDelay: '1 day' })),
      );
      assertMovedBy(result.sleptMs, HOUR, realMs, 'the workflow timer');
      assertMovedBy(virtualMs, DAY + HOUR, realMs, 'the environment clock');
    });

    test("two workflows' timers interleaved with env.sleep: the earlier fires during the sleep, the later only when awaited", fast, async (t) => {
      const taskQueue = uniqueName(t);
      await run(taskQueue, async () => {
        const { client } = testEnv();
        const start = await testEnv().currentTimeMs();
        const early = await client.workflow.start(sleepFor, { taskQueue, workflowId: `${taskQueue}-2h`, args: ['2h'] });
        const late = await client.workflow.start(sleepFor, { taskQueue, workflowId: `${taskQueue}-5h`, args: ['5h'] });
        const slept = await measure(testEnv(), () => testEnv().sleep('3h'));
        assertMovedBy(slept.virtualMs, 3 * HOUR, slept.realMs, 'env.sleep(3h)');
        assert.equal((await early.describe()).status.name, 'COMPLETED');
        assert.equal((await late.describe()).status.name, 'RUNNING');
        const earlyResult = await early.result();
        assert.ok(earlyResult.completedAt - start < 3 * HOUR, 'the 2 h workflow completed before the 3 h sleep ended');
        const lateResult = await late.result();
        assert.ok(lateResult.completedAt - start >= 5 * HOUR);
      });
    });

    test('a sleeping loop queried while the test awaits its result', fast, async (t) => {
      const taskQueue = uniqueName(t);
      await run(taskQueue, async () => {
        const handle = await testEnv().client.workflow.start(queriedSleepLoop, { taskQueue, workflowId: taskQueue, args: [24, '1h'] });
        const result = handle.result();
        let settled = false;
        void result.finally(() => (settled = true)).catch(() => undefined);
        const seen: number[] = [];
        while (!settled) seen.push(await handle.query(stepsDoneQuery));
        assert.equal(await result, 24);
        assert.deepEqual(
          seen,
          [...seen].sort((a, b) => a - b),
          'progress only moves forward',
        );
        assert.equal(await handle.query(stepsDoneQuery), 24);
      });
    });
  });
});
