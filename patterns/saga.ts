/**
 * Saga: undo completed steps when a later one fails.
 *
 * A multi-service transaction (reserve inventory → charge payment → ship) cannot be rolled back
 * atomically, so each completed step registers a compensation (release, refund) and a failure
 * runs them newest-first. Compensations run in a non-cancellable scope so that cancelling the
 * workflow still cleans up; a compensation that fails is logged and the rest still run, because
 * one stuck refund must not leave the inventory reserved. The workflow then fails with the
 * ORIGINAL error as cause and the outcome of every compensation in the failure's details, so
 * callers and operators see both what went wrong and what was undone.
 *
 * Workflow-safe: imports only `@temporalio/workflow`.
 */
import { ApplicationFailure, CancellationScope, isCancellation, log } from '@temporalio/workflow';
import { describeFailure } from './parallel';

/** ApplicationFailure type of the error a saga throws after compensating. */
export const SAGA_COMPENSATED_ERROR = 'SagaCompensatedError';

export interface CompensationOutcome {
  name: string;
  ok: boolean;
  /** The compensation's error message when it failed. */
  error?: string;
}

export interface SagaOptions {
  /**
   * Run all compensations at once instead of newest-first. Only for compensations that do not
   * depend on each other; outcomes are still reported newest-first.
   */
  parallelCompensation?: boolean;
}

interface Compensation {
  name: string;
  fn: () => Promise<unknown>;
}

export class Saga {
  private readonly compensations: Compensation[] = [];
  private outcomes: CompensationOutcome[] | undefined;

  constructor(private readonly options: SagaOptions = {}) {}

  /**
   * Registers how to undo a step. Register right after the step succeeds; if the step can take
   * effect and still fail (e.g. time out after charging), register before it and make the
   * compensation tolerate "nothing to undo".
   */
  addCompensation(name: string, fn: () => Promise<unknown>): void {
    this.compensations.push({ name, fn });
  }

  /** Names of the registered compensations, in registration order. */
  get registered(): string[] {
    return this.compensations.map((c) => c.name);
  }

  /** Outcomes of `compensate()`, once it has run. */
  get compensationOutcomes(): readonly CompensationOutcome[] | undefined {
    return this.outcomes;
  }

  /**
   * Runs the registered compensations once (newest-first, or all at once with
   * `parallelCompensation`) in a non-cancellable scope, and reports each one's outcome. Never
   * throws for a failing compensation. Later calls return the first call's outcomes.
   */
  async compensate(): Promise<CompensationOutcome[]> {
    if (this.outcomes) return this.outcomes;
    const pending = [...this.compensations].reverse();
    const attempt = async ({ name, fn }: Compensation): Promise<CompensationOutcome> => {
      try {
        await fn();
        return { name, ok: true };
      } catch (err) {
        const { error } = describeFailure(err);
        log.warn('Saga compensation failed; continuing with the others', { compensation: name, error });
        return { name, ok: false, error };
      }
    };
    this.outcomes = await CancellationScope.nonCancellable(async () => {
      if (this.options.parallelCompensation) return Promise.all(pending.map(attempt));
      const outcomes: CompensationOutcome[] = [];
      for (const compensation of pending) outcomes.push(await attempt(compensation));
      return outcomes;
    });
    return this.outcomes;
  }

  /**
   * Runs `body`; if it throws, compensates and throws an `ApplicationFailure` of type
   * `SagaCompensatedError` (non-retryable) whose cause is the original error and whose first
   * detail is the `CompensationOutcome[]`. A cancellation is rethrown as is after compensating,
   * so the workflow is reported cancelled rather than failed (outcomes: `compensationOutcomes`).
   */
  async run<T>(body: (saga: Saga) => Promise<T>): Promise<T> {
    try {
      return await body(this);
    } catch (err) {
      const outcomes = await this.compensate();
      if (isCancellation(err)) throw err;
      throw compensatedError(err, outcomes);
    }
  }
}

function compensatedError(original: unknown, outcomes: CompensationOutcome[]): ApplicationFailure {
  const cause = original instanceof Error ? original : new Error(String(original));
  const failed = outcomes.filter((o) => !o.ok).map((o) => o.name);
  const summary =
    outcomes.length === 0
      ? 'nothing to compensate'
      : `compensated: ${outcomes.map((o) => o.name).join(', ')}${failed.length ? `; failed: ${failed.join(', ')}` : ''}`;
  return ApplicationFailure.create({
    type: SAGA_COMPENSATED_ERROR,
    message: `${describeFailure(original).error} (${summary})`,
    nonRetryable: true,
    details: [outcomes],
    cause,
  });
}

/** Reads the compensation outcomes from a saga's failure (e.g. `WorkflowFailedError.cause`). */
export function compensationOutcomesOf(failure: unknown): CompensationOutcome[] | undefined {
  if (!(failure instanceof ApplicationFailure) || failure.type !== SAGA_COMPENSATED_ERROR) return undefined;
  const [outcomes] = failure.details ?? [];
  return Array.isArray(outcomes) ? (outcomes as CompensationOutcome[]) : undefined;
}
