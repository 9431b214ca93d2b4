/**
 * W6 replay process, forked by bench/run.ts after W6's big workflow completed (IPC protocol in bench/protocol.ts):
 * fetches that workflow's history and a small one of the same code, bundles bench/workflows.ts once (timed apart:
 * bundling is not part of a replay), then times
 * - cold: Worker.runReplayHistory on the bundle (creates a replay worker and its workflow context, then replays);
 * - warm: the same history through Worker.runReplayHistories right after the small history, so the replay worker,
 *   the isolate and the JIT are warm — what a running worker pays to rebuild a workflow evicted from its cache.
 */
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { serve } from './child';
import type { ReplayConfig, ReplayResult } from './protocol';

serve<ReplayConfig, ReplayResult>('replay', async (config, warm) => {
  const logger = new DefaultLogger('ERROR');
  Runtime.install({ logger });
  const connection = await Connection.connect({ address: config.address });
  const client = new Client({ connection });
  const f = performance.now();
  const big = await client.workflow.getHandle(config.workflowId).fetchHistory();
  const fetchMs = performance.now() - f;
  const small = await client.workflow.getHandle(config.warmWorkflowId).fetchHistory();
  await connection.close();
  const b = performance.now();
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger });
  const bundleMs = performance.now() - b;
  await warm();

  const c = performance.now();
  await Worker.runReplayHistory({ workflowBundle }, big, config.workflowId);
  const coldReplayMs = performance.now() - c;

  let bigFedAt = NaN;
  let warmReplayMs = NaN;
  async function* histories(): AsyncGenerator<{ workflowId: string; history: typeof big }> {
    yield { workflowId: config.warmWorkflowId, history: small };
    bigFedAt = performance.now(); // runReplayHistories asks for the next history once the previous one has replayed
    yield { workflowId: config.workflowId, history: big };
  }
  for await (const r of Worker.runReplayHistories({ workflowBundle }, histories())) {
    if (r.error) throw r.error;
    if (r.workflowId === config.workflowId) warmReplayMs = performance.now() - bigFedAt;
  }
  if (!Number.isFinite(warmReplayMs)) throw new Error('the warm replay produced no result for the big history');
  return { kind: 'replay', events: big.events?.length ?? 0, fetchMs, bundleMs, coldReplayMs, warmReplayMs };
});
