/**
 * Activities for the time-skipping pattern specs. They wait in the environment's virtual time, so they are built around
 * the test's own `TestWorkflowEnvironment`, as the SDK's spec builds its `sleep` activity around `testEnv.sleep`.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { VirtualTimeActivities } from './workflows/time-skipping-pattern-workflows';

export function virtualTimeActivities(env: TestWorkflowEnvironment): VirtualTimeActivities {
  return {
    async sleepInVirtualTime(durationMs: number): Promise<void> {
      await env.sleep(durationMs);
    },
  };
}
