/**
 * Child-process plumbing for the bench runner: start the server (CLI), a worker and a load generator as separate
 * processes, read their CPU time and memory from /proc, and kill every child on exit.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FromChild, LoadConfig, LoadResult, ToChild } from './protocol';

const ROOT = path.resolve(__dirname, '..', '..');
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Kills every child still running (SIGKILL: used on exit and failure). */
export function killAll(): void {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
}

let installed = false;
/** Makes sure no child outlives the runner, whether it ends normally, on a signal or on an uncaught error. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
    killAll();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAll();
    process.exit(1);
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** SIGKILLs a child (a crash: no shutdown code runs) and resolves once it is gone. */
export function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Stops a child with SIGTERM, then SIGKILL after `graceMs`. */
export function stop(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function waitForLine(child: ChildProcess, marker: string, what: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no ready line within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.includes(marker));
      if (line !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // keep draining
        resolve(line);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited before its ready line (code ${code}, signal ${signal})`));
    });
  });
}

/** Extra node flags for a child (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), from an environment variable, to profile it. */
function nodeArgs(variable: string): string[] {
  return (process.env[variable] ?? '').split(' ').filter((a) => a.length > 0);
}

/**
 * The Node binary the server runs on (HOURGLASS_BENCH_SERVER_NODE, default this one), so the server alone can move to
 * another Node (e.g. Node 22 for node:sqlite) while worker and load generator stay put. The SQLite driver is the
 * server's default for that Node unless HOURGLASS_SQLITE_DRIVER (inherited) forces one.
 */
export const SERVER_NODE = process.env.HOURGLASS_BENCH_SERVER_NODE || process.execPath;

/** The server's Node version and SQLite driver, as the report states them. */
export function serverRuntime(): { node: string; sqliteDriver: string } {
  const script = `process.stdout.write(process.version + ' ' + require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'store', 'sqlite', 'open-database.js'))}).sqliteDriver().name)`;
  const [node = '?', sqliteDriver = '?'] = execFileSync(SERVER_NODE, ['-e', script], { encoding: 'utf8' }).split(' ');
  return { node, sqliteDriver };
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  address: string;
  dbFile: string;
  readyMs: number;
}

export interface ServerOptions {
  /** Extra `server start-dev` flags (e.g. `--sqlite-pragma synchronous=NORMAL`). */
  args?: string[];
  /** Log at debug level as JSON and hand each stderr line here (the server logs every RPC's timing at debug). */
  onLogLine?: (line: string) => void;
  /** Reuse this port and database file (a restart after a crash); by default a free port and a fresh file. */
  port?: number;
  dbFile?: string;
  /** Node flags for the server, after HOURGLASS_BENCH_SERVER_NODE_ARGS's (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** How long a SIGTERM may take before SIGKILL (a server writing a CPU profile at exit needs longer). */
  stopGraceMs?: number;
}

export async function startServer(options: ServerOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const dbFile = options.dbFile ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-bench-')), 'bench.db');
  const logging = options.onLogLine ? ['--log-level', 'debug', '--log-format', 'json'] : ['--log-level', 'error'];
  const t = performance.now();
  const child = track(
    spawn(
      SERVER_NODE,
      [
        ...nodeArgs('HOURGLASS_BENCH_SERVER_NODE_ARGS'),
        ...(options.nodeArgs ?? []),
        path.join(ROOT, 'bin', 'hourglass.js'),
        'server',
        'start-dev',
        '--port',
        String(port),
        '--headless',
        // Stdout is a pipe: ask for the ready line waitForLine waits on.
        '--output',
        'text',
        ...logging,
        '--db-filename',
        dbFile,
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', options.onLogLine ? 'pipe' : 'inherit'] },
    ),
  );
  const onLogLine = options.onLogLine;
  if (onLogLine && child.stderr) {
    let partial = '';
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLogLine(line);
    });
  }
  await waitForLine(child, 'Hourglass server listening on', 'server', 30_000);
  if (child.pid === undefined) throw new Error('server has no pid');
  return { child, pid: child.pid, address: `127.0.0.1:${port}`, dbFile, readyMs: performance.now() - t };
}

export function removeDb(server: ServerProcess): void {
  fs.rmSync(path.dirname(server.dbFile), { recursive: true, force: true });
}

/** Bytes of the SQLite file plus its WAL, if any. */
export function dbBytes(server: ServerProcess): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += fs.statSync(server.dbFile + suffix).size;
    } catch {
      // absent
    }
  }
  return total;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  readyMs: number;
}

/** Forks a worker process (bench/worker.js, or `script` with `args` added) and waits until it says it polls. */
export async function startWorker(address: string, taskQueue: string, script = 'worker.js', args: string[] = []): Promise<WorkerProcess> {
  const t = performance.now();
  const child = track(
    fork(path.join(__dirname, script), ['--address', address, '--task-queue', taskQueue, ...args], {
      execArgv: nodeArgs('HOURGLASS_BENCH_WORKER_NODE_ARGS'),
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    }),
  );
  await waitForLine(child, 'bench worker ready', 'worker', 60_000);
  if (child.pid === undefined) throw new Error('worker has no pid');
  return { child, pid: child.pid, readyMs: performance.now() - t };
}

/**
 * Runs one workload in a fresh child process (bench/loadgen.js, bench/raw-driver.js or bench/replay.js; protocol in
 * bench/protocol.ts). `beforeGo` runs after the child's warm-up, right before the measured part starts (to snapshot
 * CPU counters).
 */
export function runChild<C, R>(script: 'loadgen' | 'raw-driver' | 'replay', what: string, config: C, beforeGo: () => void, timeoutMs: number): Promise<R> {
  const child = track(fork(path.join(__dirname, `${script}.js`), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: ${script} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    let settled = false;
    const settle = (err: Error | undefined, result?: R): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err || !result) reject(err ?? new Error('no result'));
      else resolve(result);
    };
    child.on('message', (m: FromChild<R>) => {
      if (m.type === 'warm') {
        beforeGo();
        child.send({ type: 'go' } satisfies ToChild<C>);
      } else if (m.type === 'result') {
        settle(undefined, m.result);
      } else {
        settle(new Error(`${what}: ${m.message}`));
      }
    });
    child.on('exit', (code) => {
      if (code !== 0) settle(new Error(`${what}: ${script} exited with code ${code}`));
    });
    child.on('error', (err) => settle(err));
    child.send({ type: 'config', config } satisfies ToChild<C>);
  });
}

/** Runs a load-generator workload (bench/loadgen.js). */
export function runLoad(config: LoadConfig, beforeGo: () => void, timeoutMs: number): Promise<LoadResult> {
  return runChild<LoadConfig, LoadResult>('loadgen', config.workload, config, beforeGo, timeoutMs);
}

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

/** User + system CPU seconds of a process, all threads, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: split after its closing parenthesis. utime/stime are fields 14/15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function statusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return match?.[1] !== undefined ? Number(match[1]) : NaN;
}

/** Peak resident set size, MiB. */
export function peakRssMiB(pid: number): number {
  return statusKb(pid, 'VmHWM') / 1024;
}

/** Current resident set size, MiB. */
export function rssMiB(pid: number): number {
  return statusKb(pid, 'VmRSS') / 1024;
}

/** Runs `body` with a fresh server (and a worker on `taskQueue`), failing the run if either dies during it. */
export async function withProcesses<T>(
  taskQueue: string,
  withWorker: boolean,
  body: (server: ServerProcess, worker: WorkerProcess | undefined) => Promise<T>,
  serverOptions?: ServerOptions,
): Promise<T> {
  const server = await startServer(serverOptions);
  let worker: WorkerProcess | undefined;
  let stopping = false;
  try {
    if (withWorker) worker = await startWorker(server.address, taskQueue);
    // A server or worker dying mid-run would leave the load generator waiting for ever: fail the run instead.
    const died = new Promise<never>((_, reject) => {
      for (const [what, child] of [
        ['server', server.child],
        ['worker', worker?.child],
      ] as const) {
        child?.once('exit', (code, signal) => {
          if (!stopping) reject(new Error(`${what} exited during the run (code ${code}, signal ${signal})`));
        });
      }
    });
    return await Promise.race([body(server, worker), died]);
  } finally {
    stopping = true;
    if (worker) await stop(worker.child);
    await stop(server.child, serverOptions?.stopGraceMs);
    removeDb(server);
  }
}
