/**
 * Batch processing with one child workflow per item.
 *
 * Why children rather than activities: each item gets its own history (no single history grows with
 * the batch), its own ID — `<parentId>-<itemId>`, so an item's run is easy to find and a re-run of
 * the parent cannot start the same item twice — and its own execution timeout, so one stuck item
 * cannot hold the batch hostage. A failing item is recorded, not fatal: the parent collects
 * results and failures and reports both.
 *
 * Workflow-safe: `@temporalio/workflow` only.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  executeChild,
  isCancellation,
  ParentClosePolicy,
  TimeoutFailure,
  workflowInfo,
  type Workflow,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';

export interface ChildBatchOptions<Item, W extends Workflow> {
  /** The child workflow (function or type name) run once per item. */
  workflow: W | string;
  items: readonly Item[];
  /** A stable, unique ID per item; the child's workflow ID is `<parentId>-<itemId>`. */
  itemId: (item: Item) => string;
  /** The child's arguments for an item. Default: `[item]`. */
  args?: (item: Item) => Parameters<W>;
  /** Each child's `workflowExecutionTimeout` (ms or an ms-format string): the most one item may take, retries included. */
  workflowExecutionTimeout: Duration;
  /** Children running at once. Default 10. */
  maxConcurrent?: number;
  /** Task queue of the children. Default: the parent's. */
  taskQueue?: string;
}

export interface ChildBatchSuccess<R> {
  itemId: string;
  result: R;
}

export interface ChildBatchFailure {
  itemId: string;
  /** The underlying cause's type: an ApplicationFailure type, or `Timeout` / `Cancelled` / `Unknown`. */
  type: string;
  /** The underlying cause's message (not the generic "Child Workflow execution failed"). */
  message: string;
}

export interface ChildBatchResult<R> {
  /** Successful items, in input order. */
  results: ChildBatchSuccess<R>[];
  /** Failed items, in input order. */
  failures: ChildBatchFailure[];
}

/** The child workflow ID for an item of the current (parent) workflow. */
export function childWorkflowId(itemId: string): string {
  return `${workflowInfo().workflowId}-${itemId}`;
}

/**
 * Unwraps a child's failure to what actually went wrong: `ChildWorkflowFailure` → (its activity's
 * `ActivityFailure` →) the ApplicationFailure or timeout underneath.
 */
export function childFailureReason(err: unknown): { type: string; message: string } {
  let current: unknown = err;
  for (let depth = 0; depth < 20 && (current instanceof ChildWorkflowFailure || current instanceof ActivityFailure) && current.cause; depth++) {
    current = current.cause;
  }
  if (current instanceof ApplicationFailure) return { type: current.type ?? 'Unknown', message: current.message };
  if (current instanceof TimeoutFailure) return { type: 'Timeout', message: 'timed out' };
  if (isCancellation(current)) return { type: 'Cancelled', message: current instanceof Error ? current.message : 'cancelled' };
  return { type: 'Unknown', message: current instanceof Error ? current.message : String(current) };
}

/**
 * Runs one child per item (at most `maxConcurrent` at a time), waits for all of them, and returns
 * results and failures in input order. Item failures do not fail the batch; cancelling the parent
 * does (it is rethrown). Call from workflow code only.
 */
export async function runChildBatch<Item, W extends Workflow>(options: ChildBatchOptions<Item, W>): Promise<ChildBatchResult<Awaited<ReturnType<W>>>> {
  type R = Awaited<ReturnType<W>>;
  const ids = options.items.map(options.itemId);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) {
    throw ApplicationFailure.create({ type: 'DuplicateItemId', message: `item id "${duplicate}" appears more than once`, nonRetryable: true });
  }
  const outcomes: ({ ok: true; result: R } | { ok: false; failure: ChildBatchFailure } | undefined)[] = options.items.map(() => undefined);
  const workflowType = typeof options.workflow === 'string' ? options.workflow : options.workflow.name;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < options.items.length) {
      const index = next++;
      const item = options.items[index] as Item;
      const itemId = ids[index] as string;
      try {
        const result = (await executeChild<Workflow>(workflowType, {
          workflowId: childWorkflowId(itemId),
          args: options.args ? options.args(item) : [item],
          workflowExecutionTimeout: options.workflowExecutionTimeout,
          parentClosePolicy: ParentClosePolicy.TERMINATE,
          ...(options.taskQueue === undefined ? {} : { taskQueue: options.taskQueue }),
        })) as R;
        outcomes[index] = { ok: true, result };
      } catch (err) {
        // The parent itself being cancelled is not an item failure.
        if (CancellationScope.current().consideredCancelled) throw err;
        outcomes[index] = { ok: false, failure: { itemId, ...childFailureReason(err) } };
      }
    }
  };
  const lanes = Math.max(1, Math.min(options.maxConcurrent ?? 10, options.items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  const results: ChildBatchSuccess<R>[] = [];
  const failures: ChildBatchFailure[] = [];
  outcomes.forEach((outcome, index) => {
    const itemId = ids[index] as string;
    if (!outcome) return;
    if (outcome.ok) results.push({ itemId, result: outcome.result });
    else failures.push(outcome.failure);
  });
  return { results, failures };
}
