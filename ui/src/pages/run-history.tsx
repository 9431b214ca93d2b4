import { EventTable } from '../history/event-table';
import type { HistoryState } from '../history/use-history';
import { DownloadHistory } from './run-download';
import type { RunRoute } from './run';

export function HistoryTab({ route, history }: { route: RunRoute; history: HistoryState }) {
  return (
    <div>
      <div class="row">
        <span class="muted" data-testid="event-count">
          {history.events.length} events{history.loaded ? '' : ' (loading…)'}
        </span>
        <DownloadHistory workflowId={route.workflowId} runId={route.runId} history={history} />
      </div>
      <EventTable events={history.events} />
    </div>
  );
}
