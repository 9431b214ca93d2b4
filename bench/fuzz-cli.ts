/**
 * `npm run fuzz`: both fuzzers of issue 17 against one server in a child process (`hourglass server start-dev`, a file
 * database, gRPC with the HTTP API on its own port and the web UI's `/api/v1`), one summary line each; exit 1 on any
 * problem.
 *
 *   npm run fuzz [-- --requests 100000 --http-requests 20000 --seed 1 --concurrency 8 --only grpc|http]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alive, problemCount, runFuzz, summaryLine } from './fuzz';
import { httpProblemCount, httpSummaryLine, runHttpFuzz } from './fuzz-http';
import { freePort, installCleanup, SERVER_NODE, stop } from './procs';

const ROOT = path.resolve(__dirname, '..', '..');

interface FuzzServer {
  child: ChildProcess;
  address: string;
  httpAddress: string;
  uiAddress: string;
  dir: string;
}

/** The server with every listener the fuzzers reach (the bench's startServer runs it headless). */
async function startFuzzServer(): Promise<FuzzServer> {
  const [port, httpPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-fuzz-'));
  const args = ['server', 'start-dev', '--port', port, '--http-port', httpPort, '--ui-port', uiPort, '--output', 'text', '--log-level', 'error'];
  const child = spawn(SERVER_NODE, [path.join(ROOT, 'bin', 'hourglass.js'), ...args.map(String), '--db-filename', path.join(dir, 'fuzz.db')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('server: no ready line within 30 s')), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('Hourglass server listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited before its ready line (code ${code})`)));
  });
  child.stdout.resume();
  return { child, address: `127.0.0.1:${port}`, httpAddress: `127.0.0.1:${httpPort}`, uiAddress: `127.0.0.1:${uiPort}`, dir };
}

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} needs a non-negative integer`);
  return value;
}

async function main(): Promise<void> {
  installCleanup();
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  if (only !== undefined && only !== 'grpc' && only !== 'http') throw new Error('--only needs grpc or http');
  const seed = flag(args, '--seed', 1);
  const concurrency = flag(args, '--concurrency', 8);
  const server = await startFuzzServer();
  let exitedEarly = false;
  server.child.once('exit', () => (exitedEarly = true));
  let problems = 0;
  try {
    if (only !== 'http') {
      const summary = await runFuzz({ address: server.address, seed, requests: flag(args, '--requests', 100_000), concurrency });
      if (exitedEarly) summary.deaths++;
      for (const p of summary.problems) process.stderr.write(`${p}\n`);
      process.stdout.write(`${summaryLine(summary)}\n`);
      problems += problemCount(summary);
    }
    if (only !== 'grpc' && !exitedEarly) {
      const summary = await runHttpFuzz({
        httpAddress: server.httpAddress,
        uiAddress: server.uiAddress,
        seed,
        requests: flag(args, '--http-requests', 20_000),
        concurrency,
        grpcAlive: () => alive(server.address),
      });
      if (exitedEarly) summary.deaths++;
      for (const p of summary.problems) process.stderr.write(`${p}\n`);
      process.stdout.write(`${httpSummaryLine(summary)}\n`);
      problems += httpProblemCount(summary);
    }
    if (exitedEarly) problems++;
    process.exitCode = problems > 0 ? 1 : 0;
  } finally {
    await stop(server.child);
    fs.rmSync(server.dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`fuzz: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
