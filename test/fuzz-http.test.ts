/**
 * The HTTP fuzzer's small configuration (issue 17): a few thousand seeded hostile requests against Temporal's HTTP API
 * on its own port and under the UI server's `/api/v1`. Every answer is a well-formed HTTP response with the status
 * grpc-gateway gives for its gRPC code and a JSON google.rpc.Status — never a 5xx for bad input, never a dropped
 * connection — and the server keeps answering, over HTTP and gRPC. `npm run fuzz` runs 20,000.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpProblemCount, httpSummaryLine, runHttpFuzz } from '../bench/fuzz-http';
import { needsInProcessServer, useHourglassServer } from './helpers';

const env = useHourglassServer({ httpPort: 0, uiPort: 0 });

test(
  '3,000 fuzzed HTTP API requests are each answered with a proper status and JSON body, and the server keeps serving',
  needsInProcessServer('the HTTP API and the UI are options of the in-process server'),
  async (t) => {
    const { httpAddress, uiAddress } = env.server;
    assert.ok(httpAddress !== undefined && uiAddress !== undefined);
    const summary = await runHttpFuzz({
      httpAddress,
      uiAddress,
      seed: 17,
      requests: Number(process.env.HOURGLASS_FUZZ_HTTP_REQUESTS ?? 3000),
      concurrency: 8,
      grpcAlive: async () => (await env.client.workflowService.getSystemInfo({})).serverVersion !== undefined,
    });
    t.diagnostic(httpSummaryLine(summary));
    assert.equal(httpProblemCount(summary), 0, `${httpSummaryLine(summary)}\n${summary.problems.join('\n')}`);
  },
);
