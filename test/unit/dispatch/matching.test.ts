import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Matching, POLLER_HISTORY_TTL_MS } from '../../../src/engine/dispatch/matching';
import type { DispatchTask } from '../../../src/engine/dispatch/task-generator';

function fixture(): { matching: Matching; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  return { matching: new Matching(() => clock.now), clock };
}

function task(n: number, extra: Partial<DispatchTask> = {}): DispatchTask {
  return { kind: 'workflow', namespaceId: 'ns', taskQueue: 'q', workflowId: `wf-${n}`, runId: `run-${n}`, scheduledEventId: 2, attempt: 1, ...extra };
}

describe('matching: poller history and backlog (describe)', () => {
  test('a queue nobody polled or offered to is empty', () => {
    const { matching } = fixture();
    assert.deepEqual(matching.describe('ns', 'workflow', 'q'), { pollers: [], backlogCount: 0 });
  });

  test('a poll records its identity at its start and again at its end, per queue and kind', async () => {
    const { matching, clock } = fixture();
    const poll = matching.poll('ns', 'workflow', 'q', 60_000, undefined, 'worker-a');
    assert.deepEqual(matching.describe('ns', 'workflow', 'q').pollers, [{ identity: 'worker-a', lastAccessTime: 1_000_000 }]);
    assert.deepEqual(matching.describe('ns', 'activity', 'q').pollers, []);
    assert.deepEqual(matching.describe('other', 'workflow', 'q').pollers, []);
    clock.now += 5_000;
    matching.offer(task(1));
    assert.equal((await poll)?.runId, 'run-1');
    assert.deepEqual(matching.describe('ns', 'workflow', 'q').pollers, [{ identity: 'worker-a', lastAccessTime: 1_005_000 }]);
  });

  test('pollers are listed most recent first, for five minutes after their last poll', async () => {
    const { matching, clock } = fixture();
    await matching.poll('ns', 'activity', 'q', 0, undefined, 'old');
    clock.now += 60_000;
    await matching.poll('ns', 'activity', 'q', 0, undefined, 'new');
    assert.deepEqual(
      matching.describe('ns', 'activity', 'q').pollers.map((p) => p.identity),
      ['new', 'old'],
    );
    clock.now += POLLER_HISTORY_TTL_MS - 60_000 - 1;
    assert.equal(matching.describe('ns', 'activity', 'q').pollers.length, 2);
    clock.now += 1;
    assert.deepEqual(
      matching.describe('ns', 'activity', 'q').pollers.map((p) => p.identity),
      ['new'],
    );
  });

  test('an aborted poll is not recorded again at its end; an empty identity is never recorded', async () => {
    const { matching, clock } = fixture();
    const abort = new AbortController();
    const poll = matching.poll('ns', 'workflow', 'q', 60_000, abort.signal, 'leaving');
    clock.now += 1_000;
    abort.abort();
    assert.equal(await poll, undefined);
    await matching.poll('ns', 'workflow', 'q', 0, undefined, '');
    assert.deepEqual(matching.describe('ns', 'workflow', 'q').pollers, [{ identity: 'leaving', lastAccessTime: 1_000_000 }]);
  });

  test('the backlog counts tasks waiting (not query tasks) and knows when the oldest arrived', async () => {
    const { matching, clock } = fixture();
    matching.offer(task(1));
    clock.now += 2_000;
    matching.offer(task(2));
    matching.offer(task(3, { queryId: 'query-1' }));
    assert.deepEqual(matching.describe('ns', 'workflow', 'q'), { pollers: [], backlogCount: 2, oldestBacklogTime: 1_000_000 });
    await matching.poll('ns', 'workflow', 'q', 0, undefined, 'w');
    const after = matching.describe('ns', 'workflow', 'q');
    assert.equal(after.backlogCount, 1);
    assert.equal(after.oldestBacklogTime, 1_002_000);
  });

  test('a sync match leaves no backlog; a retired (sticky) queue forgets its pollers', async () => {
    const { matching } = fixture();
    const poll = matching.poll('ns', 'workflow', 'sticky-1', 60_000, undefined, 'worker-a');
    matching.offer(task(1, { taskQueue: 'sticky-1' }));
    await poll;
    assert.equal(matching.describe('ns', 'workflow', 'sticky-1').backlogCount, 0);
    assert.equal(matching.describe('ns', 'workflow', 'sticky-1').pollers.length, 1);
    matching.retire('ns', 'workflow', 'sticky-1');
    assert.deepEqual(matching.describe('ns', 'workflow', 'sticky-1'), { pollers: [], backlogCount: 0 });
  });

  test('a sticky queue retired with its normal queue sends later tasks there, not by sync match, and counts as live', async () => {
    const { matching } = fixture();
    matching.retire('ns', 'workflow', 'sticky-1', 'q');
    assert.equal(matching.isLive('ns', 'workflow', 'sticky-1'), true);
    const stickyPoll = matching.poll('ns', 'workflow', 'sticky-1', 60_000, undefined, 'late');
    const normalPoll = matching.poll('ns', 'workflow', 'q', 60_000, undefined, 'worker-b');
    assert.equal(matching.claim('ns', 'workflow', 'sticky-1'), undefined);
    matching.offer(task(1, { taskQueue: 'sticky-1' }));
    assert.equal((await normalPoll)?.runId, 'run-1');
    matching.close();
    assert.equal(await stickyPoll, undefined);
    // Retired without a normal queue (an SDK that does not send it), a sticky queue is gone as before.
    const other = fixture().matching;
    other.retire('ns', 'workflow', 'sticky-2');
    assert.equal(other.isLive('ns', 'workflow', 'sticky-2'), false);
  });

  test('a sticky worker whose polls are all served from the backlog stays live', async () => {
    const { matching, clock } = fixture();
    void matching.poll('ns', 'workflow', 'sticky-1', 60_000, undefined, 'w');
    matching.offer(task(1, { taskQueue: 'sticky-1' }));
    for (let n = 2; n < 6; n++) {
      // Saturated: every task is queued before the worker polls again, so no poll ever waits.
      clock.now += 5_000;
      matching.offer(task(n, { taskQueue: 'sticky-1' }));
      assert.equal((await matching.poll('ns', 'workflow', 'sticky-1', 60_000, undefined, 'w'))?.runId, `run-${n}`);
      assert.equal(matching.isLive('ns', 'workflow', 'sticky-1'), true, `after ${(n - 1) * 5} s`);
    }
    clock.now += 10_000;
    assert.equal(matching.isLive('ns', 'workflow', 'sticky-1'), false);
  });
});
