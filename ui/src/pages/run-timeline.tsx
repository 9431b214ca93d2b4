import type { HistoryState } from '../history/use-history';
export function TimelineTab({ history }: { history: HistoryState; closeTime: string | undefined }) {
  return <p>{history.events.length}</p>;
}
