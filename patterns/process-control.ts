/**
 * Pause / resume / cancel for long-running, step-by-step workflows.
 *
 * Operators need to hold a long process (a migration, a drip campaign) without killing it, let it
 * continue later, or stop it cleanly with a result that says how far it got. Temporal's own
 * cancellation aborts whatever is in flight; these signals instead take effect at step
 * boundaries (`checkpoint()`), so a step never stops half-done and the workflow returns a normal
 * result with status `cancelled` and its progress. A status query lets dashboards poll the state,
 * and an optional delay between steps is a durable timer (`sleep`), so hours between steps cost
 * nothing and are skipped in time-skipping tests.
 *
 * Workflow-safe: imports only `@temporalio/workflow`.
 */
import { condition, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';

/**
 * A duration in milliseconds or in `ms` notation (`'1 hour'`, `'30s'`), as `sleep()` takes it. Declared
 * here because the SDK's own `Duration` type does not resolve under `node16` module resolution.
 */
export type StepDelay = number | string;

export type ProcessStatus = 'running' | 'paused' | 'cancelled' | 'completed';

export interface ProcessState {
  status: ProcessStatus;
  /** Completed steps as a whole percentage of `totalSteps` (0–100). */
  progress: number;
  completedSteps: number;
  totalSteps: number;
  paused: boolean;
  /** A cancel was requested; `status` turns `cancelled` when the process stops at its next checkpoint. */
  cancelRequested: boolean;
  /** Reason given with the cancel signal, if any. */
  cancelReason?: string;
}

/** Hold the process at its next checkpoint. */
export const pauseSignal = defineSignal('pause');
/** Let a paused process continue. */
export const resumeSignal = defineSignal('resume');
/** Stop at the next checkpoint; the workflow completes with status `cancelled`. */
export const cancelSignal = defineSignal<[reason?: string]>('cancel');
/** The current `ProcessState`. */
export const statusQuery = defineQuery<ProcessState>('status');

export interface ProcessControlOptions {
  totalSteps: number;
  /** Durable wait before every step but the first (e.g. `'1 hour'`); a cancel cuts it short. */
  delayBetweenSteps?: StepDelay;
  /** Steps already done by an earlier run (continue-as-new); progress starts from here. */
  completedSteps?: number;
}

export class ProcessControl {
  private completed: number;
  private paused = false;
  private cancelRequested = false;
  private cancelReason: string | undefined;
  private finished = false;
  private checkpoints = 0;

  constructor(private readonly options: ProcessControlOptions) {
    if (!Number.isInteger(options.totalSteps) || options.totalSteps < 0) {
      throw new RangeError(`totalSteps must be a non-negative integer, got ${options.totalSteps}`);
    }
    this.completed = options.completedSteps ?? 0;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  cancel(reason?: string): void {
    this.cancelRequested = true;
    this.cancelReason = reason;
  }

  get completedSteps(): number {
    return this.completed;
  }

  get state(): ProcessState {
    const { totalSteps } = this.options;
    const status: ProcessStatus = this.finished ? (this.completed >= totalSteps ? 'completed' : 'cancelled') : this.paused ? 'paused' : 'running';
    return {
      status,
      progress: totalSteps === 0 ? 100 : Math.floor((this.completed / totalSteps) * 100),
      completedSteps: this.completed,
      totalSteps,
      paused: this.paused,
      cancelRequested: this.cancelRequested,
      ...(this.cancelReason !== undefined ? { cancelReason: this.cancelReason } : {}),
    };
  }

  /**
   * Call before each step. Waits out the delay between steps (not before the first), then waits
   * while paused. Returns true to run the step, false once a cancel was requested (or all steps
   * are done) — then stop and return `finish()`.
   */
  async checkpoint(): Promise<boolean> {
    const { delayBetweenSteps } = this.options;
    if (this.checkpoints++ > 0 && delayBetweenSteps !== undefined && !this.cancelRequested) {
      await condition(() => this.cancelRequested, delayBetweenSteps);
    }
    await condition(() => !this.paused || this.cancelRequested);
    return !this.cancelRequested && this.completed < this.options.totalSteps;
  }

  /** Call after each step succeeds: advances progress. */
  stepCompleted(): void {
    this.completed++;
  }

  /** Final state: `completed` when every step ran, else `cancelled`. */
  finish(): ProcessState {
    this.finished = true;
    return this.state;
  }
}

/**
 * Creates the controller for the current workflow and wires `pauseSignal`, `resumeSignal`,
 * `cancelSignal` and `statusQuery` to it. Typical loop:
 *
 * ```ts
 * const control = useProcessControl({ totalSteps: items.length, delayBetweenSteps: '1 hour' });
 * while (await control.checkpoint()) {
 *   await processItem(items[control.completedSteps]);
 *   control.stepCompleted();
 * }
 * return control.finish();
 * ```
 */
export function useProcessControl(options: ProcessControlOptions): ProcessControl {
  const control = new ProcessControl(options);
  setHandler(pauseSignal, () => control.pause());
  setHandler(resumeSignal, () => control.resume());
  setHandler(cancelSignal, (reason) => control.cancel(reason));
  setHandler(statusQuery, () => control.state);
  return control;
}
