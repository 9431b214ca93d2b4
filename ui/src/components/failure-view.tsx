import { enumName } from '../format';
import type { Failure } from '../types';
import { PayloadsView } from './payloads-view';

/** What kind of failure it is, as the Temporal UI labels each link of the chain. */
function failureKind(f: Failure): string {
  const app = f.applicationFailureInfo;
  if (app) return `ApplicationFailure${app.type ? ` (${app.type})` : ''}${app.nonRetryable ? ', non-retryable' : ''}`;
  const activity = f.activityFailureInfo;
  if (activity) return `ActivityFailure (${activity.activityType?.name ?? ''}, ${enumName(activity.retryState, 'RETRY_STATE_')})`;
  if (f.childWorkflowExecutionFailureInfo) return `ChildWorkflowFailure (${f.childWorkflowExecutionFailureInfo.workflowType?.name ?? ''})`;
  if (f.timeoutFailureInfo) return `TimeoutFailure (${enumName(f.timeoutFailureInfo.timeoutType, 'TIMEOUT_TYPE_')})`;
  if (f.canceledFailureInfo) return 'CanceledFailure';
  if (f.terminatedFailureInfo) return 'TerminatedFailure';
  if (f.serverFailureInfo) return 'ServerFailure';
  return 'Failure';
}

/** A failure and its cause chain, each with its message, kind, details and stack trace. */
export function FailureView({ ns, failure }: { ns: string; failure: Failure | undefined }) {
  const chain: Failure[] = [];
  for (let f = failure; f && chain.length < 20; f = f.cause) chain.push(f);
  if (chain.length === 0) return <span class="muted">none</span>;
  return (
    <ol class="failure-chain" data-testid="failure">
      {chain.map((f, i) => (
        <li key={i}>
          <div>
            <span class="tag">
              {i === 0 ? '' : 'caused by '}
              {failureKind(f)}
            </span>{' '}
            <strong>{f.message}</strong>
            {f.source && <span class="muted"> · {f.source}</span>}
          </div>
          {f.applicationFailureInfo?.details?.payloads && <PayloadsView ns={ns} payloads={f.applicationFailureInfo.details.payloads} />}
          {f.stackTrace && (
            <details>
              <summary>stack trace</summary>
              <pre class="json">{f.stackTrace}</pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}
