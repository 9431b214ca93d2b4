import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatMillis, millis } from '../format';
import { groupEvents, type EventGroup } from '../history/groups';
import type { HistoryState } from '../history/use-history';

const rowHeight = 18;
const labelWidth = 220;
const axisHeight = 22;
const viewportRows = 40;
const kinds = ['workflow-task', 'activity', 'timer', 'child', 'update'] as const;

/**
 * Activities, timers, child workflows, updates and workflow tasks as bars over the run's time. Only the rows in view
 * are drawn (fixed row height), so a history of thousands of groups stays responsive; an open bar runs to now (or
 * the run's close) with a dashed end.
 */
export function TimelineTab({ history, closeTime }: { history: HistoryState; closeTime: string | undefined }) {
  const groups = useMemo(() => groupEvents(history.events).filter((g) => g.kind !== 'event'), [history.events]);
  const [scrollTop, setScrollTop] = useState(0);
  const container = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1200);
  useLayoutEffect(() => {
    const el = container.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(Math.max(400, el.clientWidth - 20)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const start = millis(history.events[0]?.eventTime);
  const lastEvent = millis(history.events[history.events.length - 1]?.eventTime);
  const end = Math.max(closeTime ? millis(closeTime) : Date.now(), lastEvent, start + 1);
  const x = (t: number): number => labelWidth + ((t - start) / (end - start)) * (width - labelWidth - 10);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - 5);
  const visible = groups.slice(first, first + viewportRows + 10);
  const ticks = Number.isFinite(start) ? Array.from({ length: 6 }, (_, i) => start + ((end - start) * i) / 5) : [];
  return (
    <div class="timeline" data-testid="timeline" ref={container}>
      <div class="legend">
        {kinds.map((k) => (
          <span key={k}>
            <svg width="10" height="10">
              <rect width="10" height="10" class={`bar-${k}`} />
            </svg>{' '}
            {k}
          </span>
        ))}
      </div>
      <svg width={width} height={axisHeight}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={axisHeight - 6} y2={axisHeight} class="axis" stroke="currentColor" />
            <text x={Math.min(x(t), width - 40)} y={12}>
              +{formatMillis(t - start)}
            </text>
          </g>
        ))}
      </svg>
      <div
        class="history-viewport"
        style={{ height: `${Math.min(groups.length, viewportRows) * rowHeight + 4}px`, minHeight: '0' }}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div style={{ height: `${groups.length * rowHeight}px`, position: 'relative' }}>
          <svg width={width} height={visible.length * rowHeight} style={{ position: 'absolute', top: `${first * rowHeight}px`, left: 0 }}>
            {visible.map((g, i) => (
              <Bar key={g.events[0]?.eventId} group={g} y={i * rowHeight} x={x} end={end} />
            ))}
          </svg>
        </div>
      </div>
    </div>
  );
}

function Bar({ group, y, x, end }: { group: EventGroup; y: number; x: (t: number) => number; end: number }) {
  const from = x(millis(group.start));
  const to = Math.max(from + 2, x(group.end ? millis(group.end) : end));
  const ids = group.events.map((e) => e.eventId).join(', ');
  return (
    <g data-testid="timeline-bar" data-kind={group.kind}>
      <title>{`${group.name}: ${group.state} (events ${ids})`}</title>
      <text x={4} y={y + 13}>
        {group.name.slice(0, 32)}
      </text>
      <rect
        x={from}
        y={y + 3}
        width={to - from}
        height={rowHeight - 6}
        rx={2}
        class={`bar-${group.kind}${group.failed ? ' bar-failed' : ''}`}
        stroke-dasharray={group.end ? undefined : '4 2'}
        fill-opacity={group.end ? 1 : 0.55}
      />
    </g>
  );
}
