import type { temporal } from '../../../common/proto';

type IRequest = temporal.api.update.v1.IRequest;
type IOutcome = temporal.api.update.v1.IOutcome;

export type UpdateStage = 'admitted' | 'sent' | 'accepted' | 'completed';

/**
 * Updates between admission and outcome. Admitted updates live only here (as in Temporal, they are
 * not durable: the client retries); once accepted, history holds them (`MutableState.updates`).
 */
export interface InFlightUpdate {
  updateId: string;
  runId: string;
  request: IRequest;
  stage: UpdateStage;
  outcome?: IOutcome;
  /** Set when the update can no longer complete (its run closed before accepting it). */
  error?: Error;
}

export class UpdateRegistry {
  private readonly updates = new Map<string, InFlightUpdate>();
  private readonly listeners = new Map<string, Set<() => void>>();
  private stopped = false;

  /** Shutdown began: waits for a stage end now, as when their poll period is over. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Shutdown: ends every wait, and every later one at once. */
  stop(): void {
    this.stopped = true;
    for (const set of [...this.listeners.values()]) for (const wake of [...set]) wake();
  }

  private key(runId: string, updateId: string): string {
    return `${runId}/${updateId}`;
  }

  get(runId: string, updateId: string): InFlightUpdate | undefined {
    return this.updates.get(this.key(runId, updateId));
  }

  admit(runId: string, updateId: string, request: IRequest): InFlightUpdate {
    const update: InFlightUpdate = { updateId, runId, request, stage: 'admitted' };
    this.updates.set(this.key(runId, updateId), update);
    return update;
  }

  /** Drops an admission that never committed (update-with-start whose start failed); nothing waits on it yet. */
  withdraw(update: InFlightUpdate): void {
    this.updates.delete(this.key(update.runId, update.updateId));
  }

  forRun(runId: string, stage?: UpdateStage): InFlightUpdate[] {
    return [...this.updates.values()].filter((u) => u.runId === runId && (stage === undefined || u.stage === stage));
  }

  /** Moves an update forward and wakes its waiters; a completed update leaves the registry. */
  advance(update: InFlightUpdate, stage: UpdateStage, outcome?: IOutcome, error?: Error): void {
    update.stage = stage;
    if (outcome) update.outcome = outcome;
    if (error) update.error = error;
    const key = this.key(update.runId, update.updateId);
    if (stage === 'completed') this.updates.delete(key);
    const set = this.listeners.get(key);
    if (set) for (const wake of [...set]) wake();
  }

  /** Resolves when the update changes stage, or after `timeoutMs` / abort. */
  waitForChange(update: InFlightUpdate, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const key = this.key(update.runId, update.updateId);
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      let set = this.listeners.get(key);
      if (!set) {
        set = new Set();
        this.listeners.set(key, set);
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0) this.listeners.delete(key);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }
}
