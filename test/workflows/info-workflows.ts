import { condition, defineSignal, executeChild, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';

export interface HistoryInfo {
  historyLength: number;
  historySize: number;
  continueAsNewSuggested: boolean;
  currentBuildId: string | null;
}

export const tickSignal = defineSignal('tick');

/** Waits for `ticks` signals, then reports what `workflowInfo()` says of its history in that last task. */
export async function historyInfoAfterSignals(ticks: number): Promise<HistoryInfo> {
  let received = 0;
  setHandler(tickSignal, () => void received++);
  await condition(() => received >= ticks);
  const info = workflowInfo();
  return {
    historyLength: info.historyLength,
    historySize: info.historySize,
    continueAsNewSuggested: info.continueAsNewSuggested,
    currentBuildId: info.currentBuildId ?? null,
  };
}

const { echo } = proxyActivities<typeof activities>({ startToCloseTimeout: '5s', summary: 'echo summary' });

/** An activity, a timer and a child, each with a summary. */
export async function commandsWithSummaries(): Promise<string> {
  await sleep(1, { summary: 'timer summary' });
  await echo('x');
  return executeChild(childWithSummary, { args: ['child'], staticSummary: 'child summary', staticDetails: 'child details' });
}

export async function childWithSummary(value: string): Promise<string> {
  return value;
}
