import { condition, defineSignal, setHandler, workflowInfo } from '@temporalio/workflow';

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
