/**
 * A workflow-side circuit breaker: after repeated failures of a downstream dependency the workflow
 * stops calling it for a while instead of hammering it with retries, then probes it with a single
 * trial call before letting traffic through again.
 *
 * Why in the workflow: the breaker's state is then part of the workflow's deterministic state —
 * it survives worker restarts (it is rebuilt by replay), needs no external store, and its reset
 * timeout is measured in *workflow time* (`Date.now()` inside the sandbox is the workflow clock),
 * so a time-skipping test environment skips it like any timer.
 *
 * Workflow-safe: imports only from `@temporalio/workflow` / `@temporalio/common`.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isCancellation } from '@temporalio/workflow';

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** The `type` of the ApplicationFailure thrown by {@link CircuitBreaker.execute} while the circuit is open. */
export const CIRCUIT_OPEN_ERROR_TYPE = 'CircuitOpenError';

export interface CircuitBreakerOptions {
  /** Name used in transition records and errors, e.g. the downstream service. Default `circuit`. */
  name?: string;
  /** Consecutive failures (in CLOSED state) that open the circuit. Must be >= 1. */
  failureThreshold: number;
  /** How long (workflow time, ms) the circuit stays OPEN before a HALF_OPEN trial call is allowed. */
  resetTimeoutMs: number;
  /**
   * Decides whether an error counts as a downstream failure. Default: everything except cancellation
   * (a cancelled workflow says nothing about the health of the service).
   */
  isFailure?: (err: unknown) => boolean;
  /** State to resume from, e.g. carried across continue-as-new (see {@link CircuitBreaker.snapshot}). */
  restore?: CircuitBreakerSnapshot;
}

/** One state change, for observability (queries, demos, tests). `at` is workflow time in epoch ms. */
export interface CircuitTransition {
  from: CircuitState;
  to: CircuitState;
  at: number;
  reason: string;
}

/** Serializable breaker state. */
export interface CircuitBreakerSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  openedAt: number | undefined;
  transitions: CircuitTransition[];
}

/** What {@link CircuitBreaker.call} returns: the call's value, or why it was not made. */
export type CircuitCallResult<T> = { skipped: false; value: T } | { skipped: true; reason: 'circuit open' | 'trial in progress'; retryAt: number };

/** Details carried by the CircuitOpenError ApplicationFailure. */
export interface CircuitOpenDetails {
  circuit: string;
  retryAt: number;
}

/** True for the failure {@link CircuitBreaker.execute} throws when it skips a call. */
export function isCircuitOpenError(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && err.type === CIRCUIT_OPEN_ERROR_TYPE;
}

/**
 * CLOSED → (failureThreshold consecutive failures) → OPEN → (resetTimeoutMs of workflow time, on the
 * next call) → HALF_OPEN: exactly one trial call; success → CLOSED, failure → OPEN again.
 *
 * Calls made while OPEN (or while the HALF_OPEN trial is still running) are skipped without
 * invoking the function. Errors thrown by the function are recorded and re-thrown unchanged.
 */
export class CircuitBreaker {
  readonly name: string;
  private readonly failureThreshold: number;
  private readonly resetTimeoutMs: number;
  private readonly isFailure: (err: unknown) => boolean;
  private currentState: CircuitState;
  private consecutiveFailures: number;
  private openedAt: number | undefined;
  private trialInFlight = false;
  private readonly log: CircuitTransition[];

  constructor(options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new TypeError(`failureThreshold must be a positive integer, got ${options.failureThreshold}`);
    }
    if (!(options.resetTimeoutMs >= 0)) throw new TypeError(`resetTimeoutMs must be >= 0, got ${options.resetTimeoutMs}`);
    this.name = options.name ?? 'circuit';
    this.failureThreshold = options.failureThreshold;
    this.resetTimeoutMs = options.resetTimeoutMs;
    this.isFailure = options.isFailure ?? ((err) => !isCancellation(err));
    const restored = options.restore;
    // A trial cannot survive continue-as-new: a restored HALF_OPEN breaker probes again.
    this.currentState = restored?.state === 'HALF_OPEN' ? 'OPEN' : (restored?.state ?? 'CLOSED');
    this.consecutiveFailures = restored?.consecutiveFailures ?? 0;
    this.openedAt = restored?.openedAt;
    this.log = [...(restored?.transitions ?? [])];
  }

  /** The state as of the last call (an OPEN circuit whose timeout elapsed turns HALF_OPEN on the next call). */
  get state(): CircuitState {
    return this.currentState;
  }

  /** Every state change so far, oldest first. */
  get transitions(): readonly CircuitTransition[] {
    return this.log;
  }

  /** Workflow time (epoch ms) at which an OPEN circuit admits its trial call; undefined unless OPEN. */
  get retryAt(): number | undefined {
    return this.currentState === 'OPEN' && this.openedAt !== undefined ? this.openedAt + this.resetTimeoutMs : undefined;
  }

  /** Milliseconds until the trial call is allowed (0 if calls are allowed now) — e.g. `await sleep(b.msUntilRetry())`. */
  msUntilRetry(): number {
    const at = this.retryAt;
    return at === undefined ? 0 : Math.max(0, at - Date.now());
  }

  /**
   * Runs `fn` unless the circuit is open. Returns `{ skipped: true }` instead of calling it while
   * OPEN; rethrows `fn`'s errors after counting them.
   */
  async call<T>(fn: () => Promise<T>): Promise<CircuitCallResult<T>> {
    const now = Date.now();
    if (this.currentState === 'OPEN') {
      const retryAt = (this.openedAt ?? now) + this.resetTimeoutMs;
      if (now < retryAt) return { skipped: true, reason: 'circuit open', retryAt };
      this.transition('HALF_OPEN', now, `reset timeout of ${this.resetTimeoutMs}ms elapsed`);
    } else if (this.currentState === 'HALF_OPEN' && this.trialInFlight) {
      return { skipped: true, reason: 'trial in progress', retryAt: now };
    }

    const trial = this.currentState === 'HALF_OPEN';
    if (trial) this.trialInFlight = true;
    try {
      const value = await fn();
      this.onSuccess(trial);
      return { skipped: false, value };
    } catch (err) {
      this.onError(trial, err);
      throw err;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  /**
   * Like {@link call} but throws a non-retryable ApplicationFailure of type `CircuitOpenError`
   * (details: {@link CircuitOpenDetails}) when the call is skipped — for code that prefers exceptions.
   */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const result = await this.call(fn);
    if (!result.skipped) return result.value;
    const details: CircuitOpenDetails = { circuit: this.name, retryAt: result.retryAt };
    throw ApplicationFailure.create({
      type: CIRCUIT_OPEN_ERROR_TYPE,
      message: `circuit '${this.name}' is open (${result.reason}); next trial at ${new Date(result.retryAt).toISOString()}`,
      nonRetryable: true,
      details: [details],
    });
  }

  /** Serializable state, e.g. to pass to continue-as-new and back via `restore`. */
  snapshot(): CircuitBreakerSnapshot {
    return { state: this.currentState, consecutiveFailures: this.consecutiveFailures, openedAt: this.openedAt, transitions: [...this.log] };
  }

  private onSuccess(trial: boolean): void {
    this.consecutiveFailures = 0;
    if (trial) {
      this.openedAt = undefined;
      this.transition('CLOSED', Date.now(), 'trial call succeeded');
    }
  }

  private onError(trial: boolean, err: unknown): void {
    if (!this.isFailure(err)) return;
    const now = Date.now();
    if (trial) {
      this.openedAt = now;
      this.transition('OPEN', now, 'trial call failed');
      return;
    }
    this.consecutiveFailures++;
    if (this.currentState === 'CLOSED' && this.consecutiveFailures >= this.failureThreshold) {
      this.openedAt = now;
      this.transition('OPEN', now, `${this.consecutiveFailures} consecutive failures`);
    }
  }

  private transition(to: CircuitState, at: number, reason: string): void {
    this.log.push({ from: this.currentState, to, at, reason });
    this.currentState = to;
  }
}
