import { describeWorkflow } from '../api';
import { ErrorBox } from '../components/error-box';
import { Link } from '../components/link';
import { StatusBadge } from '../components/status';
import { useLoad } from '../hooks';
import { useHistory } from '../history/use-history';
import { href, type Route, type RunTab } from '../router';
import { ActionsTab } from './run-actions';
import { CompactTab } from './run-compact';
import { HistoryTab } from './run-history';
import { StackTab } from './run-stack';
import { SummaryTab } from './run-summary';
import { TimelineTab } from './run-timeline';

const tabLabels: Record<RunTab, string> = {
  summary: 'Summary',
  history: 'History',
  compact: 'Compact',
  timeline: 'Timeline',
  stack: 'Stack trace',
  actions: 'Actions',
};

export type RunRoute = Extract<Route, { page: 'run' }>;

/** A workflow run: its description, and its history followed live; the tabs share both. */
export function RunPage({ route }: { route: RunRoute }) {
  const { ns, workflowId, runId } = route;
  const history = useHistory(ns, workflowId, runId);
  // The description changes with every event (status, pending activities), so it is re-read as events arrive.
  const description = useLoad(() => describeWorkflow(ns, workflowId, runId), [ns, workflowId, runId, history.events.length]);
  const info = description.data?.workflowExecutionInfo;
  const running = info?.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING';
  return (
    <section>
      <h1>
        <StatusBadge status={info?.status} /> {workflowId}
      </h1>
      <div class="muted mono">
        run {runId} · {info?.type?.name}
        {history.following && <span class="ok"> · following live</span>}
      </div>
      <div class="run-tabs" role="tablist">
        {Object.entries(tabLabels).map(([tab, label]) => (
          <Link key={tab} href={href({ ...route, tab: tab as RunTab })} class={route.tab === tab ? 'tab active' : 'tab'} testid={`run-tab-${tab}`}>
            {label}
          </Link>
        ))}
      </div>
      <ErrorBox error={description.error} />
      <ErrorBox error={history.error} />
      {route.tab === 'summary' && <SummaryTab ns={ns} description={description.data} events={history.events} />}
      {route.tab === 'history' && <HistoryTab route={route} history={history} />}
      {route.tab === 'compact' && <CompactTab history={history} />}
      {route.tab === 'timeline' && <TimelineTab history={history} closeTime={info?.closeTime} />}
      {route.tab === 'stack' && <StackTab route={route} running={running} />}
      {route.tab === 'actions' && <ActionsTab route={route} running={running} events={history.events} onChanged={description.reload} />}
    </section>
  );
}
