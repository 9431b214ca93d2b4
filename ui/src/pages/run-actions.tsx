import type { HistoryEvent } from '../types';
import type { RunRoute } from './run';
export function ActionsTab({ route }: { route: RunRoute; running: boolean; events: HistoryEvent[]; onChanged: () => void }) {
  return <p>{route.runId}</p>;
}
