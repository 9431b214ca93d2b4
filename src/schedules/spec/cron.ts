import type { temporal } from '../../common/proto';
import { goDurationToProto, parseGoDuration } from './go-duration';
import { MAX_CALENDAR_YEAR, MIN_CALENDAR_YEAR, makeRange, type IRange } from './ranges';
import { ScheduleSpecError } from './spec-error';

/** CalendarSpec and cron strings turned into structured calendars, as Temporal's calendar.go. */

type ICalendarSpec = temporal.api.schedule.v1.ICalendarSpec;
type IStructuredCalendarSpec = temporal.api.schedule.v1.IStructuredCalendarSpec;
type IIntervalSpec = temporal.api.schedule.v1.IIntervalSpec;

/**
 * A CalendarSpec's string fields parsed into ranges. Empty fields default as Temporal documents: second, minute and
 * hour to 0, the date fields to `*`. All fields' problems are reported together, comma separated.
 */
export function parseCalendarToStructured(cal: ICalendarSpec): IStructuredCalendarSpec {
  const problems: string[] = [];
  const field = (text: string | null | undefined, name: string, def: string, min: number, max: number, mode: Parameters<typeof makeRange>[5]): IRange[] => {
    try {
      return makeRange(text ?? '', name, def, min, max, mode);
    } catch (err) {
      if (!(err instanceof ScheduleSpecError)) throw err;
      problems.push(err.message);
      return [];
    }
  };
  const structured: IStructuredCalendarSpec = {
    second: field(cal.second, 'Second', '0', 0, 59, 'int'),
    minute: field(cal.minute, 'Minute', '0', 0, 59, 'int'),
    hour: field(cal.hour, 'Hour', '0', 0, 23, 'int'),
    dayOfMonth: field(cal.dayOfMonth, 'DayOfMonth', '*', 1, 31, 'int'),
    month: field(cal.month, 'Month', '*', 1, 12, 'month'),
    year: field(cal.year, 'Year', '*', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR, 'year'),
    dayOfWeek: field(cal.dayOfWeek, 'DayOfWeek', '*', 0, 7, 'dayOfWeek'),
  };
  if (cal.comment) structured.comment = cal.comment;
  if (problems.length > 0) throw new ScheduleSpecError(problems.join(', '));
  return structured;
}

/** What one cron string stands for: a calendar, or (for `@every`) an interval; `timezone` is its CRON_TZ / TZ prefix. */
export interface ParsedCron {
  calendar?: IStructuredCalendarSpec;
  interval?: IIntervalSpec;
  timezone: string;
}

const ALIASES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/**
 * `[CRON_TZ=zone ]fields[ # comment]` with 5 fields (minute hour day-of-month month day-of-week), 6 (plus year) or 7
 * (second first), an alias such as `@hourly`, or `@every interval[/phase]` (durations with s, m, h or d units).
 */
export function parseCronString(text: string): ParsedCron {
  let c = text.trim();
  let timezone = '';
  if (c.startsWith('TZ=') || c.startsWith('CRON_TZ=')) {
    const space = c.indexOf(' ');
    if (space < 0) throw new ScheduleSpecError('CronString has time zone but missing fields');
    const prefix = c.slice(0, space);
    timezone = prefix.slice(prefix.indexOf('=') + 1);
    c = c.slice(space + 1);
  }
  const hash = c.indexOf('#');
  const comment = hash < 0 ? '' : c.slice(hash + 1).trim();
  c = (hash < 0 ? c : c.slice(0, hash)).trim();

  // Temporal drops a time zone prefix given with @every: an interval does not depend on one.
  if (c.startsWith('@every')) return { interval: parseEvery(c), timezone: '' };

  const fields = (ALIASES[c] ?? c).split(/\s+/).filter((f) => f !== '');
  const cal: ICalendarSpec = { comment };
  const [a, b, d, e, f, g, h] = fields;
  switch (fields.length) {
    case 5:
      Object.assign(cal, { minute: a, hour: b, dayOfMonth: d, month: e, dayOfWeek: f });
      break;
    case 6:
      Object.assign(cal, { minute: a, hour: b, dayOfMonth: d, month: e, dayOfWeek: f, year: g });
      break;
    case 7:
      Object.assign(cal, { second: a, minute: b, hour: d, dayOfMonth: e, month: f, dayOfWeek: g, year: h });
      break;
    default:
      throw new ScheduleSpecError('CronString does not have 5-7 fields');
  }
  return { calendar: parseCalendarToStructured(cal), timezone };
}

function parseEvery(c: string): IIntervalSpec {
  const space = c.indexOf(' ');
  if (space < 0) throw new ScheduleSpecError('CronString does not have interval after @every');
  const rest = c.slice(space + 1);
  const slash = rest.indexOf('/');
  const interval = goDurationToProto(parseGoDuration(slash < 0 ? rest : rest.slice(0, slash)));
  const phase = slash < 0 ? '' : rest.slice(slash + 1);
  return phase === '' ? { interval } : { interval, phase: goDurationToProto(parseGoDuration(phase)) };
}
