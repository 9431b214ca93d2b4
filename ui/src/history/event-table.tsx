import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { formatTime } from '../format';
import { withPayloadsDecoded } from '../payloads';
import type { HistoryEvent } from '../types';
import { eventLabel, eventSummary, eventTone } from './events';

const rowHeight = 26;
const detailHeight = 320;
const overscan = 10;

/**
 * The event table, virtualised: rows have a fixed height, so only the rows in view (plus a few) are rendered and a
 * 10,000-event history scrolls as fast as a short one. One row at a time opens below itself to its full JSON (payloads decoded).
 * When scrolled to the bottom it stays there as events arrive (following a running run).
 */
export function EventTable({ events }: { events: HistoryEvent[] }) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const [open, setOpen] = useState<number>(-1);
  const stuckToBottom = useRef(false);

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const total = events.length * rowHeight + (open >= 0 ? detailHeight : 0);
  useEffect(() => {
    const el = viewport.current;
    if (el && stuckToBottom.current) el.scrollTop = el.scrollHeight;
  }, [events.length]);

  const top = (i: number): number => i * rowHeight + (open >= 0 && i > open ? detailHeight : 0);
  // The first visible row: past the open row's detail, positions shift by its height.
  const rowAt = (y: number): number => {
    const plain = Math.floor(y / rowHeight);
    return open >= 0 && plain > open ? Math.max(open + 1, Math.floor((y - detailHeight) / rowHeight)) : plain;
  };
  const first = Math.max(0, rowAt(scrollTop) - overscan);
  const last = Math.min(events.length - 1, rowAt(scrollTop + height) + overscan);
  const rows = [];
  for (let i = first; i <= last; i++) {
    const event = events[i];
    if (!event) continue;
    rows.push(
      <div
        key={event.eventId}
        class={`history-row ${i === open ? 'open' : ''}`}
        style={{ top: `${top(i)}px` }}
        data-testid="history-row"
        data-event-id={event.eventId}
        onClick={() => setOpen(i === open ? -1 : i)}
      >
        {/* Spaces between the cells (ignored by the grid) keep the row's text readable when copied or searched. */}
        <span class="mono">{event.eventId}</span> <span class="time">{formatTime(event.eventTime)}</span>{' '}
        <span class={eventTone(event)}>{eventLabel(event)}</span>{' '}
        <span class="muted">
          {eventSummary(event).map(([k, v]) => (
            <span key={k}>
              {k} <span class="attr">{v}</span>{' '}
            </span>
          ))}
        </span>
      </div>,
    );
    if (i === open) {
      rows.push(
        <div
          key={`${event.eventId}-detail`}
          class="history-detail"
          style={{ top: `${top(i) + rowHeight}px`, height: `${detailHeight}px` }}
          data-testid="event-detail"
        >
          <pre class="json">{JSON.stringify(withPayloadsDecoded(event), null, 2)}</pre>
        </div>,
      );
    }
  }
  return (
    <>
      <div class="history-head">
        <span>ID</span>
        <span>Time</span>
        <span>Type</span>
        <span>Attributes</span>
      </div>
      <div
        class="history-viewport"
        ref={viewport}
        data-testid="history-viewport"
        onScroll={(e) => {
          const el = e.currentTarget;
          setScrollTop(el.scrollTop);
          stuckToBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
        }}
      >
        <div style={{ height: `${total}px`, position: 'relative' }}>{rows}</div>
      </div>
    </>
  );
}
