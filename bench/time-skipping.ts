/**
 * Time-skipping benchmark: wall time for a workflow that sleeps 30 days, and for an activity whose
 * 24 h start-to-close timeout must fire, in an in-process time-skipping environment.
 *
 *   node dist/bench/time-skipping.js
 */
import { Context } from '@temporalio/activity';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createTestWorkflowEnvironment } from '../src/testing';

const ROUNDS = Number(process.env.ROUNDS ?? 5);

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../test/workflows/time-skipping-workflows'),
    logger: new DefaultLogger('ERROR'),
  });
  const env = await createTestWorkflowEnvironment();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: 'bench',
    workflowBundle,
    activities: { neverCompletes: () => Context.current().cancelled, validateOrder: async () => true, processPayment: async () => 'tx' },
  });
  const sleep: number[] = [];
  const timeout: number[] = [];
  await worker.runUntil(async () => {
    for (let i = 0; i < ROUNDS; i++) {
      let t = performance.now();
      await env.client.workflow.execute('sleepThirtyDays', { taskQueue: 'bench', workflowId: `sleep-${i}` });
      sleep.push(performance.now() - t);
      t = performance.now();
      await env.client.workflow.execute('awaitHangingActivity', { taskQueue: 'bench', workflowId: `hang-${i}` });
      timeout.push(performance.now() - t);
    }
  });
  await env.teardown();
  console.log(`30-day sleep:                 ${summary(sleep)}`);
  console.log(`24 h activity timeout firing: ${summary(timeout)}`);
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `median ${median.toFixed(0)} ms (min ${sorted[0]?.toFixed(0)} – max ${sorted[sorted.length - 1]?.toFixed(0)}, n=${sorted.length})`;
}

void main();
