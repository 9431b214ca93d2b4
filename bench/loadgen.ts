/**
 * Bench load-generator process (@temporalio/client), forked by bench/run.ts; IPC protocol in bench/protocol.ts.
 * It warms up with 5 workflows (not measured) before reporting warm. Any wrong workflow result is an error.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { serve } from './child';
import { durMs, num, tsMs } from './proto-util';
import type { LoadConfig, LoadResult } from './protocol';

const EventType = temporal.api.enums.v1.EventType;

function check(actual: unknown, expected: number, workflowId: string): void {
  if (actual !== expected) throw new Error(`wrong result for ${workflowId}: got ${JSON.stringify(actual)}, expected ${expected}`);
}

/** Runs `fn` over `items` with at most `concurrency` at a time. */
async function forEachLimited<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

serve<LoadConfig, LoadResult>('loadgen', async (config, warm) => {
  const connection = await Connection.connect({ address: config.address });
  const client = new Client({ connection });
  const type = config.workflowType ?? 'threeSteps';
  for (let i = 0; i < 5; i++) {
    const id = `${config.idPrefix}-warm-${i}`;
    check(await client.workflow.execute(type, { taskQueue: config.taskQueue, workflowId: id, args: [i] }), i + 3, id);
  }
  await warm();
  const result = await run(client, config);
  await connection.close();
  return result;
});

async function run(client: Client, config: LoadConfig): Promise<LoadResult> {
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
      const ids = Array.from({ length: config.n }, (_, i) => `${config.idPrefix}-${i}`);
      await Promise.all(
        ids.map(async (id, i) => {
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
      // Timer lateness from the histories (after the run, so the fetches do not disturb it).
      const timerLatenessMs: number[] = [];
      await forEachLimited(ids, 16, async (id) => {
        const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
        const started = new Map<number, { at: number; timeoutMs: number }>();
        for (const e of events) {
          if (e.eventType === EventType.EVENT_TYPE_TIMER_STARTED) {
            started.set(num(e.eventId), { at: tsMs(e.eventTime), timeoutMs: durMs(e.timerStartedEventAttributes?.startToFireTimeout) });
          } else if (e.eventType === EventType.EVENT_TYPE_TIMER_FIRED) {
            const s = started.get(num(e.timerFiredEventAttributes?.startedEventId));
            if (!s) throw new Error(`${id}: TimerFired event ${num(e.eventId)} without its TimerStarted`);
            timerLatenessMs.push(tsMs(e.eventTime) - (s.at + s.timeoutMs));
          }
        }
      });
      if (timerLatenessMs.length !== config.n) throw new Error(`w3: found ${timerLatenessMs.length} TimerFired events in ${config.n} histories`);
      return { kind: 'w3', n: config.n, spreadMs, lateMs: lastDone - (t0 + spreadMs + 2000), firstToLastCompletionMs: lastDone - firstDone, timerLatenessMs };
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
      return {
        kind: 'w6',
        activities: config.n,
        events: history.events?.length ?? 0,
        runMs,
        fetchHistoryMs,
        workflowId: id,
        warmWorkflowId: `${config.idPrefix}-warm-0`,
      };
    }
    case 'w7open': {
      const t = performance.now();
      const ids = Array.from({ length: config.n }, (_, i) => `${config.idPrefix}-sleep-${i}`);
      await forEachLimited(ids, config.concurrency, async (id) => {
        await client.workflow.start('sleepLong', { taskQueue: config.taskQueue, workflowId: id });
      });
      const startMs = performance.now() - t;
      // Open and idle means the worker has run the first workflow task: the history holds TimerStarted. Tasks go out
      // roughly in start order, so wait for the last one first, then check every one (and again for any straggler).
      const timerStarted = async (id: string): Promise<boolean> =>
        ((await client.workflow.getHandle(id).fetchHistory()).events ?? []).some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
      let waiting = ids;
      const deadline = Date.now() + 300_000;
      while (waiting.length > 0) {
        const last = waiting[waiting.length - 1] as string;
        if (await timerStarted(last)) {
          const still: string[] = [];
          await forEachLimited(waiting, 16, async (id) => {
            if (!(await timerStarted(id))) still.push(id);
          });
          waiting = still;
          if (waiting.length === 0) break;
        }
        if (Date.now() > deadline) throw new Error(`w7open: ${waiting.length} workflows still without TimerStarted after 300 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { kind: 'w7open', n: config.n, startMs, settledMs: performance.now() - t };
    }
  }
}
