import {
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  type ParentClosePolicy,
  type ParentWorkflowInfo,
  type RootWorkflowInfo,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type * as compositionActivities from '../composition-activities';

// ---------------------------------------------------------------------------------------------------------------
// Parent/child batch: one child per item, in parallel; the parent collects successes and failures.

export interface BatchItem {
  id: string;
  value: number;
}

export interface BatchResult {
  successes: { id: string; doubled: number }[];
  failures: { id: string; error: string }[];
  summary: string;
}

/** Validates one item: negative values fail the child with a non-retryable ValidationError. */
export async function validateItem(item: BatchItem): Promise<{ id: string; doubled: number }> {
  if (item.value < 0) throw ApplicationFailure.nonRetryable('invalid item ' + item.id, 'ValidationError');
  return { id: item.id, doubled: item.value * 2 };
}

/** Starts a `validateItem` child per item (workflow ID `${parentId}-${item.id}`), collects the outcomes, summarises. */
export async function batchParent(items: BatchItem[]): Promise<BatchResult> {
  const { summarizeBatch } = proxyActivities<typeof compositionActivities>({ startToCloseTimeout: '10s' });
  const parentId = workflowInfo().workflowId;
  const outcomes = await Promise.allSettled(items.map((item) => executeChild(validateItem, { workflowId: `${parentId}-${item.id}`, args: [item] })));
  const successes: BatchResult['successes'] = [];
  const failures: BatchResult['failures'] = [];
  outcomes.forEach((outcome, i) => {
    const id = items[i]!.id;
    if (outcome.status === 'fulfilled') {
      successes.push(outcome.value);
    } else {
      const err: unknown = outcome.reason;
      const cause = err instanceof ChildWorkflowFailure && err.cause ? err.cause : err;
      failures.push({ id, error: cause instanceof Error ? cause.message : String(cause) });
    }
  });
  const summary = await summarizeBatch(
    successes.length,
    failures.map((f) => f.id),
  );
  return { successes, failures, summary };
}

// ---------------------------------------------------------------------------------------------------------------
// Children that outlive (or not) their parent.

/** Waits forever; a cancellation request makes it throw CancelledFailure, closing it as CANCELLED. */
export async function waitForever(): Promise<never> {
  await condition(() => false);
  throw new Error('unreachable');
}

/** Starts a `waitForever` child with the given parent close policy, waits for it to start, then completes. */
export async function parentWithPolicy(childId: string, policy: ParentClosePolicy): Promise<string> {
  const child = await startChild(waitForever, { workflowId: childId, parentClosePolicy: policy });
  return child.firstExecutionRunId;
}

export type DuplicateChildOutcome = { started: true } | { started: false; error: string; isAlreadyStarted: boolean; workflowId: string; workflowType: string };

/** Tries to start a child whose workflow ID may already be in use and reports what happened. */
export async function startDuplicateChild(childId: string): Promise<DuplicateChildOutcome> {
  try {
    await startChild(waitForever, { workflowId: childId });
    return { started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return { started: false, error: err.name, isAlreadyStarted: true, workflowId: err.workflowId, workflowType: err.workflowType };
    }
    return {
      started: false,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      isAlreadyStarted: false,
      workflowId: '',
      workflowType: '',
    };
  }
}

/** A child that reports what it knows about its parent. */
export async function childReportingParent(value: string): Promise<{ value: string; parent?: ParentWorkflowInfo }> {
  return { value, parent: workflowInfo().parent };
}

/** Runs `childReportingParent` as a child with the given ID and returns its result. */
export async function parentOfReporter(childId: string): Promise<{ value: string; parent?: ParentWorkflowInfo }> {
  return executeChild(childReportingParent, { workflowId: childId, args: ['from parent'] });
}

// ---------------------------------------------------------------------------------------------------------------
// External signals and cancellation.

export const pingSignal = defineSignal<[string]>('ping');

/** Waits for one `ping` signal and returns its payload. */
export async function waitForPing(): Promise<string> {
  let received: string | undefined;
  setHandler(pingSignal, (value) => void (received = value));
  await condition(() => received !== undefined);
  return received!;
}

export type ExternalOutcome = { ok: true } | { ok: false; name: string; message: string };

function describeError(err: unknown): ExternalOutcome {
  return { ok: false, name: err instanceof Error ? err.name : typeof err, message: err instanceof Error ? err.message : String(err) };
}

/** Signals `ping(value)` to another workflow by ID. */
export async function signalExternal(targetId: string, value: string): Promise<ExternalOutcome> {
  try {
    await getExternalWorkflowHandle(targetId).signal(pingSignal, value);
    return { ok: true };
  } catch (err) {
    return describeError(err);
  }
}

/** Requests cancellation of another workflow by ID. */
export async function cancelExternal(targetId: string): Promise<ExternalOutcome> {
  try {
    await getExternalWorkflowHandle(targetId).cancel();
    return { ok: true };
  } catch (err) {
    return describeError(err);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Continue-as-new and workflow retries.

export interface ChainLink {
  n: number;
  runId: string;
  firstExecutionRunId: string;
  continuedFromExecutionRunId?: string;
}

/** Continues as new with `n + 1` until `n` reaches `max`; the last run returns what it knows about itself. */
export async function countUpAsNew(n: number, max: number): Promise<ChainLink> {
  if (n < max) await continueAsNew<typeof countUpAsNew>(n + 1, max);
  const info = workflowInfo();
  return { n, runId: info.runId, firstExecutionRunId: info.firstExecutionRunId, continuedFromExecutionRunId: info.continuedFromExecutionRunId };
}

/** Fails (retryably) on every attempt before `succeedOnAttempt`; returns the attempt number that succeeded. */
export async function failUntilAttempt(succeedOnAttempt: number): Promise<number> {
  const { attempt } = workflowInfo();
  if (attempt < succeedOnAttempt) throw ApplicationFailure.create({ message: `failing on attempt ${attempt}`, type: 'NotYet' });
  return attempt;
}

// ---------------------------------------------------------------------------------------------------------------
// Search attributes.

export const customIntField = defineSearchAttributeKey('CustomIntField', SearchAttributeType.INT);

/** Upserts CustomIntField = `value`, then completes. */
export async function upsertIntAttribute(value: number): Promise<number> {
  upsertSearchAttributes([{ key: customIntField, value }]);
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Root executions: what each level of a tree of children sees as its root.

export interface RootReport {
  workflowId: string;
  runId: string;
  root?: RootWorkflowInfo;
}

/**
 * Reports its root and runs one child a level deeper, down to `depth` 2. The child (depth 1)
 * continues as new once first, so its second run must still know the root.
 */
export async function rootReporter(depth: number, continued: boolean): Promise<RootReport[]> {
  const info = workflowInfo();
  if (depth === 1 && !continued) await continueAsNew<typeof rootReporter>(depth, true);
  const mine: RootReport = { workflowId: info.workflowId, runId: info.runId, root: info.root };
  if (depth === 2) return [mine];
  const below = await executeChild(rootReporter, { workflowId: `${info.workflowId}-${depth + 1}`, args: [depth + 1, false] });
  return [mine, ...below];
}
