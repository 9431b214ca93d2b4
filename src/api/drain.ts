/** The message of a call refused because the server is shutting down (UNAVAILABLE: clients retry it). */
export const SHUTTING_DOWN_MESSAGE = 'Hourglass is shutting down';

/**
 * The calls a listener has under way, for a graceful stop: once draining, the listener takes no new call, and
 * `idle` resolves when the last one it took has ended.
 */
export class Drain {
  private calls = 0;
  private stopping = false;
  private waiters: (() => void)[] = [];

  get draining(): boolean {
    return this.stopping;
  }

  get inFlight(): number {
    return this.calls;
  }

  begin(): void {
    this.stopping = true;
  }

  /** A call began; the returned function ends it (a second call is a no-op). */
  enter(): () => void {
    this.calls++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.calls--;
      if (this.calls === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  /** A call that ends when `call` settles. */
  track(call: Promise<unknown>): void {
    const end = this.enter();
    call.then(end, end);
  }

  idle(): Promise<void> {
    if (this.calls === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
