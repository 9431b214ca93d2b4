/** Display forms of the API's values: enum constants as words, RFC 3339 times, proto durations, byte counts. */

/** `WORKFLOW_EXECUTION_STATUS_TIMED_OUT` → `TimedOut`, as the Temporal UI and CLI name statuses and event types. */
export function enumName(value: string | undefined, prefix: string): string {
  if (!value) return '';
  return value
    .replace(prefix, '')
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

export const statusName = (status: string | undefined): string => enumName(status, 'WORKFLOW_EXECUTION_STATUS_');
export const eventTypeName = (type: string | undefined): string => enumName(type, 'EVENT_TYPE_');

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Local time with milliseconds: dense and sortable, the date only when it is not today. */
export function formatTime(rfc3339: string | undefined, now = new Date()): string {
  if (!rfc3339) return '';
  const t = new Date(rfc3339);
  if (Number.isNaN(t.getTime()) || t.getTime() <= 0) return '';
  const time = `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`;
  const sameDay = t.toDateString() === now.toDateString();
  return sameDay ? time : `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${time}`;
}

/** Milliseconds as the Temporal UI writes spans: `850ms`, `12.3s`, `4m 5s`, `2h 3m`, `3d 4h`. */
export function formatMillis(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 0) return `-${formatMillis(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1).replace(/\.?0+$/, '')}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

export function between(start: string | undefined, end: string | undefined): string {
  if (!start || !end) return '';
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isNaN(ms) || Date.parse(end) <= 0 ? '' : formatMillis(ms);
}

/** A proto3 JSON duration (`"3600s"`, `"1.5s"`); `0s` means "not set" for Temporal's timeouts. */
export function formatDuration(duration: string | undefined): string {
  if (!duration) return '';
  const seconds = Number(duration.replace(/s$/, ''));
  if (!Number.isFinite(seconds) || seconds === 0) return '';
  return formatMillis(seconds * 1000);
}

export function formatBytes(value: string | number | undefined): string {
  const n = Number(value ?? 0);
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Milliseconds since the epoch of an RFC 3339 time, or NaN. */
export const millis = (rfc3339: string | undefined): number => (rfc3339 ? Date.parse(rfc3339) : NaN);
