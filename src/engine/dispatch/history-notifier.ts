/** Wakes long polls on a run's history (`waitNewEvent`, the client's result wait) after each commit. */
export class HistoryNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();

  notify(runId: string): void {
    const set = this.waiters.get(runId);
    if (!set) return;
    this.waiters.delete(runId);
    for (const wake of set) wake();
  }

  /** Resolves true on a change, false on timeout or abort. */
  wait(runId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
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

  /** Ends every wait, e.g. at shutdown. */
  wakeAll(): void {
    for (const runId of [...this.waiters.keys()]) this.notify(runId);
  }
}
