/**
 * The chaos run's worker side: the workflow bundle every worker process loads, and the supervisor that kills the
 * worker on purpose once and restarts it whenever it is found dead.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { TASK_QUEUE } from './chaos-load';
import { sigkill, startWorker, type WorkerProcess } from './procs';

/** The workflow bundle, built once and cached by content: bundling costs seconds of CPU, and every worker reuses it. */
export async function workflowBundle(): Promise<string> {
  const source = require.resolve('./chaos-workflows');
  const sdkPackage = path.join(path.dirname(require.resolve('@temporalio/workflow')), '..', 'package.json');
  const hash = createHash('sha256').update(fs.readFileSync(source)).update(fs.readFileSync(sdkPackage)).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `hourglass-chaos-workflows-${hash}.js`);
  if (!fs.existsSync(file)) {
    const { code } = await bundleWorkflowCode({ workflowsPath: source, logger: new DefaultLogger('ERROR') });
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, code);
    fs.renameSync(partial, file);
  }
  return file;
}

const alive = (w: WorkerProcess): boolean => w.child.exitCode === null && w.child.signalCode === null;
const MAX_RESTARTS = 20;

/** The chaos worker process (bench/chaos-worker.ts). A worker that dies on its own is restarted and counted. */
export class WorkerSupervisor {
  /** Restarts of a worker that died on its own (it should not: the SDK worker rides out server crashes). */
  restarts = 0;
  private current!: Promise<WorkerProcess>;
  private running: WorkerProcess | undefined;
  private starting = false;

  constructor(
    private readonly address: string,
    private readonly args: string[],
  ) {
    this.spawn();
  }

  private spawn(): void {
    this.running = undefined;
    this.starting = true;
    this.current = startWorker(this.address, TASK_QUEUE, 'chaos-worker.js', this.args).then(
      (w) => {
        this.running = w;
        this.starting = false;
        return w;
      },
      (err: unknown) => {
        this.starting = false;
        throw err;
      },
    );
    this.current.catch(() => undefined); // ensure() and revive() look at the outcome
  }

  /** Starts another worker if the current one died (nothing if one is starting). */
  revive(): void {
    if (this.starting || (this.running && alive(this.running))) return;
    if (++this.restarts > MAX_RESTARTS) throw new Error(`the worker died ${MAX_RESTARTS} times`);
    this.spawn();
  }

  /** Resolves once a worker is polling. */
  async ensure(): Promise<void> {
    for (;;) {
      await this.current.catch(() => undefined);
      if (this.running && alive(this.running)) return;
      this.revive();
    }
  }

  /** SIGKILLs the worker (a crash: in-flight activities are abandoned) and starts the next one without waiting. */
  async kill(): Promise<void> {
    await this.ensure();
    if (this.running) await sigkill(this.running.child);
    this.spawn();
  }
}
