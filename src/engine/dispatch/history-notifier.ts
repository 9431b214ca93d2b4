/** Wakes long polls on a run's history (`waitNewEvent`, the client's result wait) after each commit. */
export class HistoryNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();
  private stopped = false;

  /** Shutdown began: every wait ends now, and a new one at once, as when its poll period is over. */
  get isStopped(): boolean {
    return this.stopped;
  }

  notify(runId: string): void {
    const set = this.waiters.get(runId);
    if (!set) return;
    this.waiters.delete(runId);
    for (const wake of set) wake();
  }

  /** Resolves true on a change, false on timeout or abort. */
  wait(runId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted || this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      let set = this.waiters.get(runId);
      if (!set) {
        set = new Set();
        this.waiters.set(runId, set);
      }
      const done = (changed: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.get(runId)?.delete(wake);
        resolve(changed);
      };
      const wake = (): void => done(true);
      const onAbort = (): void => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(wake);
    });
  }

  /** Shutdown: ends every wait, and every later one at once. */
  stop(): void {
    this.stopped = true;
    for (const runId of [...this.waiters.keys()]) this.notify(runId);
  }
}
