import type { ComponentChildren } from 'preact';
import { FailureView } from '../components/failure-view';
import { Link } from '../components/link';
import { PayloadsView } from '../components/payloads-view';
import { between, formatBytes, formatDuration, formatTime } from '../format';
import { attributesOf, runOutcome } from '../history/events';
import { payloadText } from '../payloads';
import { href } from '../router';
import type { DescribeWorkflowResponse, Execution, HistoryEvent, Json, Payload, PendingActivity } from '../types';

function RunLink({ ns, execution }: { ns: string; execution: Execution | undefined }) {
  if (!execution?.workflowId) return <span class="muted">none</span>;
  return <Link href={href({ page: 'run', ns, workflowId: execution.workflowId, runId: execution.runId ?? '', tab: 'summary' })}>{execution.workflowId}</Link>;
}

function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** The children the run started, from its ChildWorkflowExecutionStarted events. */
function childrenOf(events: HistoryEvent[]): Execution[] {
  return events
    .filter((e) => e.eventType === 'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED')
    .map((e) => (attributesOf(e).workflowExecution as Execution | undefined) ?? {});
}

export function SummaryTab({ ns, description, events }: { ns: string; description: DescribeWorkflowResponse | undefined; events: HistoryEvent[] }) {
  const info = description?.workflowExecutionInfo;
  if (!info) return <p class="muted">loading…</p>;
  const { input, result, failure, closeEvent } = runOutcome(events);
  const metadata = events[0]?.userMetadata ?? description.executionConfigUserMetadata;
  const children = childrenOf(events);
  const memo = Object.entries(info.memo?.fields ?? {});
  const attributes = Object.entries(info.searchAttributes?.indexedFields ?? {});
  return (
    <div data-testid="run-summary">
      <div class="columns">
        <dl class="kv">
          <Field label="Workflow type">{info.type?.name}</Field>
          <Field label="Workflow ID">{info.execution?.workflowId}</Field>
          <Field label="Run ID">
            <span class="mono">{info.execution?.runId}</span>
          </Field>
          <Field label="Task queue">
            <Link href={href({ page: 'task-queues', ns, name: info.taskQueue ?? '' })}>{info.taskQueue}</Link>
          </Field>
          <Field label="Start">{formatTime(info.startTime)}</Field>
          <Field label="Execution time">{formatTime(info.executionTime)}</Field>
          <Field label="Close">{formatTime(info.closeTime) || <span class="muted">running</span>}</Field>
          <Field label="Duration">{between(info.startTime, info.closeTime)}</Field>
          <Field label="History">
            <span data-testid="history-length">{info.historyLength}</span> events, {formatBytes(info.historySizeBytes)}
          </Field>
        </dl>
        <dl class="kv">
          <Field label="Parent">
            <RunLink ns={ns} execution={info.parentExecution} />
          </Field>
          <Field label="Root">
            <RunLink ns={ns} execution={info.rootExecution} />
          </Field>
          <Field label="Children">
            {children.length === 0 ? (
              <span class="muted">none</span>
            ) : (
              children.map((c) => (
                <div key={c.runId}>
                  <RunLink ns={ns} execution={c} />
                </div>
              ))
            )}
          </Field>
          <Field label="First run">
            {info.firstRunId && info.firstRunId !== info.execution?.runId ? (
              <RunLink ns={ns} execution={{ workflowId: info.execution?.workflowId, runId: info.firstRunId }} />
            ) : (
              'this run'
            )}
          </Field>
          <Field label="Run timeout">{formatDuration(description.executionConfig?.workflowRunTimeout) || 'none'}</Field>
          <Field label="Summary">{metadata?.summary ? payloadText(metadata.summary) : <span class="muted">none</span>}</Field>
          {metadata?.details && <Field label="Details">{payloadText(metadata.details)}</Field>}
        </dl>
      </div>
      <div class="columns">
        <div>
          <h2>Input</h2>
          <PayloadsView ns={ns} payloads={input} testid="run-input" />
        </div>
        <div>
          <h2>{failure ? 'Failure' : 'Result'}</h2>
          {failure ? (
            <FailureView ns={ns} failure={failure} />
          ) : result ? (
            <PayloadsView ns={ns} payloads={result} testid="run-result" />
          ) : (
            <span class="muted">{closeEvent ? (attributesOf(closeEvent).reason as string | undefined) || 'none' : 'not closed yet'}</span>
          )}
        </div>
      </div>
      <PendingActivities ns={ns} activities={description.pendingActivities ?? []} />
      {(description.pendingChildren ?? []).length > 0 && (
        <>
          <h2>Pending children</h2>
          <table class="grid" data-testid="pending-children">
            <tbody>
              {(description.pendingChildren ?? []).map((c) => (
                <tr key={c.initiatedId}>
                  <td>{c.workflowTypeName}</td>
                  <td>
                    <RunLink ns={ns} execution={{ workflowId: c.workflowId, runId: c.runId }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <div class="columns">
        <div>
          <h2>Memo</h2>
          <NamedPayloads ns={ns} entries={memo} />
        </div>
        <div>
          <h2>Search attributes</h2>
          <NamedPayloads ns={ns} entries={attributes} />
        </div>
      </div>
    </div>
  );
}

function NamedPayloads({ ns, entries }: { ns: string; entries: [string, Payload][] }) {
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <dl class="kv">
      {entries.map(([key, payload]) => (
        <Field key={key} label={key}>
          <PayloadsView ns={ns} payloads={[payload]} />
        </Field>
      ))}
    </dl>
  );
}

function PendingActivities({ ns, activities }: { ns: string; activities: PendingActivity[] }) {
  if (activities.length === 0) return null;
  return (
    <>
      <h2>Pending activities</h2>
      <div class="cards">
        {activities.map((a) => (
          <div class="card" key={a.activityId} data-testid="pending-activity">
            <dl class="kv">
              <Field label="Activity">
                {a.activityType?.name} <span class="muted">(ID {a.activityId})</span>
              </Field>
              <Field label="State">{(a.state ?? '').replace('PENDING_ACTIVITY_STATE_', '')}</Field>
              <Field label="Attempt">
                <span data-testid="pending-attempt">{a.attempt}</span>
                {a.maximumAttempts ? ` of ${a.maximumAttempts}` : ' (unlimited)'}
              </Field>
              {a.nextAttemptScheduleTime && <Field label="Next retry">{formatTime(a.nextAttemptScheduleTime)}</Field>}
              {a.lastStartedTime && <Field label="Last started">{formatTime(a.lastStartedTime)}</Field>}
              {a.lastHeartbeatTime && <Field label="Last heartbeat">{formatTime(a.lastHeartbeatTime)}</Field>}
              {a.lastWorkerIdentity && <Field label="Last worker">{a.lastWorkerIdentity}</Field>}
              <Field label="Timeouts">{timeouts(a.activityOptions ?? {})}</Field>
              {a.heartbeatDetails && (
                <Field label="Heartbeat details">
                  <PayloadsView ns={ns} payloads={a.heartbeatDetails.payloads} />
                </Field>
              )}
              {a.lastFailure && (
                <Field label="Last failure">
                  <FailureView ns={ns} failure={a.lastFailure} />
                </Field>
              )}
            </dl>
          </div>
        ))}
      </div>
    </>
  );
}

function timeouts(options: Json): string {
  const parts = ['scheduleToClose', 'scheduleToStart', 'startToClose', 'heartbeat']
    .map((k) => [k, formatDuration(options[`${k}Timeout`] as string | undefined)])
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k} ${v}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}
