/**
 * The child side of the bench IPC protocol (see bench/protocol.ts), shared by the load generator, the raw gRPC driver
 * and the replayer.
 */
import type { FromChild, ToChild } from './protocol';

function send<R>(message: FromChild<R>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('bench child processes must be forked with an IPC channel'));
    process.send(message, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

function nextMessage<C>(): Promise<ToChild<C>> {
  return new Promise((resolve) => process.once('message', (m: ToChild<C>) => resolve(m)));
}

/**
 * Runs `body` with the runner's config. `body` warms up, then awaits `warm()` (which reports the warm-up done and
 * waits for the runner's go) before the measured part; its return value is the result. The process exits afterwards
 * (code 1 on error), which also ends any long poll still open.
 */
export function serve<C, R>(what: string, body: (config: C, warm: () => Promise<void>) => Promise<R>): void {
  const main = async (): Promise<void> => {
    const first = await nextMessage<C>();
    if (first.type !== 'config') throw new Error('expected config');
    const warm = async (): Promise<void> => {
      await send<R>({ type: 'warm' });
      const go = await nextMessage<C>();
      if (go.type !== 'go') throw new Error('expected go');
    };
    const result = await body(first.config, warm);
    await send<R>({ type: 'result', result });
  };
  main().then(
    () => process.exit(0),
    async (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      try {
        await send<R>({ type: 'error', message });
      } catch {
        process.stderr.write(`bench ${what}: ${message}\n`);
      }
      process.exit(1);
    },
  );
}
