/**
 * Bench load-generator process, forked by bench/run.ts. Protocol (IPC): the runner sends {type:'config'}; this
 * process connects, warms up (5 workflows, not measured), answers {type:'warm'}; the runner snapshots CPU counters
 * and sends {type:'go'}; this process runs the workload and answers {type:'result'} or {type:'error'}, then exits.
 * Any wrong workflow result is an error.
 */
import { Client, Connection } from '@temporalio/client';
import type { FromLoadgen, LoadConfig, LoadResult, ToLoadgen } from './protocol';

function send(message: FromLoadgen): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('loadgen must be forked with an IPC channel'));
    process.send(message, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

function nextMessage(): Promise<ToLoadgen> {
  return new Promise((resolve) => process.once('message', (m: ToLoadgen) => resolve(m)));
}

function check(actual: unknown, expected: number, workflowId: string): void {
  if (actual !== expected) throw new Error(`wrong result for ${workflowId}: got ${JSON.stringify(actual)}, expected ${expected}`);
}

async function main(): Promise<void> {
  const first = await nextMessage();
  if (first.type !== 'config') throw new Error('expected config');
  const config = first.config;
  const connection = await Connection.connect({ address: config.address });
  const client = new Client({ connection });
  const type = config.workflowType ?? 'threeSteps';
  if (config.workload !== 'w4') {
    for (let i = 0; i < 5; i++) {
      const id = `${config.idPrefix}-warm-${i}`;
      check(await client.workflow.execute(type, { taskQueue: config.taskQueue, workflowId: id, args: [i] }), i + 3, id);
    }
  } else {
    await connection.workflowService.getSystemInfo({});
  }
  await send({ type: 'warm' });
  const go = await nextMessage();
  if (go.type !== 'go') throw new Error('expected go');
  const result = await run(client, connection, config);
  await send({ type: 'result', result });
  await connection.close();
}

async function run(client: Client, connection: Connection, config: LoadConfig): Promise<LoadResult> {
  const type = config.workflowType ?? 'threeSteps';
  switch (config.workload) {
    case 'w1': {
      const latenciesMs: number[] = [];
      for (let i = 0; i < config.n; i++) {
        const id = `${config.idPrefix}-${i}`;
        const t = performance.now();
        const r: unknown = await client.workflow.execute(type, { taskQueue: config.taskQueue, workflowId: id, args: [i] });
        latenciesMs.push(performance.now() - t);
        check(r, i + 3, id);
      }
      return { kind: 'w1', latenciesMs };
    }
    case 'w2': {
      let next = 0;
      const t = performance.now();
      const lane = async (): Promise<void> => {
        while (next < config.n) {
          const i = next++;
          const id = `${config.idPrefix}-${i}`;
          check(await client.workflow.execute(type, { taskQueue: config.taskQueue, workflowId: id, args: [i] }), i + 3, id);
        }
      };
      await Promise.all(Array.from({ length: Math.min(config.concurrency, config.n) }, lane));
      return { kind: 'w2', n: config.n, wallMs: performance.now() - t };
    }
    case 'w3': {
      const t0 = performance.now();
      let lastStarted = t0;
      let firstDone = Infinity;
      let lastDone = 0;
      await Promise.all(
        Array.from({ length: config.n }, async (_, i) => {
          const id = `${config.idPrefix}-${i}`;
          const handle = await client.workflow.start('sleepThenInc', { taskQueue: config.taskQueue, workflowId: id, args: [i] });
          lastStarted = Math.max(lastStarted, performance.now());
          const r: unknown = await handle.result();
          const done = performance.now();
          firstDone = Math.min(firstDone, done);
          lastDone = Math.max(lastDone, done);
          check(r, i + 1, id);
        }),
      );
      const spreadMs = lastStarted - t0;
      return { kind: 'w3', n: config.n, spreadMs, lateMs: lastDone - (t0 + spreadMs + 2000), firstToLastCompletionMs: lastDone - firstDone };
    }
    case 'w6': {
      const id = `${config.idPrefix}-fanout`;
      const t = performance.now();
      const handle = await client.workflow.start('fanOut', { taskQueue: config.taskQueue, workflowId: id, args: [config.n, config.batch ?? 500] });
      const r: unknown = await handle.result();
      const runMs = performance.now() - t;
      check(r, (config.n * (config.n + 1)) / 2, id);
      const f = performance.now();
      const history = await handle.fetchHistory();
      const fetchHistoryMs = performance.now() - f;
      return { kind: 'w6', activities: config.n, events: history.events?.length ?? 0, runMs, fetchHistoryMs };
    }
    case 'w4': {
      let calls = 0;
      const t = performance.now();
      const deadline = t + config.durationMs;
      const lane = async (): Promise<void> => {
        while (performance.now() < deadline) {
          await connection.workflowService.getSystemInfo({});
          calls++;
        }
      };
      await Promise.all(Array.from({ length: config.concurrency }, lane));
      return { kind: 'w4', calls, wallMs: performance.now() - t };
    }
  }
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    try {
      await send({ type: 'error', message });
    } catch {
      process.stderr.write(`bench loadgen: ${message}\n`);
    }
    process.exit(1);
  },
);
