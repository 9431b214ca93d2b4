import { useState } from 'preact/hooks';
import { describeSchedule, listSchedules, patchSchedule } from '../api';
import { ErrorBox } from '../components/error-box';
import { JsonBlock } from '../components/json-block';
import { Link } from '../components/link';
import { formatTime } from '../format';
import { toApiError, useLoad } from '../hooks';
import { href } from '../router';
import type { Execution, Json } from '../types';

interface ScheduleDescription {
  schedule?: {
    spec?: Json;
    action?: { startWorkflow?: { workflowType?: { name?: string }; taskQueue?: { name?: string } } };
    state?: { paused?: boolean; notes?: string };
  };
  info?: {
    actionCount?: string;
    recentActions?: { scheduleTime?: string; actualTime?: string; startWorkflowResult?: Execution }[];
    futureActionTimes?: string[];
  };
}

export function SchedulesPage({ ns, scheduleId }: { ns: string; scheduleId: string }) {
  return scheduleId ? <ScheduleDetail key={scheduleId} ns={ns} scheduleId={scheduleId} /> : <ScheduleList ns={ns} />;
}

function ScheduleList({ ns }: { ns: string }) {
  const list = useLoad(() => listSchedules(ns, ''), [ns], 5000);
  const schedules = list.data?.schedules ?? [];
  return (
    <section>
      <ErrorBox error={list.error} />
      <table class="grid">
        <thead>
          <tr>
            <th>Schedule ID</th>
            <th>Workflow type</th>
            <th>State</th>
            <th>Next run</th>
            <th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {schedules.map((s) => (
            <tr key={s.scheduleId} data-testid="schedule-row">
              <td>
                <Link href={href({ page: 'schedules', ns, scheduleId: s.scheduleId ?? '' })}>{s.scheduleId}</Link>
              </td>
              <td>{s.info?.workflowType?.name}</td>
              <td>{s.info?.paused ? 'Paused' : 'Running'}</td>
              <td class="time">{formatTime(s.info?.futureActionTimes?.[0])}</td>
              <td>{s.info?.notes}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!list.loading && schedules.length === 0 && <p class="muted">No schedules in {ns}.</p>}
    </section>
  );
}

function ScheduleDetail({ ns, scheduleId }: { ns: string; scheduleId: string }) {
  const schedule = useLoad(() => describeSchedule(ns, scheduleId) as Promise<ScheduleDescription>, [ns, scheduleId], 5000);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string>();
  const patch = async (body: Json): Promise<void> => {
    setError(undefined);
    try {
      await patchSchedule(ns, scheduleId, body);
      schedule.reload();
    } catch (e) {
      setError(toApiError(e).message);
    }
  };
  const d = schedule.data;
  const paused = d?.schedule?.state?.paused === true;
  const action = d?.schedule?.action?.startWorkflow;
  return (
    <section data-testid="schedule">
      <h1>
        {scheduleId} <span class="tag">{paused ? 'Paused' : 'Running'}</span>
      </h1>
      <ErrorBox error={schedule.error} />
      <ErrorBox error={error} />
      <div class="row">
        <input value={note} onInput={(e) => setNote(e.currentTarget.value)} placeholder="Note (optional)" />
        <button
          onClick={() => void patch(paused ? { unpause: note || 'unpaused from the Hourglass UI' } : { pause: note || 'paused from the Hourglass UI' })}
          data-testid="pause-toggle"
        >
          {paused ? 'Unpause' : 'Pause'}
        </button>
        <button onClick={() => void patch({ triggerImmediately: {} })} data-testid="trigger">
          Trigger now
        </button>
      </div>
      {d && (
        <div class="columns">
          <div>
            <h2>Action</h2>
            <dl class="kv">
              <dt>Workflow type</dt>
              <dd>{action?.workflowType?.name}</dd>
              <dt>Task queue</dt>
              <dd>{action?.taskQueue?.name}</dd>
              <dt>Actions taken</dt>
              <dd>{d.info?.actionCount ?? '0'}</dd>
              <dt>Notes</dt>
              <dd>{d.schedule?.state?.notes}</dd>
            </dl>
            <h2>Next runs</h2>
            <ul>
              {(d.info?.futureActionTimes ?? []).slice(0, 5).map((t) => (
                <li key={t}>{formatTime(t)}</li>
              ))}
            </ul>
            <h2>Recent runs</h2>
            <ul>
              {(d.info?.recentActions ?? []).map((a) => (
                <li key={a.actualTime}>
                  {formatTime(a.actualTime)}{' '}
                  {a.startWorkflowResult?.workflowId && (
                    <Link
                      href={href({ page: 'run', ns, workflowId: a.startWorkflowResult.workflowId, runId: a.startWorkflowResult.runId ?? '', tab: 'summary' })}
                    >
                      {a.startWorkflowResult.workflowId}
                    </Link>
                  )}
                </li>
              ))}
            </ul>
          </div>
          <div>
            <h2>Spec</h2>
            <JsonBlock value={d.schedule?.spec ?? {}} />
          </div>
        </div>
      )}
    </section>
  );
}
