import { queryWorkflow } from '../api';
import { ErrorBox } from '../components/error-box';
import { useLoad } from '../hooks';
import { decodePayload } from '../payloads';
import type { RunRoute } from './run';

/** Where the workflow is waiting: the SDK's built-in `__stack_trace` query, answered by a worker (so one must be running). */
export function StackTab({ route, running }: { route: RunRoute; running: boolean }) {
  const stack = useLoad(async () => {
    const answer = await queryWorkflow(route.ns, route.workflowId, route.runId, '__stack_trace', []);
    const payload = answer.queryResult?.payloads?.[0];
    const decoded = payload ? decodePayload(payload) : undefined;
    return decoded?.kind === 'json' ? String(decoded.value) : '';
  }, [route.ns, route.workflowId, route.runId]);
  return (
    <div>
      <div class="row">
        <button onClick={stack.reload} disabled={stack.loading} data-testid="refresh-stack">
          Refresh
        </button>
        {!running && <span class="muted">The run is closed: a worker answers by replaying its history.</span>}
      </div>
      <ErrorBox error={stack.error} />
      {stack.data !== undefined && (
        <pre class="json" data-testid="stack-trace" style={{ maxHeight: 'none' }}>
          {stack.data || '(empty: the workflow is not waiting on anything)'}
        </pre>
      )}
    </div>
  );
}
