/**
 * The JSON format of a dynamic (definition-driven) workflow, and its validation.
 *
 * Why validate up front: a definition is data written by someone else (a UI, a rules table). If a
 * typo in step 7 only surfaced after steps 1–6 charged a card, the run would have to be compensated
 * by hand. {@link validateDefinition} checks the shape (zod), that every activity is registered,
 * that step IDs are unique and that every expression parses and only reads steps that exist —
 * before anything runs — and names the offending step in every message, e.g.
 * `step "charge" (steps[2]): unknown step type "foo"`.
 *
 * Workflow-safe: zod and plain data only.
 */
import { z } from 'zod';
import { ExpressionSyntaxError, parseExpression, referencedStepIds } from './expression';

/** A duration: milliseconds, or a string such as `"500ms"`, `"30s"`, `"5m"`, `"1h"`, `"2d"`. */
export type DurationSpec = number | string;

/** Retry settings of an activity step (and defaults for the activities nested in a block). */
export interface RetrySpec {
  maximumAttempts?: number;
  initialInterval?: DurationSpec;
}

/** What happens when a step fails: `stop` (default) fails the run; `continue` records the failure and goes on. */
export type OnError = 'stop' | 'continue';

/** Settings every step accepts. On blocks (parallel/conditional/loop) `timeout`/`retry` are defaults for the activities inside. */
export interface StepCommon {
  /** Unique within the definition; results are read as `results.<id>`. */
  id: string;
  /** Start-to-close timeout of each activity attempt. */
  timeout?: DurationSpec;
  retry?: RetrySpec;
  onError?: OnError;
}

export interface ActivityStep extends StepCommon {
  type: 'activity';
  /** Name of a registered activity. */
  activity: string;
  /** The activity's single argument; any `{ "$expr": "..." }` inside is replaced by the expression's value. */
  input?: unknown;
}

export interface ParallelStep extends StepCommon {
  type: 'parallel';
  steps: Step[];
}

export interface ConditionalStep extends StepCommon {
  type: 'conditional';
  if: string;
  then: Step[];
  else?: Step[];
}

export interface LoopStep extends StepCommon {
  type: 'loop';
  /** An expression yielding an array; the body runs once per element (`item`, `index`). */
  over?: string;
  /** Or a fixed number of iterations (`index` only). Exactly one of `over`/`times`. */
  times?: number;
  body: Step[];
}

export type Step = ActivityStep | ParallelStep | ConditionalStep | LoopStep;
export type StepType = Step['type'];
export const STEP_TYPES: readonly StepType[] = ['activity', 'parallel', 'conditional', 'loop'];

export interface WorkflowDefinition {
  name?: string;
  /** Timeout/retry defaults for every activity step. */
  defaults?: { timeout?: DurationSpec; retry?: RetrySpec };
  steps: Step[];
}

/** Loops may not run forever: a hard cap on iterations, checked for `times` here and for `over` when run. */
export const MAX_LOOP_ITERATIONS = 1000;
const STEP_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION = /^\d+(\.\d+)?\s*(ms|s|m|h|d)$/;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a validated {@link DurationSpec} (`"30s"` → 30000; numbers are already milliseconds). */
export function durationToMs(spec: DurationSpec): number {
  if (typeof spec === 'number') return spec;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(spec);
  if (!match?.[1] || !match[2]) throw new Error(`invalid duration ${JSON.stringify(spec)}`);
  return Math.round(Number(match[1]) * (UNIT_MS[match[2]] ?? 1));
}

const durationSchema = z.union([z.number().int().positive(), z.string().regex(DURATION, 'expected a duration such as "500ms", "30s", "5m"')]);
const retrySchema = z.strictObject({ maximumAttempts: z.number().int().min(1).optional(), initialInterval: durationSchema.optional() });
const commonShape = {
  id: z.string().regex(STEP_ID, 'step id must be an identifier (letters, digits, _)'),
  timeout: durationSchema.optional(),
  retry: retrySchema.optional(),
  onError: z.enum(['stop', 'continue']).optional(),
};
const stepsSchema = (): z.ZodType<Step[]> => z.array(stepSchema);

const activityStepSchema = z.strictObject({ ...commonShape, type: z.literal('activity'), activity: z.string().min(1), input: z.unknown().optional() });
const parallelStepSchema = z.strictObject({
  ...commonShape,
  type: z.literal('parallel'),
  get steps() {
    return stepsSchema();
  },
});
const conditionalStepSchema = z.strictObject({
  ...commonShape,
  type: z.literal('conditional'),
  if: z.string(),
  get then() {
    return stepsSchema();
  },
  get else() {
    return stepsSchema().optional();
  },
});
const loopStepSchema = z.strictObject({
  ...commonShape,
  type: z.literal('loop'),
  over: z.string().optional(),
  times: z.number().int().min(0).max(MAX_LOOP_ITERATIONS).optional(),
  get body() {
    return stepsSchema();
  },
});
const stepSchema: z.ZodType<Step> = z.discriminatedUnion('type', [activityStepSchema, parallelStepSchema, conditionalStepSchema, loopStepSchema]);

/** The zod schema of a definition's shape (semantic checks are in {@link validateDefinition}). */
export const workflowDefinitionSchema: z.ZodType<WorkflowDefinition> = z.strictObject({
  name: z.string().optional(),
  defaults: z.strictObject({ timeout: durationSchema.optional(), retry: retrySchema.optional() }).optional(),
  steps: z.array(stepSchema).min(1, 'a definition needs at least one step'),
});

/** One problem with a definition, located at a step (`path` like `steps[2].then[0]`). */
export interface DefinitionIssue {
  /** Where the step is, e.g. `steps[2].then[0]`; `definition` for problems outside any step. */
  path: string;
  /** The step's id, when it has a usable one. */
  stepId?: string;
  message: string;
}

export interface ValidationOptions {
  /** Names of the activities the worker registers; an activity step naming anything else is rejected. */
  activities: readonly string[];
}

export type ValidationResult = { success: true; definition: WorkflowDefinition } | { success: false; issues: DefinitionIssue[] };

/** `step "charge" (steps[2]): unknown activity "chargeCard"` */
export function formatIssue(issue: DefinitionIssue): string {
  if (issue.path === 'definition') return `definition: ${issue.message}`;
  const where = issue.stepId !== undefined ? `step "${issue.stepId}" (${issue.path})` : `step at ${issue.path}`;
  return `${where}: ${issue.message}`;
}

/** Thrown by {@link assertValidDefinition}; `issues` holds every problem found, the message lists them. */
export class InvalidDefinitionError extends Error {
  override readonly name = 'InvalidDefinitionError';
  constructor(readonly issues: readonly DefinitionIssue[]) {
    super(`invalid workflow definition: ${issues.map(formatIssue).join('; ')}`);
  }
}

const CHILD_LISTS = new Set(['steps', 'then', 'else', 'body']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stepIdOf(raw: unknown): string | undefined {
  return isRecord(raw) && typeof raw.id === 'string' && raw.id !== '' ? raw.id : undefined;
}

/** Turns a zod issue into a DefinitionIssue anchored at the innermost step on its path. */
function fromZodIssue(issue: z.core.$ZodIssue, input: unknown): DefinitionIssue {
  let value: unknown = input;
  let stepPath: string | undefined;
  let stepValue: unknown;
  let fieldPath: PropertyKey[] = [];
  let pathText = '';
  const segments = issue.path;
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i];
    const next = segments[i + 1];
    if (typeof key === 'string' && CHILD_LISTS.has(key) && typeof next === 'number') {
      pathText += `${pathText === '' ? '' : '.'}${key}[${next}]`;
      value = isRecord(value) && Array.isArray(value[key]) ? (value[key] as unknown[])[next] : undefined;
      stepPath = pathText;
      stepValue = value;
      fieldPath = [];
      i++;
      continue;
    }
    fieldPath.push(key as PropertyKey);
    value = isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
  }
  const field = fieldPath.map(String).join('.');
  let message: string;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'type') {
    const expected = STEP_TYPES.join(', ');
    message =
      value === undefined ? `missing step type (expected one of: ${expected})` : `unknown step type ${JSON.stringify(value)} (expected one of: ${expected})`;
  } else if (issue.code === 'invalid_type' && value === undefined) {
    message = field === '' ? 'missing step' : `missing required field "${field}"`;
  } else if (issue.code === 'unrecognized_keys') {
    message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${field === '' ? '' : ` in "${field}"`}`;
  } else {
    message = field === '' ? issue.message : `"${field}": ${issue.message}`;
  }
  if (stepPath === undefined) return { path: 'definition', message: field === '' ? message : message.startsWith('"') ? message : `"${field}": ${message}` };
  const stepId = stepIdOf(stepValue);
  return stepId === undefined ? { path: stepPath, message } : { path: stepPath, stepId, message };
}

interface StepEntry {
  step: Step;
  path: string;
  /** IDs of the loops this step is nested in, outermost first. */
  loops: readonly string[];
}

function collectSteps(steps: readonly Step[], prefix: string, loops: readonly string[], out: StepEntry[]): void {
  steps.forEach((step, index) => {
    const path = `${prefix}[${index}]`;
    out.push({ step, path, loops });
    switch (step.type) {
      case 'parallel':
        collectSteps(step.steps, `${path}.steps`, loops, out);
        break;
      case 'conditional':
        collectSteps(step.then, `${path}.then`, loops, out);
        collectSteps(step.else ?? [], `${path}.else`, loops, out);
        break;
      case 'loop':
        collectSteps(step.body, `${path}.body`, [...loops, step.id], out);
        break;
      case 'activity':
        break;
    }
  });
}

/** Every `{ "$expr": "..." }` inside an activity input, with where it is. */
function inputExpressions(value: unknown, where: string, out: { source: string; where: string }[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => inputExpressions(v, `${where}[${i}]`, out));
  } else if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$expr') {
      out.push({ source: typeof value.$expr === 'string' ? value.$expr : '', where });
      return;
    }
    for (const key of keys) inputExpressions(value[key], `${where}.${key}`, out);
  }
}

/** The roots an expression may use at a step: `results`, plus `item` and `index` inside a loop body. */
export function expressionRoots(insideLoop: boolean): string[] {
  return insideLoop ? ['results', 'item', 'index'] : ['results'];
}

function semanticIssues(definition: WorkflowDefinition, options: ValidationOptions): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const entries: StepEntry[] = [];
  collectSteps(definition.steps, 'steps', [], entries);
  const byId = new Map<string, StepEntry>();
  for (const entry of entries) {
    const first = byId.get(entry.step.id);
    if (first) issues.push({ path: entry.path, stepId: entry.step.id, message: `duplicate step id "${entry.step.id}" (already used by ${first.path})` });
    else byId.set(entry.step.id, entry);
  }
  const registered = new Set(options.activities);
  for (const entry of entries) {
    const { step, path } = entry;
    const issue = (message: string): void => void issues.push({ path, stepId: step.id, message });
    const checkExpression = (source: string, what: string): void => {
      try {
        const expression = parseExpression(source, { roots: expressionRoots(entry.loops.length > 0) });
        for (const id of referencedStepIds(expression)) {
          const target = byId.get(id);
          if (!target) {
            issue(`${what} refers to unknown step "${id}"`);
          } else {
            // A step inside a loop body is visible only within that body; outside it, read the loop's result.
            const outermostHidden = target.loops.find((loop, i) => entry.loops[i] !== loop);
            if (outermostHidden !== undefined) {
              issue(`${what} refers to step "${id}" inside loop "${outermostHidden}"; read results.${outermostHidden} instead`);
            }
          }
        }
      } catch (err) {
        if (!(err instanceof ExpressionSyntaxError)) throw err;
        issue(`invalid ${what}: ${err.reason} at position ${err.position}`);
      }
    };
    switch (step.type) {
      case 'activity': {
        if (!registered.has(step.activity)) {
          issue(`unknown activity "${step.activity}" (registered: ${[...registered].join(', ') || 'none'})`);
        }
        const expressions: { source: string; where: string }[] = [];
        inputExpressions(step.input, 'input', expressions);
        for (const { source, where } of expressions) checkExpression(source, `"${where}" expression`);
        break;
      }
      case 'conditional':
        checkExpression(step.if, '"if" expression');
        break;
      case 'loop':
        if ((step.over === undefined) === (step.times === undefined)) issue('a loop needs exactly one of "over" or "times"');
        if (step.over !== undefined) checkExpression(step.over, '"over" expression');
        break;
      case 'parallel':
        if (step.steps.length === 0) issue('a parallel step needs at least one step');
        break;
    }
  }
  return issues;
}

/**
 * Checks a definition completely before it runs: shape (zod), registered activity names, unique
 * step IDs, loop settings, and every expression (syntax, names, references to existing steps).
 * Returns every issue found, each naming its step; see {@link formatIssue}.
 */
export function validateDefinition(input: unknown, options: ValidationOptions): ValidationResult {
  const parsed = workflowDefinitionSchema.safeParse(input);
  if (!parsed.success) return { success: false, issues: parsed.error.issues.map((issue) => fromZodIssue(issue, input)) };
  const issues = semanticIssues(parsed.data, options);
  return issues.length === 0 ? { success: true, definition: parsed.data } : { success: false, issues };
}

/** {@link validateDefinition}, throwing {@link InvalidDefinitionError} instead of returning issues. */
export function assertValidDefinition(input: unknown, options: ValidationOptions): WorkflowDefinition {
  const result = validateDefinition(input, options);
  if (!result.success) throw new InvalidDefinitionError(result.issues);
  return result.definition;
}
