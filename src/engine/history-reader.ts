import type { history } from '../common/proto';
import type { MutableState } from '../store/records';
import type { ExecutionStore } from '../store/store';
import { decodeEvent } from './state/mutator';

/** The history reads the engine's modules share; only these two store calls are needed for them. */
export type HistoryStore = Pick<ExecutionStore, 'readHistory' | 'readHistoryReverse'>;

/** One event of a run's history, decoded, or undefined if the run has no such event. */
export async function readEvent(store: HistoryStore, runId: string, eventId: number): Promise<history.HistoryEvent | undefined> {
  const [row] = await store.readHistory(runId, eventId, eventId + 1, 1);
  return row ? decodeEvent(row) : undefined;
}

/** The attributes of a run's WorkflowExecutionStarted event (always event 1). */
export async function readStartedAttributes(store: HistoryStore, runId: string): Promise<history.IWorkflowExecutionStartedEventAttributes | undefined> {
  return (await readEvent(store, runId, 1))?.workflowExecutionStartedEventAttributes ?? undefined;
}

/** The last event written, which for a closed run is its close event. */
export async function readLastEvent(store: HistoryStore, ms: MutableState): Promise<history.HistoryEvent | undefined> {
  const [row] = await store.readHistoryReverse(ms.runId, ms.nextEventId - 1, 1);
  return row ? decodeEvent(row) : undefined;
}
