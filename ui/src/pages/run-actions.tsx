import { useState } from 'preact/hooks';
import { cancelWorkflow, queryWorkflow, resetWorkflow, signalWorkflow, terminateWorkflow, updateWorkflow } from '../api';
import { ErrorBox } from '../components/error-box';
import { FailureView } from '../components/failure-view';
import { PayloadsView } from '../components/payloads-view';
import { formatTime } from '../format';
import { toApiError, useLoad } from '../hooks';
import { argsFromText, decodePayload } from '../payloads';
import { href, navigate } from '../router';
import type { Failure, HistoryEvent, Payload } from '../types';
import type { RunRoute } from './run';

interface HandlerDefinition {
  name?: string;
  description?: string;
}
interface WorkflowMetadata {
  definition?: { type?: string; queryDefinitions?: HandlerDefinition[]; signalDefinitions?: HandlerDefinition[]; updateDefinitions?: HandlerDefinition[] };
  currentDetails?: string;
}

type Outcome = { payloads: Payload[] } | { failure: Failure } | { done: string } | { error: string };

/** Query, signal, update, cancel, terminate and reset one run; the handlers offered are those the workflow declares. */
export function ActionsTab({ route, running, events, onChanged }: { route: RunRoute; running: boolean; events: HistoryEvent[]; onChanged: () => void }) {
  const { ns, workflowId, runId } = route;
  const metadata = useLoad(async () => {
    const answer = await queryWorkflow(ns, workflowId, runId, '__temporal_workflow_metadata', []);
    const payload = answer.queryResult?.payloads?.[0];
    const decoded = payload ? decodePayload(payload) : undefined;
    return (decoded?.kind === 'json' ? decoded.value : {}) as WorkflowMetadata;
  }, [ns, workflowId, runId]);
  const definition = metadata.data?.definition;
  return (
    <div class="actions columns">
      <div>
        <h2>Handlers</h2>
        {metadata.error ? <ErrorBox error={metadata.error} /> : null}
        <HandlerForm
          kind="query"
          handlers={(definition?.queryDefinitions ?? []).filter((h) => !h.name?.startsWith('__'))}
          run={async (name, args) => ({ payloads: (await queryWorkflow(ns, workflowId, runId, name, args)).queryResult?.payloads ?? [] })}
          ns={ns}
        />
        <HandlerForm
          kind="signal"
          handlers={definition?.signalDefinitions ?? []}
          disabled={!running}
          run={async (name, args) => {
            await signalWorkflow(ns, workflowId, runId, name, args);
            return { done: `Signal ${name} sent` };
          }}
          ns={ns}
        />
        <HandlerForm
          kind="update"
          handlers={definition?.updateDefinitions ?? []}
          disabled={!running}
          run={async (name, args) => {
            const outcome = (await updateWorkflow(ns, workflowId, runId, name, args)).outcome;
            return outcome?.failure ? { failure: outcome.failure } : { payloads: outcome?.success?.payloads ?? [] };
          }}
          ns={ns}
        />
      </div>
      <div>
        <h2>Run</h2>
        <CloseActions route={route} running={running} onChanged={onChanged} />
        <ResetForm route={route} events={events} />
      </div>
    </div>
  );
}

function HandlerForm(props: {
  kind: 'query' | 'signal' | 'update';
  handlers: HandlerDefinition[];
  disabled?: boolean;
  ns: string;
  run: (name: string, args: Payload[]) => Promise<Outcome>;
}) {
  const [name, setName] = useState('');
  const [args, setArgs] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  const [busy, setBusy] = useState(false);
  const chosen = name || props.handlers[0]?.name || '';
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    try {
      setOutcome(await props.run(chosen, argsFromText(args)));
    } catch (err) {
      setOutcome({ error: err instanceof SyntaxError ? `Arguments are not JSON: ${err.message}` : `${toApiError(err).message}` });
    } finally {
      setBusy(false);
    }
  };
  const listId = `${props.kind}-handlers`;
  return (
    <form onSubmit={(e) => void submit(e)} data-testid={`${props.kind}-form`}>
      <div class="row">
        <strong style={{ width: '60px' }}>{props.kind}</strong>
        <input
          list={listId}
          value={chosen}
          onInput={(e) => setName(e.currentTarget.value)}
          placeholder={`${props.kind} name`}
          data-testid={`${props.kind}-name`}
        />
        <datalist id={listId}>
          {props.handlers.map((h) => (
            <option key={h.name} value={h.name}>
              {h.description}
            </option>
          ))}
        </datalist>
        <button type="submit" disabled={busy || props.disabled || !chosen} data-testid={`${props.kind}-submit`}>
          {props.kind === 'query' ? 'Run query' : props.kind === 'signal' ? 'Send signal' : 'Send update'}
        </button>
      </div>
      {props.handlers.find((h) => h.name === chosen)?.description && <div class="muted">{props.handlers.find((h) => h.name === chosen)?.description}</div>}
      <textarea
        value={args}
        onInput={(e) => setArgs(e.currentTarget.value)}
        placeholder='Arguments as JSON: one value, or an array of them ([1, "two"]); empty for none'
        spellcheck={false}
        data-testid={`${props.kind}-args`}
      />
      <OutcomeView ns={props.ns} outcome={outcome} testid={`${props.kind}-outcome`} />
    </form>
  );
}

function OutcomeView({ ns, outcome, testid }: { ns: string; outcome: Outcome | undefined; testid: string }) {
  if (!outcome) return null;
  return (
    <div data-testid={testid}>
      {'payloads' in outcome && <PayloadsView ns={ns} payloads={outcome.payloads} />}
      {'failure' in outcome && <FailureView ns={ns} failure={outcome.failure} />}
      {'done' in outcome && <div class="ok">{outcome.done}</div>}
      {'error' in outcome && <ErrorBox error={outcome.error} />}
    </div>
  );
}

function CloseActions({ route, running, onChanged }: { route: RunRoute; running: boolean; onChanged: () => void }) {
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<Outcome>();
  const act = async (what: string, call: () => Promise<unknown>): Promise<void> => {
    try {
      await call();
      setOutcome({ done: what });
      onChanged();
    } catch (err) {
      setOutcome({ error: toApiError(err).message });
    }
  };
  const { ns, workflowId, runId } = route;
  return (
    <div class="actions-close">
      <div class="row">
        <button disabled={!running} onClick={() => void act('Cancellation requested', () => cancelWorkflow(ns, workflowId, runId))} data-testid="cancel">
          Request cancellation
        </button>
      </div>
      <div class="row" style={{ marginTop: '8px' }}>
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="Reason" data-testid="terminate-reason" />
        <button
          class="danger"
          disabled={!running}
          onClick={() => void act('Terminated', () => terminateWorkflow(ns, workflowId, runId, reason))}
          data-testid="terminate"
        >
          Terminate
        </button>
      </div>
      <OutcomeView ns={ns} outcome={outcome} testid="close-outcome" />
    </div>
  );
}

/** Reset to a WorkflowTaskCompleted event: the new run replays the history up to it and continues from there. */
function ResetForm({ route, events }: { route: RunRoute; events: HistoryEvent[] }) {
  const points = events.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED');
  const [eventId, setEventId] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const chosen = eventId || points[points.length - 1]?.eventId || '';
  const reset = async (): Promise<void> => {
    try {
      const { runId } = await resetWorkflow(route.ns, route.workflowId, route.runId, chosen, reason || 'reset from the Hourglass UI');
      navigate(href({ ...route, runId: runId ?? '', tab: 'summary' }));
    } catch (err) {
      setError(toApiError(err).message);
    }
  };
  return (
    <div style={{ marginTop: '16px' }}>
      <h2>Reset</h2>
      <div class="row">
        <select value={chosen} onChange={(e) => setEventId(e.currentTarget.value)} data-testid="reset-event">
          {points.map((e) => (
            <option key={e.eventId} value={e.eventId}>
              {e.eventId} · WorkflowTaskCompleted · {formatTime(e.eventTime)}
            </option>
          ))}
        </select>
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="Reason" />
        <button disabled={!chosen} onClick={() => void reset()} data-testid="reset">
          Reset
        </button>
      </div>
      <ErrorBox error={error} />
    </div>
  );
}
