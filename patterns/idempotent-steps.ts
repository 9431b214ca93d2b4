/**
 * Idempotent workflow steps.
 *
 * A workflow may reach the same step twice: a human asks to retry after a failure, a loop restarts
 * the pipeline, or a new run continues a previous one (continue-as-new). Side effects such as
 * charging a card must happen once. Two layers make that hold:
 *
 * 1. Workflow side (this module): completed step names and their results are kept in workflow
 *    state, so a step already recorded is skipped and its recorded result returned.
 * 2. Activity side: each step gets a stable idempotency key (`<step>-<scope>`, e.g.
 *    `payment-order-42`) to pass to the external system, which deduplicates retries of the same
 *    activity — an activity can run more than once (a timeout after the charge went through).
 *    See `patterns/activities/idempotency-store.ts`.
 *
 * Workflow-safe: imports only `@temporalio/workflow`.
 */
import { defineQuery, setHandler } from '@temporalio/workflow';

/** Names of the steps completed so far, in completion order. */
export const completedStepsQuery = defineQuery<string[]>('completedSteps');

/** One completed step, as carried across runs (e.g. in continue-as-new arguments). */
export interface CompletedStep {
  name: string;
  result: unknown;
}

export interface IdempotentStepsOptions {
  /** What the keys are unique to, usually the business entity's ID (`orderId`). */
  scope: string;
  /** Steps completed by an earlier run; they are skipped in this one. */
  completed?: readonly CompletedStep[];
  /** Register `completedStepsQuery` on this workflow (default true). */
  registerQuery?: boolean;
}

/** The stable idempotency key of `step` within `scope`: `payment` + `order-42` → `payment-order-42`. */
export function idempotencyKey(step: string, scope: string): string {
  return `${step}-${scope}`;
}

/** Records completed steps of one workflow and runs each step at most once. */
export class IdempotentSteps {
  private readonly results = new Map<string, unknown>();

  constructor(
    readonly scope: string,
    completed: readonly CompletedStep[] = [],
  ) {
    for (const step of completed) this.results.set(step.name, step.result);
  }

  /** The idempotency key for `step` in this workflow's scope. */
  key(step: string): string {
    return idempotencyKey(step, this.scope);
  }

  /** Whether `step` has completed (in this run or a carried-over one). */
  isCompleted(step: string): boolean {
    return this.results.has(step);
  }

  /** Completed step names in completion order. */
  get completedSteps(): string[] {
    return [...this.results.keys()];
  }

  /** Completed steps with their results, to pass to a continued run. */
  snapshot(): CompletedStep[] {
    return [...this.results].map(([name, result]) => ({ name, result }));
  }

  /**
   * Runs `fn` with the step's idempotency key unless `step` already completed, in which case the
   * recorded result is returned without calling `fn`. A step that throws is not recorded, so a
   * later attempt runs it again (with the same key, so the external system can deduplicate).
   */
  async run<T>(step: string, fn: (key: string) => Promise<T>): Promise<T> {
    if (this.results.has(step)) return this.results.get(step) as T;
    const result = await fn(this.key(step));
    this.results.set(step, result);
    return result;
  }
}

/** Creates the step recorder for the current workflow and exposes it through `completedStepsQuery`. */
export function useIdempotentSteps(options: IdempotentStepsOptions): IdempotentSteps {
  const steps = new IdempotentSteps(options.scope, options.completed);
  if (options.registerQuery ?? true) setHandler(completedStepsQuery, () => steps.completedSteps);
  return steps;
}
