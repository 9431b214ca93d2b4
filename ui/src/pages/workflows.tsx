import { useEffect, useState } from 'preact/hooks';
import { countWorkflows, listWorkflows, type CountResponse } from '../api';
import { ErrorBox } from '../components/error-box';
import { Link } from '../components/link';
import { QueryError } from '../components/query-error';
import { StatusBadge } from '../components/status';
import { between, formatTime } from '../format';
import { useLoad } from '../hooks';
import { payloadText } from '../payloads';
import { href, navigate } from '../router';
import type { WorkflowExecutionInfo } from '../types';

const statuses = ['Running', 'Completed', 'Failed', 'Canceled', 'Terminated', 'ContinuedAsNew', 'TimedOut'];
const refreshMs = 3000;

/** The list filter with the status tab's condition added, as the Temporal UI combines them. */
function effectiveQuery(query: string, status: string): string {
  if (!status) return query;
  const byStatus = `ExecutionStatus = '${status}'`;
  return query.trim() ? `(${query}) AND ${byStatus}` : byStatus;
}

function countsByStatus(response: CountResponse | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (const group of response?.groups ?? []) counts.set(payloadText(group.groupValues?.[0]), Number(group.count ?? 0));
  return counts;
}

export function WorkflowsPage({ ns, query, status }: { ns: string; query: string; status: string }) {
  const [draft, setDraft] = useState(query);
  const [pages, setPages] = useState<string[]>(['']); // page tokens, so Previous goes back
  const [autoRefresh, setAutoRefresh] = useState(false);
  useEffect(() => {
    setDraft(query);
    setPages(['']);
  }, [ns, query, status]);
  const token = pages[pages.length - 1] ?? '';
  const poll = autoRefresh ? refreshMs : undefined;
  const list = useLoad(() => listWorkflows(ns, effectiveQuery(query, status), token), [ns, query, status, token], poll);
  // Counts are for the filter alone, so every tab shows its number whatever tab is open.
  const counts = useLoad(() => countWorkflows(ns, query.trim() ? `${query} GROUP BY ExecutionStatus` : 'GROUP BY ExecutionStatus'), [ns, query], poll);
  const byStatus = countsByStatus(counts.data);
  const go = (next: { query?: string; status?: string }): void =>
    navigate(href({ page: 'workflows', ns, query: next.query ?? query, status: next.status ?? status }));
  const rows = list.data?.executions ?? [];
  return (
    <section>
      <div class="tabs" role="tablist">
        <button class={status === '' ? 'tab active' : 'tab'} onClick={() => go({ status: '' })} data-testid="status-tab-all">
          All <span class="count">{counts.data?.count ?? ''}</span>
        </button>
        {statuses.map((s) => (
          <button key={s} class={status === s ? 'tab active' : 'tab'} onClick={() => go({ status: s })} data-testid={`status-tab-${s}`}>
            {s} <span class="count">{byStatus.get(s) ?? 0}</span>
          </button>
        ))}
      </div>
      <form
        class="filter"
        onSubmit={(e) => {
          e.preventDefault();
          go({ query: draft });
        }}
      >
        <input
          data-testid="list-filter"
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
          placeholder="List filter, e.g. WorkflowType = 'order' AND StartTime > '2025-01-01T00:00:00Z'"
          spellcheck={false}
        />
        <button type="submit">Apply</button>
        {query && (
          <button type="button" onClick={() => go({ query: '' })}>
            Clear
          </button>
        )}
        <label class="toggle">
          <input type="checkbox" checked={autoRefresh} onChange={(e) => setAutoRefresh(e.currentTarget.checked)} data-testid="auto-refresh" /> auto-refresh
        </label>
      </form>
      {list.error ? <QueryError error={list.error} query={effectiveQuery(query, status)} /> : null}
      <table class="grid" data-testid="workflow-table">
        <thead>
          <tr>
            <th>Status</th>
            <th>Workflow ID</th>
            <th>Run ID</th>
            <th>Type</th>
            <th>Task queue</th>
            <th>Start</th>
            <th>Close</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((w) => (
            <WorkflowRow key={`${w.execution?.workflowId}/${w.execution?.runId}`} ns={ns} info={w} />
          ))}
        </tbody>
      </table>
      {!list.loading && !list.error && rows.length === 0 && <p class="muted">No workflows match.</p>}
      <div class="pager">
        <button disabled={pages.length < 2} onClick={() => setPages(pages.slice(0, -1))}>
          ← Previous
        </button>
        <span class="muted">page {pages.length}</span>
        <button disabled={!list.data?.nextPageToken} onClick={() => setPages([...pages, list.data?.nextPageToken ?? ''])} data-testid="next-page">
          Next →
        </button>
      </div>
      <ErrorBox error={counts.error && !list.error ? counts.error : undefined} />
    </section>
  );
}

function WorkflowRow({ ns, info }: { ns: string; info: WorkflowExecutionInfo }) {
  const workflowId = info.execution?.workflowId ?? '';
  const runId = info.execution?.runId ?? '';
  const to = href({ page: 'run', ns, workflowId, runId, tab: 'summary' });
  return (
    <tr data-testid="workflow-row">
      <td>
        <StatusBadge status={info.status} />
      </td>
      <td>
        <Link href={to}>{workflowId}</Link>
      </td>
      <td class="mono">
        <Link href={to}>{runId}</Link>
      </td>
      <td>{info.type?.name}</td>
      <td>
        <Link href={href({ page: 'task-queues', ns, name: info.taskQueue ?? '' })}>{info.taskQueue}</Link>
      </td>
      <td class="time">{formatTime(info.startTime)}</td>
      <td class="time">{formatTime(info.closeTime)}</td>
      <td class="time">{between(info.startTime, info.closeTime)}</td>
    </tr>
  );
}
