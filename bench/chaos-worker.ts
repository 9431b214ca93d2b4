/**
 * Chaos worker process: `node dist/bench/chaos-worker.js --address HOST:PORT --task-queue Q --bundle FILE --log FILE`.
 * Runs the chaos workflows from a prebuilt bundle and appends every activity execution to the log, durably (fsync)
 * before the activity returns, so the runner can count executions after any crash. Prints `bench worker ready` once
 * polling; the runner SIGKILLs it at will.
 */
import fs from 'node:fs';
import { Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { ChaosActivities } from './chaos-workflows';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

const logFile = arg('log');

function appendDurably(line: string): void {
  const fd = fs.openSync(logFile, 'a');
  try {
    fs.writeSync(fd, line);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const activities: ChaosActivities = {
  record(key: string, value: number): Promise<number> {
    appendDurably(`${key}\t${Context.current().info.attempt}\n`);
    return Promise.resolve(2 * value + 1);
  },
  async stall(key: string): Promise<string> {
    const { attempt } = Context.current().info;
    appendDurably(`${key}\t${attempt}\n`);
    if (attempt === 1) await new Promise<never>(() => undefined);
    return `done on attempt ${attempt}`;
  },
};

/** The server may be down (between a kill and its restart) when this worker starts: retry the first connection. */
async function connect(address: string): Promise<NativeConnection> {
  for (let tries = 0; ; tries++) {
    try {
      return await NativeConnection.connect({ address });
    } catch (err) {
      if (tries >= 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await connect(arg('address'));
  const worker = await Worker.create({
    connection,
    taskQueue: arg('task-queue'),
    workflowBundle: { codePath: arg('bundle') },
    activities,
  });
  const stop = (): void => worker.shutdown();
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  const running = worker.run();
  process.stdout.write('bench worker ready\n');
  await running;
  await connection.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
