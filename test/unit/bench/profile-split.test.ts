import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { split, splitTable, type Profile } from '../../../bench/profile-split';

/** root → program code in src/api → a native SQLite call from the store; plus the collector and idle. */
const profile: Profile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 5, 6] },
    { id: 2, callFrame: { functionName: 'handle', url: 'file:///srv/dist/src/api/grpc-call.js' }, children: [3] },
    { id: 3, callFrame: { functionName: 'write', url: 'file:///srv/dist/src/store/sqlite/sqlite-store.js' }, children: [4] },
    { id: 4, callFrame: { functionName: 'run', url: '' } },
    { id: 5, callFrame: { functionName: '(garbage collector)', url: '' } },
    { id: 6, callFrame: { functionName: '(idle)', url: '' } },
  ],
  samples: [2, 4, 4, 5, 6, 6],
  timeDeltas: [1000, 1000, 1000, 1000, 5000, 5000],
};

describe('the profile split charges each sample to the bucket its stack names', () => {
  test('a native frame goes to its nearest caller with a script; idle is left out', () => {
    const { buckets, busyUs } = split(profile);
    assert.equal(busyUs, 4000);
    assert.equal(buckets.get('SQLite (statements, commit, fsync wait)'), 2000);
    assert.equal(buckets.get('gRPC frontend (src/api)'), 1000);
    assert.equal(buckets.get('GC'), 1000);
    assert.equal(buckets.get('idle'), undefined);
  });

  test('the table gives each bucket its share and its busy milliseconds per workflow, largest first', () => {
    const lines = splitTable([{ label: 'W4', profile, workflows: 2 }]).split('\n');
    assert.equal(lines[0], '| bucket | W4: share | W4: ms/wf |');
    assert.equal(lines[2], '| SQLite (statements, commit, fsync wait) | 50.0 % | 1.00 |');
    assert.equal(lines.at(-1), '| **busy, total** | 100 % | 2.00 |');
  });
});
