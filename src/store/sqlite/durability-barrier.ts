/**
 * Group commit's last step, away from the event loop: callers that have written (but not yet synced) their changes ask
 * the barrier when those changes are durable. One sync runs at a time; callers that arrive while it runs cannot count
 * on it (it may have started before their write reached the file), so they all wait for the one next sync, which covers
 * every one of them (classic group commit). Syncs complete in order, so callers are answered in the order they asked.
 *
 * A failed sync is final: after an fsync error the kernel may have dropped the dirty pages and marked them clean, so a
 * later sync that succeeds proves nothing about them (PostgreSQL's "fsyncgate"). Every caller it covered, every caller
 * waiting for the next one and every later caller is rejected with that error; the owner must stop writing.
 *
 * No imports: a pure piece, given the sync to run (an fdatasync on the libuv threadpool in the store).
 */
interface Callers {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function callers(): Callers {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class DurabilityBarrier {
  /** The callers of the sync running now, and of the one to run after it. */
  private inFlight: Callers | undefined;
  private next: Callers | undefined;
  private failedWith: { error: Error } | undefined;
  /** How many syncs were started: fewer than the callers when they were coalesced. */
  syncs = 0;

  constructor(private readonly sync: () => Promise<void>) {}

  /** The error of the sync that failed, once one has; the barrier then rejects every caller with it. */
  get failure(): { error: Error } | undefined {
    return this.failedWith;
  }

  /**
   * Resolves once a sync that started after this call has completed, i.e. once everything written before the call is
   * durable; rejects with the sync's error if it failed (or an earlier one did).
   */
  whenDurable(): Promise<void> {
    if (this.failedWith) return Promise.reject(this.failedWith.error);
    if (this.inFlight) return (this.next ??= callers()).promise;
    const now = callers();
    this.begin(now);
    return now.promise;
  }

  /** Whether a sync is running now. */
  get syncing(): boolean {
    return this.inFlight !== undefined;
  }

  /** Resolves when the sync running now has ended, whatever its outcome (at once when none is running). */
  synced(): Promise<void> {
    return this.inFlight ? this.inFlight.promise.catch(() => undefined) : Promise.resolve();
  }

  /** Resolves when no sync is running or awaited (whatever their outcome): for closing the file they sync. */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight.promise.catch(() => undefined);
  }

  private begin(waiting: Callers): void {
    this.inFlight = waiting;
    this.syncs += 1;
    let synced: Promise<void>;
    try {
      synced = this.sync();
    } catch (err) {
      synced = Promise.reject(asError(err));
    }
    void synced.then(
      () => this.finished(waiting, undefined),
      (err: unknown) => this.finished(waiting, { error: asError(err) }),
    );
  }

  /** Answers the sync's callers, then those of the next one (failed with it, or given the next sync): in order. */
  private finished(waiting: Callers, failure: { error: Error } | undefined): void {
    this.inFlight = undefined;
    const next = this.next;
    this.next = undefined;
    if (failure) {
      this.failedWith = failure;
      waiting.reject(failure.error);
      next?.reject(failure.error);
    } else {
      waiting.resolve();
      if (next) this.begin(next);
    }
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
