/** How long a failed task waits before it runs again: doubling from `initialMs` per failure, up to `maxMs`. */
export interface RetryBackoff {
  initialMs: number;
  maxMs: number;
}

export function retryDelayMs(backoff: RetryBackoff, failures: number): number {
  return Math.min(backoff.initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 30), backoff.maxMs);
}

export interface RetryingTasksOptions {
  backoff: RetryBackoff;
  /** A run of the task failed; `retryInMs` is undefined when it will not run again (closed). */
  onFailure(key: string, error: unknown, failures: number, retryInMs: number | undefined): void;
  /** A run of a task ended, whether it succeeded or failed. */
  onSettled(): void;
}

interface Waiting {
  timer: NodeJS.Timeout;
  failures: number;
  task: () => Promise<void>;
}

/**
 * Background tasks by key: a key runs at most once at a time, and a task that fails runs again after
 * a backoff until it succeeds. Tasks must re-read what they still owe, so a retry that has become
 * moot (the run moved on, or a later run of the key did the work) finds nothing to do.
 */
export class RetryingTasks {
  private readonly running = new Set<string>();
  private readonly waiting = new Map<string, Waiting>();
  private closed = false;

  constructor(private readonly options: RetryingTasksOptions) {}

  /**
   * Tasks running now. One waiting for its retry does not count: time skipping must be able to
   * move the clock meanwhile, and the task is not lost, its timer still fires.
   */
  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Tasks waiting for their retry. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  run(key: string, task: () => Promise<void>): void {
    if (this.closed || this.running.has(key)) return;
    const waiting = this.waiting.get(key);
    if (waiting) {
      // The backoff stands: a commit of the run is no sign that what failed has recovered.
      waiting.task = task;
      return;
    }
    this.start(key, task, 0);
  }

  /** Cancels every pending retry; nothing starts after this. */
  close(): void {
    this.closed = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
  }

  private start(key: string, task: () => Promise<void>, failures: number): void {
    this.running.add(key);
    void outcomeOf(task).then((outcome) => {
      this.running.delete(key);
      if (outcome) this.failed(key, task, failures + 1, outcome.error);
      this.options.onSettled();
    });
  }

  private failed(key: string, task: () => Promise<void>, failures: number, error: unknown): void {
    if (this.closed) {
      this.options.onFailure(key, error, failures, undefined);
      return;
    }
    const delay = retryDelayMs(this.options.backoff, failures);
    this.options.onFailure(key, error, failures, delay);
    const timer = setTimeout(() => {
      const waiting = this.waiting.get(key);
      if (!waiting || this.closed) return;
      this.waiting.delete(key);
      this.start(key, waiting.task, waiting.failures);
    }, delay);
    // A retry must not keep the process alive on its own.
    timer.unref();
    this.waiting.set(key, { timer, failures, task });
  }
}

async function outcomeOf(task: () => Promise<void>): Promise<{ error: unknown } | undefined> {
  try {
    await task();
    return undefined;
  } catch (error) {
    return { error };
  }
}
