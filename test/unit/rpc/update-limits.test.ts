/**
 * Per-run update limits as Temporal's update registry counts them (service/history/workflow/update/registry.go):
 * in flight are the updates admitted, sent or accepted and not yet completed; the total adds the completed ones.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_UPDATE_LIMITS, updateLimitError } from '../../../src/engine/rpc/updates/update-limits';

const accepted = { acceptedEventId: 5 };
const completed = { acceptedEventId: 5, completedEventId: 6 };

describe('update limits', () => {
  test("Temporal's defaults: 10 updates in flight, 2000 in all", () => {
    assert.deepEqual(DEFAULT_UPDATE_LIMITS, { maxInFlight: 10, maxTotal: 2000 });
  });

  test('admitted and accepted updates count as in flight; at the limit the next one is RESOURCE_EXHAUSTED (concurrent limit)', () => {
    const limits = { maxInFlight: 2, maxTotal: 0 };
    assert.equal(updateLimitError({ updates: { a: accepted } }, [], limits), undefined);
    const err = updateLimitError({ updates: { a: accepted } }, ['b'], limits);
    assert.equal(err?.code, 'RESOURCE_EXHAUSTED');
    assert.equal(err?.message, 'limit on number of concurrent in-flight updates has been reached (2)');
    assert.deepEqual(err?.detail, { type: 'ResourceExhausted', cause: 'concurrent-limit', scope: 'namespace' });
  });

  test('an accepted update still in the registry counts once', () => {
    assert.equal(updateLimitError({ updates: { a: accepted } }, ['a'], { maxInFlight: 2, maxTotal: 0 }), undefined);
  });

  test('completed updates count toward the total only; at the total the next one is FAILED_PRECONDITION', () => {
    const limits = { maxInFlight: 1, maxTotal: 3 };
    assert.equal(updateLimitError({ updates: { a: completed, b: completed } }, [], limits), undefined);
    const err = updateLimitError({ updates: { a: completed, b: completed, c: completed } }, [], limits);
    assert.equal(err?.code, 'FAILED_PRECONDITION');
    assert.match(err?.message ?? '', /^The limit on the total number of distinct updates in this workflow has been reached \(3\)\. /);
  });

  test('the in-flight limit is checked before the total', () => {
    const err = updateLimitError({ updates: { a: completed } }, ['b'], { maxInFlight: 1, maxTotal: 2 });
    assert.equal(err?.code, 'RESOURCE_EXHAUSTED');
  });

  test('zero disables a limit', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`u${i}`, i % 2 ? accepted : completed]));
    assert.equal(updateLimitError({ updates: many }, ['x', 'y'], { maxInFlight: 0, maxTotal: 0 }), undefined);
  });
});
