/**
 * The fuzzer's small configuration (issue 17): a few thousand seeded hostile requests against the
 * gRPC frontend. Every answer is a gRPC status — never UNKNOWN, never INTERNAL for input that
 * decodes, never a dropped stream — and the server keeps answering. `npm run fuzz` runs 100,000.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { problemCount, runFuzz, summaryLine } from '../bench/fuzz';
import { needsInProcessServer, useHourglassServer } from './helpers';

const env = useHourglassServer({ searchAttributes: [{ name: 'CustomKeywordListField', type: 'KeywordList' }] });

test(
  '2,000 fuzzed requests are each answered with a proper gRPC status and the server keeps serving',
  needsInProcessServer('fuzzes the server under test'),
  async (t) => {
    const summary = await runFuzz({ address: env.address, seed: 17, requests: 2000, concurrency: 8 });
    t.diagnostic(summaryLine(summary));
    assert.equal(problemCount(summary), 0, `${summaryLine(summary)}\n${summary.problems.join('\n')}`);
    assert.equal(summary.requests, 2000);
  },
);
