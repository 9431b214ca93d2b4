import type { VirtualClock } from './clock';
import { TimerQueue } from './timer-queue';

/** What the skipper needs to know of the engine. */
export interface SkippableWork {
  /** The earliest deadline of any run (timers, timeouts, backoffs), if any. */
  nextDeadline(): number | undefined;
  /**
   * Until when work in flight holds time still: 0 when idle, Infinity while a task waits for a worker. `resumedAt` is
   * when a sleeper last woke: its caller may be a running activity, going on in real time from then.
   */
  busyUntil(resumedAt: number): number;
  /** Fires everything due at the (new) current time. */
  fireDue(): void;
}

/**
 * The time-skipping test mode (Temporal's TestService). While unlocked and nothing is in flight,
 * the virtual clock jumps to the next deadline instead of waiting for it. The lock counter starts
 * at 1, as in Temporal's test server: the SDK unlocks while it awaits a result or sleeps.
 */
export class TimeSkipper {
  private lockCount = 1;
  private readonly sleepers: TimerQueue;
  private readonly wakeups = new Map<string, () => void>();
  private nextSleeperId = 0;
  private resumedAt = -Infinity;
  private checkScheduled = false;
  private recheck: NodeJS.Timeout | undefined;
  private readonly works: SkippableWork[] = [];
  private closed = false;

  constructor(readonly clock: VirtualClock) {
    this.sleepers = new TimerQueue(clock, (key) => this.wake(key));
  }

  /** Each source of deadlines (the engine, the scheduler): time skips to the earliest, and only while none is busy. */
  attach(work: SkippableWork): void {
    this.works.push(work);
  }

  lock(): void {
    this.lockCount++;
  }

  /**
   * The count may go below zero: the SDK's result() unlocks before and locks after waiting, so
   * two results awaited together unlock twice before either locks again. Time skips while the
   * count is at or below zero, and the pairs balance out as the results return.
   */
  unlock(): void {
    this.lockCount--;
    this.poke();
  }

  /**
   * Lets time skip while `fn` runs, as the SDK's result() does: used while a client waits for an
   * update's outcome, so an update handler that sleeps does not hold the test for real time.
   */
  async unlockedWhile<T>(fn: () => Promise<T>): Promise<T> {
    this.lockCount--;
    this.poke();
    try {
      return await fn();
    } finally {
      this.lockCount++;
    }
  }

  /** Resolves once virtual time reaches `time` (by skipping, or by waiting while locked). */
  sleepUntil(time: number): Promise<void> {
    if (time <= this.clock.now()) return Promise.resolve();
    return new Promise((resolve) => {
      const key = `sleep-${this.nextSleeperId++}`;
      this.wakeups.set(key, resolve);
      this.sleepers.set(key, time);
      this.poke();
    });
  }

  /** Unlocks, lets time pass until `time`, then locks again before returning (`env.sleep`). */
  async unlockAndSleepUntil(time: number): Promise<void> {
    const sleeping = this.sleepUntil(time).then(() => this.lock());
    this.unlock();
    await sleeping;
  }

  /** Asks for a skip check soon; called whenever in-flight work or deadlines may have changed. */
  poke(): void {
    if (this.checkScheduled || this.closed) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      this.check();
    });
  }

  close(): void {
    this.closed = true;
    this.sleepers.close();
    if (this.recheck) clearTimeout(this.recheck);
  }

  private check(): void {
    const works = this.works;
    if (works.length === 0 || this.lockCount > 0 || this.closed) return;
    const now = this.clock.now();
    const busyUntil = Math.max(...works.map((w) => w.busyUntil(this.resumedAt)));
    if (busyUntil > now) {
      // A running activity's grace period ends by itself: look again then.
      if (Number.isFinite(busyUntil)) this.scheduleRecheck(busyUntil - now);
      return;
    }
    const next = works.reduce((min, w) => minDefined(min, w.nextDeadline()), this.sleepers.peek());
    if (next === undefined) return; // nothing to skip to: real time flows
    if (next > now) this.clock.advanceTo(next);
    for (const w of works) w.fireDue();
    this.sleepers.fireDue();
  }

  private scheduleRecheck(delayMs: number): void {
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = setTimeout(() => this.poke(), delayMs + 1);
    this.recheck.unref();
  }

  private wake(key: string): void {
    const resolve = this.wakeups.get(key);
    this.wakeups.delete(key);
    this.resumedAt = this.clock.now();
    resolve?.();
    this.poke();
  }
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
