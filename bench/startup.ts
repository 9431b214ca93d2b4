/**
 * Start-up benchmark: an ephemeral in-process server to its first successful GetSystemInfo, and the
 * CLI process to its ready line. Prints medians with min–max over the rounds.
 *
 *   npm run bench
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { HourglassServer } from '../src/server';

const ROUNDS = Number(process.env.ROUNDS ?? 20);

async function inProcess(): Promise<number> {
  const started = performance.now();
  const server = await HourglassServer.start({ port: 0 });
  const connection = await Connection.connect({ address: server.address });
  await connection.workflowService.getSystemInfo({});
  const elapsed = performance.now() - started;
  await connection.close();
  await server.close();
  return elapsed;
}

function cliReady(): Promise<number> {
  const bin = path.resolve(__dirname, '..', '..', 'bin', 'hourglass.js');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, 'server', 'start-dev', '--port', '0', '--headless', '--output', 'text'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        const elapsed = performance.now() - started;
        child.kill('SIGTERM');
        child.on('exit', () => resolve(elapsed));
      }
    });
    child.on('error', reject);
  });
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `median ${median.toFixed(1)} ms (min ${sorted[0]?.toFixed(1)} – max ${sorted[sorted.length - 1]?.toFixed(1)}, n=${sorted.length})`;
}

async function main(): Promise<void> {
  await inProcess(); // warm the module cache: the first start also loads grpc-js and the protos
  const inProc: number[] = [];
  for (let i = 0; i < ROUNDS; i++) inProc.push(await inProcess());
  const cli: number[] = [];
  for (let i = 0; i < Math.min(ROUNDS, 10); i++) cli.push(await cliReady());
  console.log(`in-process server → first GetSystemInfo: ${summary(inProc)}`);
  console.log(`CLI process → ready line:                ${summary(cli)}`);
}

void main();
