import { Fragment } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { between, formatTime } from '../format';
import { eventLabel, eventSummary } from '../history/events';
import { groupEvents } from '../history/groups';
import type { HistoryState } from '../history/use-history';

/** One row per activity, timer, child workflow, update, signal or other event; workflow tasks left out, as the Temporal UI's compact view does. */
export function CompactTab({ history }: { history: HistoryState }) {
  const groups = useMemo(() => groupEvents(history.events).filter((g) => g.kind !== 'workflow-task'), [history.events]);
  const [open, setOpen] = useState<string>();
  return (
    <table class="grid" data-testid="compact-table">
      <thead>
        <tr>
          <th>ID</th>
          <th>Start</th>
          <th>Kind</th>
          <th>Name</th>
          <th>State</th>
          <th>Duration</th>
          <th>Events</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => {
          const id = g.events[0]?.eventId ?? '';
          return (
            <Fragment key={id}>
              <tr data-testid="compact-row" onClick={() => setOpen(open === id ? undefined : id)} style={{ cursor: 'pointer' }}>
                <td class="mono">{id}</td>
                <td class="time">{formatTime(g.start)}</td>
                <td>{g.kind === 'event' ? '' : g.kind}</td>
                <td>{g.name}</td>
                <td class={g.failed ? 'event-failed' : g.end && g.kind !== 'event' ? 'event-completed' : ''}>
                  {g.end || g.kind === 'event' ? g.state : `${g.state} (open)`}
                </td>
                <td class="time">{between(g.start, g.end)}</td>
                <td class="muted">{g.events.map((e) => e.eventId).join(', ')}</td>
              </tr>
              {open === id &&
                g.events.map((e) => (
                  <tr key={`${id}-${e.eventId}`} class="sub">
                    <td class="mono">{e.eventId}</td>
                    <td class="time">{formatTime(e.eventTime)}</td>
                    <td colSpan={2}>{eventLabel(e)}</td>
                    <td colSpan={3} class="muted">
                      {eventSummary(e)
                        .map(([k, v]) => `${k} ${v}`)
                        .join('  ')}
                    </td>
                  </tr>
                ))}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}
