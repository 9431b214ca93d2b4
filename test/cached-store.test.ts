/**
 * The mutable-state cache in front of the store: it serves open runs from memory, and never holds
 * anything the database does not (a failed commit leaves it as it was). Unit-level: a real SQLite
 * store (in memory) behind it, no server.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { RunMutator } from '../src/engine/state/mutator';
import { createRun } from '../src/engine/state/run-factory';
import { CachedStore } from '../src/store/cached-store';
import type { MutableState } from '../src/store/records';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import { ConditionFailedError } from '../src/store/store';

const Status = temporal.api.enums.v1.WorkflowExecutionStatus;

/** A SQLite store that counts the mutable-state reads reaching it. */
class CountingStore extends SqliteStore {
  reads = 0;
  override getMutableState(namespaceId: string, workflowId: string, runId: string): Promise<MutableState | undefined> {
    this.reads++;
    return super.getMutableState(namespaceId, workflowId, runId);
  }
}

async function startRun(store: CachedStore, workflowId: string): Promise<MutableState> {
  const m = createRun({ namespaceId: 'ns', request: { workflowId, workflowType: { name: 'w' }, taskQueue: { name: 'q' } }, requestId: workflowId }, Date.now());
  const mutation = m.toRunMutation();
  await store.commit({ runs: [mutation] });
  return mutation.mutableState;
}

describe('mutable-state cache', () => {
  test('an open run just committed is read back from memory, not from the database', async () => {
    const inner = new CountingStore();
    const store = new CachedStore(inner);
    const ms = await startRun(store, 'a');
    const loaded = await store.getMutableState('ns', 'a', ms.runId);
    assert.equal(loaded?.dbVersion, 1);
    assert.equal(inner.reads, 0);
    await store.close();
  });

  test('a commit that loses the optimistic-concurrency check leaves the cache with what the database holds', async () => {
    const inner = new CountingStore();
    const store = new CachedStore(inner);
    const ms = await startRun(store, 'b');
    const stale = new RunMutator({ ...ms, dbVersion: 7 }, Date.now()); // expects version 7; the database has 1
    stale.ms.cancelRequested = true;
    await assert.rejects(store.commit({ runs: [stale.toRunMutation()] }), ConditionFailedError);
    const loaded = await store.getMutableState('ns', 'b', ms.runId);
    assert.equal(loaded?.cancelRequested, false);
    assert.equal(loaded?.dbVersion, 1);
    assert.equal(inner.reads, 1, 'the retry reads the database');
    await store.close();
  });

  test('closed runs are not kept; the least recently used open runs leave beyond the capacity', async () => {
    const inner = new CountingStore();
    const store = new CachedStore(inner, 2);
    const first = await startRun(store, 'c1');
    const closing = new RunMutator(first, Date.now());
    closing.ms.status = Status.WORKFLOW_EXECUTION_STATUS_COMPLETED;
    await store.commit({ runs: [closing.toRunMutation()] });
    await store.getMutableState('ns', 'c1', first.runId);
    assert.equal(inner.reads, 1, 'a closed run comes from the database');

    const runs = [await startRun(store, 'c2'), await startRun(store, 'c3'), await startRun(store, 'c4')];
    inner.reads = 0;
    await store.getMutableState('ns', 'c4', runs[2]?.runId ?? '');
    await store.getMutableState('ns', 'c3', runs[1]?.runId ?? '');
    assert.equal(inner.reads, 0);
    await store.getMutableState('ns', 'c2', runs[0]?.runId ?? '');
    assert.equal(inner.reads, 1, 'the oldest of three open runs was dropped at capacity 2');
    await store.close();
  });
  test('a change copies a committed run from the JSON the store wrote: changing the copy leaves the cached state as it was', async () => {
    const store = new CachedStore(new SqliteStore());
    const ms = await startRun(store, 'e');
    const loaded = await store.getMutableState('ns', 'e', ms.runId);
    assert.ok(loaded?.workflowTask);
    const requestIds = [...loaded.requestIds];
    const m = new RunMutator(loaded, Date.now());
    assert.deepEqual(m.ms, JSON.parse(JSON.stringify(loaded)), 'the copy holds what the database holds');
    assert.ok(m.ms.workflowTask);
    m.ms.workflowTask.attempt = 5;
    m.ms.requestIds.push('signal-request');
    assert.equal(loaded.workflowTask.attempt, 1);
    assert.deepEqual(loaded.requestIds, requestIds);
    await store.close();
  });
});
