/**
 * "Where the server's time goes": one extra, unmeasured run each of W4 (sticky driver) and W2 with the server under
 * V8's CPU profiler (`--cpu-prof`, written when the server exits on SIGTERM), split into buckets by
 * bench/profile-split.ts. The profile covers the server's whole life, start-up and warm-up included (about 0.2 s).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { splitTable, type Profile } from './profile-split';
import { runChild, runLoad, withProcesses, type ServerOptions } from './procs';
import type { RawConfig, RawResult } from './protocol';

const TIMEOUT_MS = 600_000;
const N_W4 = 3000;
const N_W2 = 1000;

async function profiled(body: (options: ServerOptions) => Promise<number>): Promise<{ profile: Profile; workflows: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-bench-prof-'));
  try {
    const workflows = await body({ nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`], stopGraceMs: 30_000 });
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('profiled run: the server wrote no CPU profile');
    return { profile: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profile, workflows };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function w4Sticky(options: ServerOptions): Promise<number> {
  return withProcesses(
    'bench',
    false,
    async (server) => {
      const config: RawConfig = {
        address: server.address,
        taskQueue: 'bench-raw',
        mode: 'threeSteps',
        n: N_W4,
        inFlight: 400,
        pollers: 64,
        verify: 0,
        idPrefix: 'w4-profiled',
        serverPid: server.pid,
        sticky: true,
      };
      const r = await runChild<RawConfig, RawResult>('raw-driver', 'w4 profiled', config, () => undefined, TIMEOUT_MS);
      return r.n + 5; // and the driver's warm-up workflows
    },
    options,
  );
}

function w2(options: ServerOptions): Promise<number> {
  return withProcesses(
    'bench',
    true,
    async (server) => {
      const r = await runLoad(
        { workload: 'w2', taskQueue: 'bench', n: N_W2, concurrency: 200, idPrefix: 'w2-profiled', address: server.address, workflowType: 'threeSteps' },
        () => undefined,
        TIMEOUT_MS,
      );
      if (r.kind !== 'w2') throw new Error(`profiled W2: expected a w2 result, got ${r.kind}`);
      return r.n + 5;
    },
    options,
  );
}

/** The section's text: the split of both profiles side by side. */
export async function whereTheTimeGoes(): Promise<string> {
  const sticky = await profiled(w4Sticky);
  const sdk = await profiled(w2);
  return [
    "## Where the server's time goes",
    '',
    `One extra run each, not part of the table above, with the server under \`--cpu-prof\`: W4 with the sticky driver (${N_W4} workflows, 400 in flight) and W2 with the SDK worker (${N_W2} workflows, 200 in flight). A sample is charged to the first frame from the leaf up that names a bucket (bench/profile-split.ts): a SQLite statement to SQLite, another native call to its caller. ms/wf = the main thread's busy milliseconds per workflow (idle left out; start-up, about 0.2 s, and the 5 warm-up workflows in). V8 samples wall time, so busy time includes time the main thread was ready but waiting for a core: in W2 the SDK worker keeps both cores busy, and a native call that wakes another thread (the fdatasync handed to the threadpool) is often charged the wait. CPU off the main thread (that threadpool, V8's GC helpers, the kernel) is in the table's CPU rows, not here.`,
    '',
    splitTable([
      { label: 'W4 sticky', ...sticky },
      { label: 'W2', ...sdk },
    ]),
  ].join('\n');
}
