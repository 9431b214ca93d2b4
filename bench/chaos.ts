/**
 * Chaos: `node dist/bench/chaos.js [--kills N] [--workflows M] [--seed S] [--verbose] [--keep]` (`npm run chaos`).
 * `--verbose` logs each kill to stderr; `--keep` keeps the database and the activity log (always kept on a failure).
 *
 * One Hourglass server process on a SQLite file, a chaos worker process (bench/chaos-worker.ts) and this process as
 * the load generator. The worker is SIGKILLed once while an activity runs (that activity must be retried after its
 * start-to-close timeout); then the server is SIGKILLed N times at seeded random moments under load and restarted on
 * the same file and port, while the client and the worker reconnect. The M workflows (activities, timers, signals and
 * a child each: bench/chaos-workflows.ts) are started across the kill cycles. At the end, bench/chaos-verify.ts checks
 * that nothing acknowledged was lost. Prints one summary line; exits 1 on any loss or wrong result.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { drive, plan, seededRandom, TASK_QUEUE, untilAcknowledged, type LoadCounters } from './chaos-load';
import { readActivityLog, verify, verifyStall, waitUntilClosed } from './chaos-verify';
import { WorkerSupervisor, workflowBundle } from './chaos-processes';
import { freePort, installCleanup, killAll, sigkill, startServer, type ServerProcess } from './procs';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got ${raw}`);
  return value;
}

const KILLS = option('kills', 50);
const WORKFLOWS = option('workflows', 250);
const SEED = option('seed', 1);
const VERBOSE = process.argv.includes('--verbose');
const KEEP = process.argv.includes('--keep');
/** Server uptime between a restart and the next kill, ms: long enough for work to be in flight, short enough to hit it. */
const UP_MIN_MS = 300;
const UP_MAX_MS = 2000;
const EARLY_MAX_MS = 300;
const SETTLE_TIMEOUT_MS = 180_000;

const t0 = performance.now();
const say = (line: string): void => void (VERBOSE && process.stderr.write(`chaos: ${((performance.now() - t0) / 1000).toFixed(1)}s ${line}\n`));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForLogLine(logFile: string, key: string, attempt: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(logFile) || !fs.readFileSync(logFile, 'utf8').includes(`${key}\t${attempt}\n`)) {
    if (Date.now() > deadline) throw new Error(`no execution of ${key} attempt ${attempt} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  installCleanup();

  const random = seededRandom(SEED);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-chaos-'));
  const dbFile = path.join(dir, 'chaos.db');
  const logFile = path.join(dir, 'activities.log');
  const port = await freePort();

  const [bundleFile, first] = await Promise.all([workflowBundle(), startServer({ port, dbFile })]);
  let server: ServerProcess = first;
  say('server started, workflows bundled');
  const worker = new WorkerSupervisor(server.address, ['--bundle', bundleFile, '--log', logFile]);
  await worker.ensure();

  // Fast reconnects (grpc-js backs off up to 2 minutes between connection attempts by default), and no SDK retry
  // interceptor: its backoff grows to seconds and would miss the short windows between kills; untilAcknowledged
  // retries every 200 ms instead.
  const connection = await Connection.connect({
    address: server.address,
    channelArgs: { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 300 },
    interceptors: [],
  });
  const client = new Client({ connection });

  // The worker dies mid-activity, while the server kills go on: the server times the attempt out (start-to-close)
  // and the next worker retries it.
  const stallId = 'chaos-stall';
  const stallKey = `${stallId}/stall`;
  const workerKill = (async (): Promise<void> => {
    await untilAcknowledged('start the stalled workflow', 60_000, () =>
      client.workflow.start('stallWorkflow', { taskQueue: TASK_QUEUE, workflowId: stallId, args: [stallKey] }),
    );
    await waitForLogLine(logFile, stallKey, 1, 120_000);
    await worker.kill();
    say('worker killed mid-activity');
  })();

  const workflows = plan(WORKFLOWS, KILLS, random);
  const counters: LoadCounters = { started: 0, signalsAcknowledged: 0 };
  const driving: Promise<void>[] = [];
  const startCycle = (cycle: number): void => {
    for (const wf of workflows.filter((w) => w.cycle === cycle)) driving.push(drive(client, wf, counters));
  };
  for (let kill = 1; kill <= KILLS; kill++) {
    startCycle(kill - 1);
    // One kill in four lands while the restarted server is still recovering (re-dispatching tasks, re-arming timers);
    // the others count uptime from its first answer (on a busy machine that may come well after the ready line).
    const early = kill > 1 && random() < 0.25;
    if (!early) await untilAcknowledged('the first call after a restart', 60_000, () => connection.workflowService.getSystemInfo({}));
    const upMs = early ? Math.floor(random() * EARLY_MAX_MS) : UP_MIN_MS + Math.floor(random() * (UP_MAX_MS - UP_MIN_MS));
    await sleep(upMs);
    await sigkill(server.child);
    say(
      `kill ${kill}/${KILLS} ${upMs} ms after ${early ? 'the ready line' : 'the first answer'} (${counters.started} started, ${counters.signalsAcknowledged} signals acknowledged)`,
    );
    try {
      server = await startServer({ port, dbFile });
    } catch (err) {
      throw new Error(`the server did not restart on its database after kill ${kill}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    worker.revive();
  }
  startCycle(KILLS);
  await workerKill;
  await worker.ensure();
  await Promise.all(driving);
  say(`all ${counters.started} starts and ${counters.signalsAcknowledged} signals acknowledged; waiting for the workflows to close`);

  say('closing');
  const notClosed = await waitUntilClosed(client, [stallId, ...workflows.map((w) => w.input.id)], Date.now() + SETTLE_TIMEOUT_MS, say);
  say('verifying');
  const verdict = await verify(client, workflows, new Set(notClosed), logFile);
  const stallProblem = notClosed.includes(stallId) ? `${stallId}: still running at the deadline` : await verifyStall(client, stallId, stallKey, logFile);
  if (stallProblem !== undefined) {
    verdict.problems.push(stallProblem);
    verdict.lost++;
  }
  const executions = [...readActivityLog(logFile).values()].reduce((a, b) => a + b, 0);
  await connection.close();
  killAll();
  for (const problem of verdict.problems) process.stderr.write(`chaos: ${problem}\n`);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  process.stdout.write(
    `chaos: kills=${KILLS} workflows=${WORKFLOWS} completed=${verdict.completed} lost=${verdict.lost} wrong=${verdict.wrong} ` +
      `duplicates(activity)=${verdict.duplicateActivities} activity-executions=${executions} signals=${verdict.signalsDelivered}/${counters.signalsAcknowledged} ` +
      `worker-kill=${stallProblem === undefined ? 'ok' : 'failed'} worker-restarts=${worker.restarts} seed=${SEED} time=${seconds}s\n`,
  );
  const failed = verdict.lost > 0 || verdict.wrong > 0;
  if (failed) process.exitCode = 1;
  if (failed || KEEP) process.stderr.write(`chaos: database and activity log kept in ${dir}\n`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  killAll();
  process.exit(1);
});
