import type { HistoryState } from '../history/use-history';

/**
 * "Download history": `{ "events": [...] }` in proto3 JSON without payload shorthand, indented by two spaces — the
 * file `hourglass workflow show -o json` and `temporal workflow show --output json` write, which
 * `historyFromJSON` and `Worker.runReplayHistory` read.
 */
export function historyJson(history: HistoryState): string {
  return `${JSON.stringify({ events: history.events }, null, 2)}\n`;
}

export function DownloadHistory({ workflowId, runId, history }: { workflowId: string; runId: string; history: HistoryState }) {
  const download = (): void => {
    const url = URL.createObjectURL(new Blob([historyJson(history)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${workflowId}_${runId}.json`.replace(/[^\w.-]+/g, '_');
    a.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <button onClick={download} disabled={!history.loaded} data-testid="download-history" title="The JSON that Worker.runReplayHistory reads">
      Download history (JSON)
    </button>
  );
}
