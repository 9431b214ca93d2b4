/**
 * The `hourglass server start-dev` process for crash specs: spawned on a port and a SQLite file, SIGKILLed at will,
 * and killed after the file's specs if still running.
 */
import { after } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './helpers';

const cli = path.join(repoRoot, 'bin', 'hourglass.js');

export interface RunningCli {
  child: ChildProcess;
  output: () => string;
}

/** Spawns `hourglass server start-dev` and resolves once it prints a ready line naming its port. */
export function startCli(port: number, dbFilename: string, options: { logLevel?: string; args?: string[] } = {}): Promise<RunningCli> {
  const child = spawn(
    process.execPath,
    [
      cli,
      'server',
      'start-dev',
      '--port',
      String(port),
      '--db-filename',
      dbFilename,
      '--ip',
      '127.0.0.1',
      '--headless',
      '--log-level',
      options.logLevel ?? 'error',
      '--output=text',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let out = '';
  const output = (): string => out;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not print a ready line within 15s; output:\n${out}`));
    }, 15_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes(`:${port}`)) {
        clearTimeout(timer);
        resolve({ child, output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal}); output:\n${out}`));
    });
  });
}

/**
 * The first line a CLI process prints to stdout (its ready line when started with `--output text`); rejects if it
 * exits or stays silent for 20 s, quoting `stderr()`.
 */
export function firstStdoutLine(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line within 20 s; stdout: ${out}; stderr: ${stderr()}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, end));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before the ready line: ${stderr()}`));
    });
  });
}

export function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const children: ChildProcess[] = [];
after(async () => {
  for (const child of children) await kill(child);
});
