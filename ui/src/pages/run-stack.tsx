import type { RunRoute } from './run';
export function StackTab({ route }: { route: RunRoute; running: boolean }) {
  return <p>{route.runId}</p>;
}
