/**
 * Bench worker process: `node dist/bench/worker.js --address HOST:PORT --task-queue QUEUE`.
 * Prints `bench worker ready` (and sends {type: 'ready'} over IPC when forked) once polling; exits on SIGTERM.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: arg('address') });
  const worker = await Worker.create({
    connection,
    taskQueue: arg('task-queue'),
    workflowsPath: require.resolve('./workflows'),
    activities: { inc: async (x: number) => x + 1 },
  });
  const stop = (): void => worker.shutdown();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop); // the runner went away
  const running = worker.run();
  // Worker.run() switches the state to RUNNING synchronously once polling starts.
  process.stdout.write('bench worker ready\n');
  process.send?.({ type: 'ready' });
  await running;
  await connection.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
