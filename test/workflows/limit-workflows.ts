import { condition, getExternalWorkflowHandle, proxyActivities, startChild, upsertSearchAttributes } from '@temporalio/workflow';
import { waitForever } from './composition-workflows';

/** Schedules `count` activities in one workflow task (they never run: the specs look at the completion's fate). */
export async function scheduleActivitiesAtOnce(count: number, activityId?: string): Promise<void> {
  const { neverCalled } = proxyActivities<{ neverCalled(): Promise<void> }>({ startToCloseTimeout: '1m', activityId });
  await Promise.all(Array.from({ length: count }, () => neverCalled()));
}

/** Starts `count` children (each waiting forever) in one workflow task. */
export async function startChildrenAtOnce(count: number, workflowIdPrefix: string): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => startChild(waitForever, { workflowId: `${workflowIdPrefix}-${i}` })));
  await condition(() => false);
}

/** Signals (or asks to cancel) another workflow `count` times in one workflow task. */
export async function requestExternalAtOnce(count: number, kind: 'signal' | 'cancel', targetWorkflowId: string): Promise<void> {
  const target = getExternalWorkflowHandle(targetWorkflowId);
  await Promise.all(Array.from({ length: count }, () => (kind === 'signal' ? target.signal('poke') : target.cancel())));
}

/** Upserts CustomKeywordField with the given value, then waits. */
export async function upsertKeyword(value: string): Promise<void> {
  upsertSearchAttributes({ CustomKeywordField: [value] });
  await condition(() => false);
}

/** Completes with a result of `bytes` bytes. */
export async function resultOfSize(bytes: number): Promise<string> {
  return Promise.resolve('x'.repeat(bytes));
}
