import type { TimeSkipper } from './time-skipping';

/** What one open run holds the clock with. */
interface RunHold {
  /** Until when its work in flight holds the clock: 0 idle, Infinity while a task waits for a worker. */
  until: number;
  /** It has a started activity, which may be the caller of an `env.sleep` that just returned. */
  activityStarted: boolean;
}

/**
 * Time-skipping mode: what holds the virtual clock still. Each open run reports until when its
 * work in flight holds the clock (0 idle, Infinity while a task waits for a worker); timer
 * processing and other deliveries hold it while they run. Without a skipper every call is a no-op.
 */
export class WorkInFlight {
  private readonly runs = new Map<string, RunHold>();
  private running = 0;

  constructor(
    private readonly skipper: TimeSkipper | undefined,
    /** Other work under way that the clock must wait for (e.g. transfer task deliveries). */
    private readonly otherWorkBusy: () => boolean,
    /** How long a started activity holds the clock after it starts, heartbeats or resumes from a sleep. */
    private readonly activityGraceMs: number,
  ) {}

  get enabled(): boolean {
    return this.skipper !== undefined;
  }

  /** Records what the run holds the clock with; undefined forgets the run (it closed). */
  track(runId: string, hold: RunHold | undefined): void {
    if (!this.skipper) return;
    if (hold === undefined) this.runs.delete(runId);
    else this.runs.set(runId, hold);
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

  /**
   * `resumedAt` is when a test-service sleep last returned. An activity that awaits `env.sleep` (the SDK's pattern for
   * an activity finishing later in virtual time) goes on in real time once it returns, as after a heartbeat: so every
   * started activity holds the clock for its grace period from then, or time would skip to its timeout, or past the
   * workflow's timer it races, before its completion arrives. (Temporal's test server holds the clock for the whole
   * run of every activity, the activity's own sleep releasing it; here hanging activities must let their timeouts come.)
   */
  busyUntil(resumedAt: number): number {
    if (this.running > 0 || this.otherWorkBusy()) return Infinity;
    let until = 0;
    for (const run of this.runs.values()) {
      until = Math.max(until, run.until);
      if (run.activityStarted) until = Math.max(until, resumedAt + this.activityGraceMs);
    }
    return until;
  }
}
