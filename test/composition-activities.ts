/**
 * Activities for the composition specs (children, continue-as-new, visibility). They run in the test process,
 * so tests can observe them through the module-level maps exported here.
 */
import { Context } from '@temporalio/activity';

export interface BatchSummaryCall {
  successes: number;
  failures: string[];
}

/** Calls of `summarizeBatch`, per calling workflow ID. */
export const batchSummaries = new Map<string, BatchSummaryCall[]>();

/** Records the outcome of a batch under the calling (parent) workflow ID and returns a one-line summary. */
export async function summarizeBatch(successes: number, failedIds: string[]): Promise<string> {
  const key = Context.current().info.workflowExecution?.workflowId ?? 'no-workflow';
  const calls = batchSummaries.get(key) ?? [];
  calls.push({ successes, failures: failedIds });
  batchSummaries.set(key, calls);
  return `${successes} succeeded, ${failedIds.length} failed`;
}
