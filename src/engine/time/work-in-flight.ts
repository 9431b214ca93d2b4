import type { TimeSkipper } from './time-skipping';

/**
 * Time-skipping mode: what holds the virtual clock still. Each open run reports until when its
 * work in flight holds the clock (0 idle, Infinity while a task waits for a worker); timer
 * processing and other deliveries hold it while they run. Without a skipper every call is a no-op.
 */
export class WorkInFlight {
  private readonly runs = new Map<string, number>();
  private running = 0;

  constructor(
    private readonly skipper: TimeSkipper | undefined,
    /** Other work under way that the clock must wait for (e.g. transfer task deliveries). */
    private readonly otherWorkBusy: () => boolean,
  ) {}

  get enabled(): boolean {
    return this.skipper !== undefined;
  }

  /** Records until when the run holds the clock; undefined forgets the run (it closed). */
  track(runId: string, until: number | undefined): void {
    if (!this.skipper) return;
    if (until === undefined) this.runs.delete(runId);
    else this.runs.set(runId, until);
    this.skipper.poke();
  }

  /** Holds the clock while `fn` runs. */
  async during<T>(fn: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.skipper?.poke();
    }
  }

  /** Something finished: the skipper re-checks whether it may skip. */
  settled(): void {
    this.skipper?.poke();
  }

  busyUntil(): number {
    if (this.running > 0 || this.otherWorkBusy()) return Infinity;
    let until = 0;
    for (const value of this.runs.values()) until = Math.max(until, value);
    return until;
  }
}
