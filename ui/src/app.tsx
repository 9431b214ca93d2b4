import { uiConfig } from './api';
import { ErrorBox } from './components/error-box';
import { Header } from './components/header';
import { useLoad } from './hooks';
import { RunPage } from './pages/run';
import { SchedulesPage } from './pages/schedules';
import { TaskQueuesPage } from './pages/task-queues';
import { WorkflowsPage } from './pages/workflows';
import { parseRoute, useLocation, type Route } from './router';

export function App() {
  const config = useLoad(uiConfig, []);
  const location = useLocation();
  if (config.error) return <ErrorBox error={config.error} />;
  if (!config.data) return null;
  const route = parseRoute(location.pathname, location.search, config.data.defaultNamespace);
  return (
    <>
      <Header route={route} config={config.data} />
      <main>
        <Page route={route} />
      </main>
    </>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'workflows':
      return <WorkflowsPage ns={route.ns} query={route.query} status={route.status} />;
    case 'run':
      return <RunPage key={`${route.ns}/${route.workflowId}/${route.runId}`} route={route} />;
    case 'task-queues':
      return <TaskQueuesPage ns={route.ns} name={route.name} />;
    case 'schedules':
      return <SchedulesPage ns={route.ns} scheduleId={route.scheduleId} />;
    case 'not-found':
      return <ErrorBox error={`No page at ${route.path}`} />;
  }
}
