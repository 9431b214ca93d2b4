/**
 * Benchmark runner: `node dist/bench/run.js [--quick]`.
 *
 * The Hourglass server (CLI), a worker (bench/worker.ts) and a load generator (bench/loadgen.ts) run as separate
 * processes; each round of each workload gets a fresh server (fresh SQLite file) and worker. CPU time and peak RSS
 * come from /proc/<pid>/stat and /proc/<pid>/status. Every workload runs 3 rounds (--quick: 1 round, smaller counts);
 * the table shows the median with min–max beside it, and is written to bench/RESULTS.md.
 * `--only=w1,w3` runs a subset (w1–w7; w4sticky, w4full: one of W4's two drivers; profile: the profiled runs) and still writes bench/RESULTS.md
 * unless `--out=FILE` names another file. HOURGLASS_BENCH_SERVER_NODE runs the server on
 * another Node binary and HOURGLASS_SQLITE_DRIVER (node | better-sqlite3) forces its SQLite driver.
 *
 *   W1 latency      one workflow at a time (threeSteps: 3 activities in sequence; also the local-activity variant)
 *   W2 throughput   N workflows with 200 in flight; CPU-seconds per 1,000 workflows for server and worker; peak RSS
 *   W3 timers       N workflows sleeping 2 s then one activity, all started at once; timer lateness from the histories
 *   W4 server       bench/raw-driver.js: threeSteps over raw gRPC (own poll/respond loops, no SDK worker): the
 *      ceiling      server's workflows/s and history events/s, server and driver CPU-ms per workflow; once with a
 *                   sticky driver (decides from the new events only), once deciding from the full history
 *   W5 start-up     bench/startup.js (in-process server → first GetSystemInfo; CLI → ready line)
 *   W6 big history  one workflow running 3,300 activities (500 in parallel): ~10,000 events; then a full history fetch
 *                   and a worker-side replay of it (bench/replay.js)
 *   W7 footprint    idle RSS of server and worker; SQLite size after W2; server RSS with N open sleeping workflows,
 *                   then after M more closed ones (raw driver, one workflow task each). One round even in full mode.
 */
import path from 'node:path';
import { splitW1, type RpcRecord } from './w1-split';
import { recordStartup } from './w5-startup';
import { method } from './method';
import { whereTheTimeGoes } from './profiled-runs';
import { targetsSection } from './targets';
import { gitCommit, machine, median, percentile, record, table, writeResults } from './report';
import type { LoadConfig, LoadResult, RawConfig, RawResult, ReplayConfig, ReplayResult } from './protocol';
import { cpuSeconds, dbBytes, installCleanup, killAll, peakRssMiB, rssMiB, runChild, runLoad, serverRuntime, withProcesses } from './procs';

// An unknown flag must not start a 15-minute run: the runner takes only the flags below.
const KNOWN_FLAG = /^--(quick|only=.+|out=.+)$/;
const unknownFlag = process.argv.slice(2).find((a) => !KNOWN_FLAG.test(a));
if (unknownFlag !== undefined) {
  process.stderr.write(
    `usage: node dist/bench/run.js [--quick] [--only=w1,w2,w3,w4sticky,w4full,w6,w7,w5,profile] [--out=FILE]${unknownFlag === '--help' ? '' : ` (unknown: ${unknownFlag})`}\n`,
  );
  process.exit(unknownFlag === '--help' ? 0 : 2);
}
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 1 : 3;
const N_W1 = QUICK ? 50 : 200;
/** W1 workflows whose latency is split between server, worker and client from the server's RPC timings. */
const N_W1_SPLIT = 50;
const N_W2 = QUICK ? 500 : 2000;
const W2_IN_FLIGHT = 200;
const N_W3 = QUICK ? 200 : 1000;
const N_W4 = QUICK ? 1500 : 10_000;
const W4_IN_FLIGHT = 400;
const W4_POLLERS = 64; // per task queue (workflow and activity)
const W5_ROUNDS = QUICK ? 3 : 10;
const N_W6 = 3300; // activities: about 10,000 history events (same size in quick mode)
const W6_BATCH = 500;
const N_W7_OPEN = QUICK ? 2000 : 10_000; // sleepLong workflows left open (timer pending) on the SDK worker
const W7_START_CONCURRENCY = 50;
const N_W7_CLOSED = QUICK ? 5000 : 100_000; // completeNow workflows closed by the raw driver on top of them
const W7_CLOSED_IN_FLIGHT = 200;
const W7_VERIFY = 1000; // close events checked (evenly spread sample) after the closed-workflow run
const RAW_TASK_QUEUE = 'bench-raw';
const ONLY = ((): Set<string> | undefined => {
  const flag = process.argv.find((a) => a.startsWith('--only='));
  return flag ? new Set(flag.slice('--only='.length).toLowerCase().split(',')) : undefined;
})();
const enabled = (workload: string): boolean => ONLY === undefined || ONLY.has(workload);
const ROOT = path.resolve(__dirname, '..', '..');
/** `--out=FILE` writes the report there instead of bench/RESULTS.md (a partial or comparison run). */
const OUT = ((): string => {
  const flag = process.argv.find((a) => a.startsWith('--out='));
  return flag ? path.resolve(flag.slice('--out='.length)) : path.join(ROOT, 'bench', 'RESULTS.md');
})();
const LOAD_TIMEOUT_MS = 600_000;
const TASK_QUEUE = 'bench';

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function config(workload: LoadConfig['workload'], round: number, extra: Partial<LoadConfig> & { address: string }): LoadConfig {
  return { workload, taskQueue: TASK_QUEUE, n: 0, concurrency: 1, idPrefix: `${workload}-r${round}`, ...extra };
}

function runRaw(what: string, cfg: RawConfig): Promise<RawResult> {
  return runChild<RawConfig, RawResult>('raw-driver', what, cfg, () => undefined, LOAD_TIMEOUT_MS);
}

function expect<K extends LoadResult['kind']>(result: LoadResult, kind: K): Extract<LoadResult, { kind: K }> {
  if (result.kind !== kind) throw new Error(`expected a ${kind} result, got ${result.kind}`);
  return result as Extract<LoadResult, { kind: K }>;
}

async function w1(round: number): Promise<void> {
  await withProcesses(TASK_QUEUE, true, async (server, worker) => {
    if (!worker) throw new Error('no worker');
    record('W7 footprint', 'server idle RSS (after ready line)', 'MiB', rssMiB(server.pid));
    record('W7 footprint', 'worker idle RSS (after ready line)', 'MiB', rssMiB(worker.pid));
    record('W7 footprint', 'worker process → ready line (incl. bundling)', 'ms', worker.readyMs, 0);
    for (const [label, workflowType] of [
      ['W1 latency', 'threeSteps'],
      ['W1 latency (local activities)', 'threeStepsLocal'],
    ] as const) {
      const result = expect(
        await runLoad(
          config('w1', round, { address: server.address, n: N_W1, workflowType, idPrefix: `w1-${workflowType}-r${round}` }),
          () => undefined,
          LOAD_TIMEOUT_MS,
        ),
        'w1',
      );
      const sorted = [...result.latenciesMs].sort((a, b) => a - b);
      record(label, `p50 (n=${N_W1})`, 'ms', percentile(sorted, 50));
      record(label, 'p95', 'ms', percentile(sorted, 95));
      record(label, 'p99', 'ms', percentile(sorted, 99));
      log(`${label}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`);
    }
  });
}

async function w1Breakdown(round: number, durability: 'FULL' | 'NORMAL'): Promise<void> {
  const records: RpcRecord[] = [];
  const onLogLine = (line: string): void => {
    if (!line.startsWith('{')) return;
    const entry = JSON.parse(line) as { msg?: string; method?: string; start?: number; ms?: number };
    if (entry.msg === 'rpc' && entry.method && entry.start !== undefined && entry.ms !== undefined) {
      records.push({ method: entry.method, start: entry.start, end: entry.start + entry.ms });
    }
  };
  await withProcesses(
    TASK_QUEUE,
    true,
    async (server) => {
      const result = expect(
        await runLoad(
          config('w1', round, { address: server.address, n: N_W1_SPLIT, workflowType: 'threeSteps', idPrefix: `w1split-r${round}` }),
          () => (records.length = 0),
          LOAD_TIMEOUT_MS,
        ),
        'w1',
      );
      const split = splitW1(records, result.latenciesMs);
      const label = `W1 latency split, synchronous=${durability} (traced, n=${split.server.length})`;
      record(label, 'start → result p50', 'ms', median(result.latenciesMs));
      record(label, 'server (handlers, commits, transport) p50', 'ms', median(split.server));
      record(label, 'SDK worker p50', 'ms', median(split.worker));
      record(label, 'SDK client (load generator) p50', 'ms', median(split.client));
      log(
        `W1 split (${durability}): server ${median(split.server).toFixed(1)} ms, worker ${median(split.worker).toFixed(1)} ms, client ${median(split.client).toFixed(1)} ms`,
      );
    },
    { onLogLine, args: ['--sqlite-pragma', `synchronous=${durability}`] },
  );
}

async function w2(round: number): Promise<void> {
  await withProcesses(TASK_QUEUE, true, async (server, worker) => {
    if (!worker) throw new Error('no worker');
    let serverCpu0 = 0;
    let workerCpu0 = 0;
    const result = expect(
      await runLoad(
        config('w2', round, { address: server.address, n: N_W2, concurrency: W2_IN_FLIGHT, workflowType: 'threeSteps' }),
        () => {
          serverCpu0 = cpuSeconds(server.pid);
          workerCpu0 = cpuSeconds(worker.pid);
        },
        LOAD_TIMEOUT_MS,
      ),
      'w2',
    );
    const serverCpu = cpuSeconds(server.pid) - serverCpu0;
    const workerCpu = cpuSeconds(worker.pid) - workerCpu0;
    const perThousand = 1000 / result.n;
    record('W2 throughput', `workflows/s (n=${N_W2}, ${W2_IN_FLIGHT} in flight)`, 'wf/s', result.n / (result.wallMs / 1000));
    record('W2 throughput', 'wall time', 's', result.wallMs / 1000, 2);
    record('W2 throughput', 'server CPU per 1,000 workflows', 'CPU-s', serverCpu * perThousand, 2);
    record('W2 throughput', 'worker CPU per 1,000 workflows', 'CPU-s', workerCpu * perThousand, 2);
    record('W2 throughput', 'server peak RSS', 'MiB', peakRssMiB(server.pid));
    record('W2 throughput', 'worker peak RSS', 'MiB', peakRssMiB(worker.pid));
    const db = dbBytes(server);
    record('W7 footprint', `SQLite file + WAL after W2 (${N_W2 + 5} workflows)`, 'MiB', db / 1024 / 1024);
    record('W7 footprint', 'SQLite file + WAL per closed threeSteps workflow (W2)', 'KiB', db / (N_W2 + 5) / 1024);
    log(`W2: ${(result.n / (result.wallMs / 1000)).toFixed(1)} wf/s, server ${serverCpu.toFixed(2)} CPU-s, worker ${workerCpu.toFixed(2)} CPU-s`);
  });
}

async function w3(round: number): Promise<void> {
  await withProcesses(TASK_QUEUE, true, async (server) => {
    const result = expect(await runLoad(config('w3', round, { address: server.address, n: N_W3 }), () => undefined, LOAD_TIMEOUT_MS), 'w3');
    record('W3 timers', `start spread (n=${N_W3}, all at once)`, 'ms', result.spreadMs, 0);
    record('W3 timers', 'last completion late vs first start + spread + 2 s', 'ms', result.lateMs, 0);
    record('W3 timers', 'first → last completion', 'ms', result.firstToLastCompletionMs, 0);
    record('W3 timers', 'server peak RSS', 'MiB', peakRssMiB(server.pid));
    const lateness = [...result.timerLatenessMs].sort((a, b) => a - b);
    record('W3 timers', `timer lateness p50 (TimerFired − due, n=${lateness.length} timers)`, 'ms', percentile(lateness, 50), 0);
    record('W3 timers', 'timer lateness p99', 'ms', percentile(lateness, 99), 0);
    record('W3 timers', 'timer lateness max', 'ms', lateness[lateness.length - 1] ?? NaN, 0);
    log(
      `W3: spread ${result.spreadMs.toFixed(0)} ms, late ${result.lateMs.toFixed(0)} ms; timer lateness p50 ${percentile(lateness, 50).toFixed(0)} ms, p99 ${percentile(lateness, 99).toFixed(0)} ms`,
    );
  });
}

async function w4(round: number, durability: 'FULL' | 'NORMAL', sticky: boolean): Promise<void> {
  await withProcesses(
    TASK_QUEUE,
    false,
    async (server) => {
      const r = await runRaw('w4', {
        address: server.address,
        taskQueue: RAW_TASK_QUEUE,
        mode: 'threeSteps',
        n: N_W4,
        inFlight: W4_IN_FLIGHT,
        pollers: W4_POLLERS,
        verify: N_W4,
        idPrefix: `w4-r${round}`,
        serverPid: server.pid,
        sticky,
      });
      const seconds = r.wallMs / 1000;
      // The full-history driver keeps the label of the rows before the sticky driver, so they stay comparable.
      const label = `W4 server ceiling${sticky ? ' (sticky driver)' : ''}${durability === 'FULL' ? '' : ', synchronous=NORMAL'}`;
      record(label, `workflows/s (threeSteps over raw gRPC, n=${N_W4}, ${W4_IN_FLIGHT} in flight, ${W4_POLLERS}+${W4_POLLERS} pollers)`, 'wf/s', r.n / seconds);
      record(
        label,
        `history events/s (${r.minEvents === r.maxEvents ? r.minEvents : `${r.minEvents}–${r.maxEvents}`} events per workflow)`,
        'events/s',
        r.events / seconds,
        0,
      );
      record(label, 'server CPU per workflow', 'CPU-ms', (r.serverCpuS * 1000) / r.n, 2);
      record(label, 'driver CPU per workflow', 'CPU-ms', (r.driverCpuS * 1000) / r.n, 2);
      record(label, 'workflow tasks per workflow', 'tasks', r.workflowTasks / r.n, 2);
      record(label, 'activity tasks dispatched eagerly (in RespondWorkflowTaskCompleted)', '%', (100 * r.eagerActivityTasks) / Math.max(1, r.activityTasks), 0);
      record(label, 'workflow tasks returned inline (in RespondWorkflowTaskCompleted)', '%', (100 * r.inlineWorkflowTasks) / Math.max(1, r.workflowTasks), 0);
      if (sticky) record(label, 'workflow tasks with a partial (sticky) history', '%', (100 * r.partialHistoryTasks) / Math.max(1, r.workflowTasks), 0);
      record(label, 'server peak RSS', 'MiB', peakRssMiB(server.pid));
      log(
        `W4 (${sticky ? 'sticky, ' : ''}${durability}): ${(r.n / seconds).toFixed(1)} wf/s, ${(r.events / seconds).toFixed(0)} events/s; server ${((r.serverCpuS * 1000) / r.n).toFixed(2)} CPU-ms/wf, ` +
          `driver ${((r.driverCpuS * 1000) / r.n).toFixed(2)} CPU-ms/wf; eager ${r.eagerActivityTasks}/${r.activityTasks} activity tasks, ` +
          `inline ${r.inlineWorkflowTasks}/${r.workflowTasks} workflow tasks, ${r.partialHistoryTasks} partial histories, ${r.historyFetches} history fetches; ${r.verified} close events verified`,
      );
    },
    { args: ['--sqlite-pragma', `synchronous=${durability}`] },
  );
}

async function w6(round: number): Promise<void> {
  await withProcesses(TASK_QUEUE, true, async (server, worker) => {
    if (!worker) throw new Error('no worker');
    let serverCpu0 = 0;
    const result = expect(
      await runLoad(config('w6', round, { address: server.address, n: N_W6, batch: W6_BATCH }), () => (serverCpu0 = cpuSeconds(server.pid)), LOAD_TIMEOUT_MS),
      'w6',
    );
    const serverCpu = cpuSeconds(server.pid) - serverCpu0;
    record('W6 big history', `history events (${N_W6} activities, ${W6_BATCH} in parallel)`, 'events', result.events, 0);
    record('W6 big history', 'workflow start → result', 'ms', result.runMs, 0);
    record('W6 big history', 'fetch full history (client, paged)', 'ms', result.fetchHistoryMs, 0);
    record('W6 big history', 'server CPU (run + fetch)', 'CPU-s', serverCpu, 2);
    record('W6 big history', 'server peak RSS', 'MiB', peakRssMiB(server.pid));
    record('W6 big history', 'worker peak RSS', 'MiB', peakRssMiB(worker.pid));
    const replay = await runChild<ReplayConfig, ReplayResult>(
      'replay',
      'w6 replay',
      { address: server.address, workflowId: result.workflowId, warmWorkflowId: result.warmWorkflowId },
      () => undefined,
      LOAD_TIMEOUT_MS,
    );
    if (replay.events !== result.events) throw new Error(`W6 replay: fetched ${replay.events} events, the load generator ${result.events}`);
    record('W6 big history', 'replay after a cache eviction (warm replay worker)', 'ms', replay.warmReplayMs, 0);
    record('W6 big history', 'replay, cold: Worker.runReplayHistory in a fresh process (bundling excluded)', 'ms', replay.coldReplayMs, 0);
    record('W6 big history', 'bundling bench/workflows.ts (bundleWorkflowCode, not in the replay times)', 'ms', replay.bundleMs, 0);
    log(
      `W6: ${result.events} events in ${result.runMs.toFixed(0)} ms; history fetch ${result.fetchHistoryMs.toFixed(0)} ms; ` +
        `replay warm ${replay.warmReplayMs.toFixed(0)} ms, cold ${replay.coldReplayMs.toFixed(0)} ms (bundle ${replay.bundleMs.toFixed(0)} ms)`,
    );
  });
}

async function w7(): Promise<void> {
  await withProcesses(TASK_QUEUE, true, async (server, worker) => {
    if (!worker) throw new Error('no worker');
    const label = 'W7 footprint';
    const open = expect(
      await runLoad(config('w7open', 0, { address: server.address, n: N_W7_OPEN, concurrency: W7_START_CONCURRENCY }), () => undefined, LOAD_TIMEOUT_MS),
      'w7open',
    );
    record(label, `server RSS with ${N_W7_OPEN} open sleeping workflows (VmRSS)`, 'MiB', rssMiB(server.pid));
    record(label, 'server peak RSS by then (VmHWM)', 'MiB', peakRssMiB(server.pid));
    record(label, `worker RSS with the ${N_W7_OPEN} sleeping workflows`, 'MiB', rssMiB(worker.pid));
    log(
      `W7: ${N_W7_OPEN} sleeping workflows started in ${(open.startMs / 1000).toFixed(1)} s, all with TimerStarted after ${(open.settledMs / 1000).toFixed(1)} s; server RSS ${rssMiB(server.pid).toFixed(1)} MiB`,
    );
    const db0 = dbBytes(server);
    const r = await runRaw('w7 closed', {
      address: server.address,
      taskQueue: RAW_TASK_QUEUE,
      mode: 'completeNow',
      n: N_W7_CLOSED,
      inFlight: W7_CLOSED_IN_FLIGHT,
      pollers: W4_POLLERS,
      verify: W7_VERIFY,
      idPrefix: 'w7-closed',
      serverPid: server.pid,
      sticky: false,
    });
    const closed = r.n + 5; // the driver's warm-up workflows too
    record(label, `server RSS after ${N_W7_CLOSED} more closed workflows (VmRSS; the sleeping ones still open)`, 'MiB', rssMiB(server.pid));
    record(label, 'server peak RSS by the end (VmHWM)', 'MiB', peakRssMiB(server.pid));
    record(label, 'closed 1-task workflows/s (raw driver, completeNow)', 'wf/s', r.n / (r.wallMs / 1000));
    record(label, 'SQLite file + WAL growth per closed 1-task workflow', 'KiB', (dbBytes(server) - db0) / closed / 1024);
    log(
      `W7: ${r.n} closed workflows at ${(r.n / (r.wallMs / 1000)).toFixed(0)} wf/s; server RSS ${rssMiB(server.pid).toFixed(1)} MiB; ${r.verified} close events verified`,
    );
  });
}

async function main(): Promise<void> {
  installCleanup();
  const started = performance.now();
  log(`mode ${QUICK ? 'quick' : 'full'}: ${ROUNDS} round(s); W1 ${N_W1}, W2 ${N_W2}, W3 ${N_W3}, W4 ${N_W4}, W7 ${N_W7_OPEN} open + ${N_W7_CLOSED} closed`);
  for (let round = 0; round < ROUNDS; round++) {
    log(`round ${round + 1}/${ROUNDS}`);
    if (enabled('w1')) await w1(round);
    if (enabled('w1')) await w1Breakdown(round, 'FULL');
    if (enabled('w1')) await w1Breakdown(round, 'NORMAL');
    if (enabled('w2')) await w2(round);
    if (enabled('w3')) await w3(round);
    if (enabled('w4') || enabled('w4sticky')) await w4(round, 'FULL', true);
    if (enabled('w4') || enabled('w4full')) await w4(round, 'FULL', false);
    if (enabled('w6')) await w6(round);
  }
  if (enabled('w7')) await w7();
  if (enabled('w5')) {
    recordStartup(W5_ROUNDS);
    log('W5 done');
  }
  let profile: string | undefined;
  if (enabled('profile')) {
    profile = await whereTheTimeGoes();
    log('profiled runs done');
  }
  const targets = targetsSection();
  const totalS = (performance.now() - started) / 1000;
  const md = table();
  const report = [
    '# Hourglass benchmark results',
    '',
    `Generated by \`node dist/bench/run.js${QUICK ? ' --quick' : ''}\` on ${new Date().toISOString()} (${QUICK ? 'quick: 1 round, reduced counts' : `${ROUNDS} rounds`}; took ${totalS.toFixed(0)} s).`,
    '',
    `Commit: \`${gitCommit(ROOT)}\``,
    '',
    machine(serverRuntime()),
    '',
    md,
    '',
    ...method({ W1_SPLIT: N_W1_SPLIT, W4_POLLERS, W4_IN_FLIGHT, W7_OPEN: N_W7_OPEN, W7_CLOSED: N_W7_CLOSED, W7_CLOSED_IN_FLIGHT, W7_VERIFY }),
    ...(targets ? [targets, ''] : []),
    ...(profile ? [profile, ''] : []),
  ].join('\n');
  writeResults(OUT, report);
  console.log(md);
  log(`done in ${totalS.toFixed(0)} s; wrote ${path.relative(process.cwd(), OUT)}`);
}

main().then(
  () => {
    killAll();
    process.exit(0);
  },
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAll();
    process.exit(1);
  },
);
