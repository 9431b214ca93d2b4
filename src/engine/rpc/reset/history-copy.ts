import type { history } from '../../../common/proto';
import type { MutableState } from '../../../store/records';
import type { ExecutionStore } from '../../../store/store';
import type { HistoryStore } from '../../history-reader';
import { decodeEvent, type RunMutator } from '../../state/mutator';

/** What reading a reset's history needs from the store. */
export type ResetStore = HistoryStore & Pick<ExecutionStore, 'getCurrentExecution' | 'getMutableState'>;

export interface EncodedEvent {
  eventId: number;
  data: Uint8Array;
}

/** The base run's events 1..finishEventId-1, encoded as stored: the new run's history begins as a copy of them. */
export async function readHistoryBeforeResetPoint(store: HistoryStore, baseRunId: string, finishEventId: number): Promise<EncodedEvent[]> {
  const rows = await store.readHistory(baseRunId, 1, finishEventId, finishEventId);
  return rows.map((data, i) => ({ eventId: i + 1, data }));
}

/**
 * The events a reset may reapply, as Temporal's reapplyContinueAsNewWorkflowEvents reads them:
 * the base run's from the reset point on, then the whole history of each run it continued as new
 * into, as far as the chain survives. The current run's termination by this reset (which writes
 * the signals it had buffered) is in `terminated`, not yet in the store.
 */
export async function readEventsAfterResetPoint(
  store: ResetStore,
  base: MutableState,
  finishEventId: number,
  terminated: RunMutator | undefined,
): Promise<history.HistoryEvent[]> {
  const all: history.HistoryEvent[] = [];
  let run: MutableState | undefined = base;
  let from = finishEventId;
  while (run) {
    const rows = await store.readHistory(run.runId, from, run.nextEventId, Math.max(run.nextEventId - from, 1));
    const events = rows.map(decodeEvent);
    all.push(...events);
    if (terminated && terminated.ms.runId === run.runId) all.push(...terminated.events);
    const newRunId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    run = newRunId ? await store.getMutableState(run.namespaceId, run.workflowId, newRunId) : undefined;
    from = 1;
  }
  return all;
}
