import type { Route } from '../router';
export function RunPage({ route }: { route: Extract<Route, { page: 'run' }> }) {
  return <p>{route.workflowId}</p>;
}
