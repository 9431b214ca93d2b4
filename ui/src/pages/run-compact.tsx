import type { HistoryState } from '../history/use-history';
export function CompactTab({ history }: { history: HistoryState }) {
  return <p>{history.events.length}</p>;
}
