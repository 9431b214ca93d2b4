/**
 * Determinism: the example workflow reads workflow time, seeded randomness and an activity's real
 * randomness; its history replays against the same code and is rejected by a changed revision.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { needsTimeSkipping, uniqueName } from '../helpers';
import { bundleWorkflows, usePatternEnvironment } from './pattern-environment';
import type { DeterministicTokenRequest } from '../../examples/activities/deterministic';
import { deterministicWorkflow } from '../../examples/workflows/deterministic';

const HOUR = 3600_000;

describe('deterministic workflows', needsTimeSkipping(), () => {
  const pattern = usePatternEnvironment('deterministic');
  let changed: WorkflowBundleWithSourceMap;
  before(async () => {
    changed = await bundleWorkflows(require.resolve('./fixtures/deterministic-changed'));
  });

  /** Runs the example with a mocked activity that records what it was given; returns the history too. */
  async function runExample(taskQueue: string) {
    const received: DeterministicTokenRequest[] = [];
    const activities = {
      deterministicIssueToken: async (request: DeterministicTokenRequest) => {
        received.push(request);
        return `tok-${received.length}`;
      },
    };
    const handle = await pattern.run(
      taskQueue,
      activities,
      async () => {
        const h = await pattern.env.client.workflow.start(deterministicWorkflow, { taskQueue, workflowId: taskQueue, args: [{ wait: '1 hour' }] });
        await h.result();
        return h;
      },
      // No cache: every workflow task rebuilds the workflow by replaying its history so far.
      { maxCachedWorkflows: 0 },
    );
    return { result: await handle.result(), history: await handle.fetchHistory(), received };
  }

  test('time comes from history: Date.now() and workflowInfo() advance with workflow time, not the wall clock', async (t) => {
    const wallStart = Date.now();
    const { result } = await runExample(uniqueName(t));
    assert.ok(result.startedAt >= result.runStartTime, 'the first task runs at or after the run start');
    assert.ok(result.finishedAt - result.startedAt >= HOUR, `the 1 hour sleep shows in workflow time (${result.finishedAt - result.startedAt} ms)`);
    assert.equal(result.elapsedMs, result.finishedAt - result.runStartTime);
    assert.ok(Date.now() - wallStart < HOUR, 'the hour was skipped, not waited');
  });

  test('seeded Math.random() and uuid4() give the same values when the workflow is rebuilt by replay', async (t) => {
    const { result, received } = await runExample(uniqueName(t));
    // The values were computed in the first task and sent to the activity; the result was
    // computed by a later task that replayed from scratch (no cache). They agree.
    assert.equal(received.length, 1, 'the activity ran once');
    assert.deepEqual(received[0], { requestId: result.requestId, roll: result.roll });
    assert.match(result.requestId, /^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(Number.isInteger(result.roll) && result.roll >= 0 && result.roll < 100);
    // The activity's result is recorded in history, so replay reuses it rather than calling again.
    assert.equal(result.token, 'tok-1');
  });

  test("a run's history replays against the same code, and is rejected by a changed revision with DeterminismViolationError", async (t) => {
    const { history } = await runExample(uniqueName(t));
    await Worker.runReplayHistory({ workflowBundle: pattern.bundle }, history);

    await assert.rejects(Worker.runReplayHistory({ workflowBundle: changed }, history), (err: unknown) => {
      assert.ok(err instanceof DeterminismViolationError, `expected DeterminismViolationError, got ${String(err)}`);
      assert.match(err.message, /nondeterminism/i);
      return true;
    });
  });
});
