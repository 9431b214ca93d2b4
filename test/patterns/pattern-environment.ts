/**
 * Shared setup of the pattern tests: an in-process test environment (time-skipping by default) and
 * the workflow bundle of one example, created once per suite, plus a worker that runs only for the
 * duration of a test body. With HOURGLASS_TEST_ADDRESS the environment is on that server instead
 * (see `createTestEnvironment` in ../helpers); the specs that need an environment it cannot give
 * (time skipping, unless HOURGLASS_TEST_TIME_SKIPPING=1) are declared with `needsTimeSkipping()`.
 */
import { after, before } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { HourglassTestEnvironmentOptions } from '../../src/testing';
import { createTestEnvironment, installQuietRuntime, testEnvironmentUnavailable } from '../helpers';

/** Bundles the workflows at `workflowsPath` (an example or a test fixture), logging only errors. */
export function bundleWorkflows(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
}

export interface PatternEnvironment {
  /** The test environment; available once the `before` hook has run. */
  readonly env: TestWorkflowEnvironment;
  /** The bundle of `examples/workflows/<example>`; available once the `before` hook has run. */
  readonly bundle: WorkflowBundleWithSourceMap;
  /**
   * Runs `fn` while a worker polls `taskQueue` with the example's bundle and `activities`, then shuts
   * the worker down. `options` are added to (and override) the worker's options.
   */
  run<R>(taskQueue: string, activities: object, fn: () => Promise<R>, options?: Partial<WorkerOptions>): Promise<R>;
}

/**
 * Registers before/after hooks in the current suite (or file): a test environment — time-skipping
 * unless `options` say otherwise — and the bundle of `examples/workflows/<example>`, torn down after
 * the suite. Read `env` and `bundle` inside hooks and tests, not while the suite is being defined.
 */
export function usePatternEnvironment(example: string, options: HourglassTestEnvironmentOptions = {}): PatternEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  let bundle: WorkflowBundleWithSourceMap | undefined;
  // When the external server cannot give this environment the hooks do nothing: the specs that use it are declared
  // to skip, and the suite's other specs still run.
  const unavailable = testEnvironmentUnavailable(options);

  before(async () => {
    if (unavailable !== undefined) return;
    installQuietRuntime();
    [env, bundle] = await Promise.all([createTestEnvironment(options), bundleWorkflows(require.resolve(`../../examples/workflows/${example}`))]);
  });
  after(async () => {
    await env?.teardown();
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (unavailable !== undefined) {
      throw new Error(`the "${example}" pattern tests cannot use this server (${unavailable}): declare them to skip, with needsTimeSkipping()`);
    }
    if (value === undefined) throw new Error(`the ${what} of the "${example}" pattern tests is not ready: read it inside a hook or a test`);
    return value;
  };
  return {
    get env() {
      return ready(env, 'environment');
    },
    get bundle() {
      return ready(bundle, 'workflow bundle');
    },
    async run(taskQueue, activities, fn, workerOptions = {}) {
      const { nativeConnection } = ready(env, 'environment');
      const worker = await Worker.create({
        connection: nativeConnection,
        taskQueue,
        workflowBundle: ready(bundle, 'workflow bundle'),
        activities,
        ...workerOptions,
      });
      return worker.runUntil(fn);
    },
  };
}
