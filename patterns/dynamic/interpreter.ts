/**
 * Runs a validated dynamic workflow definition inside a workflow. Workflow-safe: activities are
 * called through `proxyActivities` with each step's own timeout and retry settings, so every
 * decision the interpreter makes is recorded in history and replays deterministically.
 *
 * Semantics:
 * - `activity`: calls the named activity with `input` (after replacing `{ "$expr": ... }`); its
 *   result is `results.<id>`.
 * - `parallel`: runs its steps concurrently and waits for all of them to settle; the result is
 *   `{ <childId>: result }`. If a child fails (and does not `continue`), the block fails after the
 *   others have settled, with the first failure in definition order.
 * - `conditional`: evaluates `if` and runs `then` or `else`; the result is `{ branch, condition }`.
 * - `loop`: runs `body` sequentially once per element of `over` (or `times` times) with `item` and
 *   `index` in scope; body results are visible within the iteration, and the loop's result is one
 *   `{ <bodyStepId>: result }` record per iteration.
 * - `onError: 'continue'` records the failure in `failures` and moves on; `stop` (default) fails the
 *   workflow with a non-retryable `DynamicStepFailed` naming the step, the original failure as cause.
 * - `timeout`/`retry` on a block are the defaults for the activities inside it.
 */
import { ApplicationFailure, isCancellation, proxyActivities, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { UntypedActivities } from '@temporalio/common';
import {
  durationToMs,
  expressionRoots,
  formatIssue,
  MAX_LOOP_ITERATIONS,
  validateDefinition,
  type DurationSpec,
  type RetrySpec,
  type Step,
  type ValidationOptions,
} from './definition';
import { evaluateExpression, parseExpression, type ExpressionScope } from './expression';

/** ApplicationFailure types the interpreter throws. */
export const DynamicFailureTypes = {
  /** The definition did not validate; nothing ran. Non-retryable. */
  InvalidDefinition: 'InvalidDefinition',
  /** A step failed and its `onError` was `stop`. Non-retryable; `cause` is the step's failure. */
  StepFailed: 'DynamicStepFailed',
} as const;

/** A step that failed with `onError: 'continue'`. */
export interface DynamicStepFailure {
  stepId: string;
  path: string;
  /** The root cause's ApplicationFailure type (or error name). */
  type: string;
  message: string;
}

export interface DynamicRunResult {
  /** Results by step ID (top level and blocks; loop bodies are inside their loop's result). */
  results: Record<string, unknown>;
  /** Steps that failed but were allowed to continue, in the order they failed. */
  failures: DynamicStepFailure[];
}

export interface InterpreterOptions extends ValidationOptions {
  /** Start-to-close timeout when neither the step, its blocks nor the definition set one. Default 1 minute. */
  defaultTimeout?: DurationSpec;
}

interface Settings {
  timeout: DurationSpec;
  retry: RetrySpec;
}

interface Frame {
  /** Visible results: the run's, plus the current loop iteration's. */
  results: Record<string, unknown>;
  /** `item`/`index` inside a loop body. */
  loop?: { item: unknown; index: number };
  settings: Settings;
}

function rootCause(err: unknown): unknown {
  let current = err;
  for (let i = 0; i < 20 && current instanceof Error && current.cause instanceof Error; i++) current = current.cause;
  return current;
}

function describeFailure(err: unknown): { type: string; message: string } {
  const root = rootCause(err);
  if (root instanceof ApplicationFailure) return { type: root.type ?? 'Error', message: root.message };
  if (root instanceof Error) return { type: root.name, message: root.message };
  return { type: 'Error', message: String(root) };
}

function isStepFailure(err: unknown): err is ApplicationFailure {
  return err instanceof ApplicationFailure && err.type === DynamicFailureTypes.StepFailed;
}

function scopeOf(frame: Frame): ExpressionScope {
  return frame.loop ? { results: frame.results, item: frame.loop.item, index: frame.loop.index } : { results: frame.results };
}

function evaluate(source: string, frame: Frame): unknown {
  return evaluateExpression(parseExpression(source, { roots: expressionRoots(frame.loop !== undefined) }), scopeOf(frame));
}

/** Replaces every `{ "$expr": "..." }` in an activity input by the expression's value. */
function resolveInput(value: unknown, frame: Frame): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveInput(v, frame));
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]?.[0] === '$expr' && typeof entries[0][1] === 'string') return evaluate(entries[0][1], frame);
    return Object.fromEntries(entries.map(([k, v]) => [k, resolveInput(v, frame)]));
  }
  return value;
}

function merge(settings: Settings, step: { timeout?: DurationSpec; retry?: RetrySpec }): Settings {
  return { timeout: step.timeout ?? settings.timeout, retry: { ...settings.retry, ...step.retry } };
}

function activityOptions(settings: Settings): ActivityOptions {
  const retry: RetryPolicy = {};
  if (settings.retry.maximumAttempts !== undefined) retry.maximumAttempts = settings.retry.maximumAttempts;
  if (settings.retry.initialInterval !== undefined) retry.initialInterval = durationToMs(settings.retry.initialInterval);
  return { startToCloseTimeout: durationToMs(settings.timeout), retry };
}

function collectIds(steps: readonly Step[], out: string[] = []): string[] {
  for (const step of steps) {
    out.push(step.id);
    if (step.type === 'parallel') collectIds(step.steps, out);
    else if (step.type === 'conditional') collectIds([...step.then, ...(step.else ?? [])], out);
    // Loop bodies stay inside the loop's own result.
  }
  return out;
}

class Interpreter {
  readonly failures: DynamicStepFailure[] = [];

  async runSteps(steps: readonly Step[], path: string, frame: Frame): Promise<void> {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step) await this.runStep(step, `${path}[${i}]`, frame);
    }
  }

  async runStep(step: Step, path: string, frame: Frame): Promise<void> {
    try {
      frame.results[step.id] = await this.execute(step, path, { ...frame, settings: merge(frame.settings, step) });
    } catch (err) {
      if (isCancellation(err)) throw err;
      if (step.onError === 'continue') {
        this.failures.push({ stepId: step.id, path, ...describeFailure(err) });
        return;
      }
      // Already named by the innermost failing step.
      if (isStepFailure(err)) throw err;
      const { type, message } = describeFailure(err);
      throw ApplicationFailure.create({
        type: DynamicFailureTypes.StepFailed,
        message: `step "${step.id}" (${path}) failed: ${message}`,
        nonRetryable: true,
        details: [{ stepId: step.id, path, causeType: type }],
        cause: err instanceof Error ? err : undefined,
      });
    }
  }

  private async execute(step: Step, path: string, frame: Frame): Promise<unknown> {
    switch (step.type) {
      case 'activity': {
        const activities = proxyActivities<UntypedActivities>(activityOptions(frame.settings));
        const activity = activities[step.activity];
        if (!activity) throw new Error(`activity "${step.activity}" is not available`);
        return step.input === undefined ? await activity() : await activity(resolveInput(step.input, frame));
      }
      case 'parallel': {
        const settled = await Promise.allSettled(step.steps.map((child, i) => this.runStep(child, `${path}.steps[${i}]`, frame)));
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        return Object.fromEntries(
          step.steps.filter((child) => Object.prototype.hasOwnProperty.call(frame.results, child.id)).map((child) => [child.id, frame.results[child.id]]),
        );
      }
      case 'conditional': {
        const condition = Boolean(evaluate(step.if, frame));
        if (condition) await this.runSteps(step.then, `${path}.then`, frame);
        else await this.runSteps(step.else ?? [], `${path}.else`, frame);
        return { branch: condition ? 'then' : 'else', condition };
      }
      case 'loop': {
        let items: readonly unknown[];
        if (step.over !== undefined) {
          const value = evaluate(step.over, frame);
          if (!Array.isArray(value)) {
            throw new Error(`"over" expression ${JSON.stringify(step.over)} yielded ${value === null ? 'null' : typeof value}, not an array`);
          }
          if (value.length > MAX_LOOP_ITERATIONS) throw new Error(`"over" yielded ${value.length} items; the limit is ${MAX_LOOP_ITERATIONS}`);
          items = value;
        } else {
          items = Array.from({ length: step.times ?? 0 }, (_, i) => i);
        }
        const bodyIds = collectIds(step.body);
        const iterations: Record<string, unknown>[] = [];
        for (let index = 0; index < items.length; index++) {
          const iteration: Frame = { results: { ...frame.results }, loop: { item: items[index], index }, settings: frame.settings };
          await this.runSteps(step.body, `${path}.body`, iteration);
          iterations.push(
            Object.fromEntries(bodyIds.filter((id) => Object.prototype.hasOwnProperty.call(iteration.results, id)).map((id) => [id, iteration.results[id]])),
          );
        }
        return iterations;
      }
    }
  }
}

/**
 * Validates `definition` and runs it. Throws a non-retryable ApplicationFailure of type
 * `InvalidDefinition` (message and details name every offending step) before running anything if it
 * is invalid; otherwise returns every step's result and the failures that were allowed to continue.
 * Call from workflow code only.
 */
export async function runDynamicDefinition(definition: unknown, options: InterpreterOptions): Promise<DynamicRunResult> {
  const validated = validateDefinition(definition, options);
  if (!validated.success) {
    throw ApplicationFailure.create({
      type: DynamicFailureTypes.InvalidDefinition,
      message: `invalid workflow definition: ${validated.issues.map(formatIssue).join('; ')}`,
      nonRetryable: true,
      details: validated.issues,
    });
  }
  const { defaults, steps } = validated.definition;
  const interpreter = new Interpreter();
  const results: Record<string, unknown> = {};
  const settings: Settings = { timeout: defaults?.timeout ?? options.defaultTimeout ?? 60_000, retry: { ...defaults?.retry } };
  await interpreter.runSteps(steps, 'steps', { results, settings });
  return { results, failures: interpreter.failures };
}
