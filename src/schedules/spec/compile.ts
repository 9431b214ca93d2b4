import { invalidArgument } from '../../common/errors';
import { timestampToMs, type temporal } from '../../common/proto';
import { CompiledCalendar } from './calendar';
import { parseCalendarToStructured, parseCronString } from './cron';
import { durationNanos } from './go-duration';
import { checkIntervalDurations, compileInterval, validateInterval, type CompiledInterval } from './interval';
import { MAX_CALENDAR_YEAR, MAX_COMMENT_LEN, MIN_CALENDAR_YEAR, type IRange } from './ranges';
import { ScheduleSpecError } from './spec-error';
import { TimeZone } from './timezone';

type IScheduleSpec = temporal.api.schedule.v1.IScheduleSpec;
type IStructuredCalendarSpec = temporal.api.schedule.v1.IStructuredCalendarSpec;
type IIntervalSpec = temporal.api.schedule.v1.IIntervalSpec;

/** A schedule spec ready to search: its canonical form (what is stored and what Describe shows) and its compiled parts. */
export interface CompiledSpec {
  readonly canonical: IScheduleSpec;
  readonly zone: TimeZone;
  readonly calendars: readonly CompiledCalendar[];
  readonly excludes: readonly CompiledCalendar[];
  readonly intervals: readonly CompiledInterval[];
  /** Epoch ms; times before it are skipped (0 when unset, as Temporal reads an unset start as the unix epoch). */
  readonly startMs: number;
  /** Epoch ms; times after it are skipped. */
  readonly endMs: number | undefined;
  readonly jitterMs: number;
}

/**
 * Validates a spec and compiles it, as Temporal's frontend does on CreateSchedule and UpdateSchedule (and its
 * SpecBuilder.NewCompiledSpec): calendar and cron strings become structured calendars (and `@every` intervals, and
 * the cron strings' CRON_TZ becomes timezone_name), then everything is range-checked and the time zone loaded.
 * A bad spec throws INVALID_ARGUMENT "Invalid schedule spec: <reason>" with Temporal's reason. Idempotent: compiling
 * a canonical form gives the same canonical form.
 *
 * `timezone_data` (a tzfile a client may send in place of a zone name) is refused: the zone rules here are ICU's,
 * looked up by name.
 */
export function canonicalize(spec: IScheduleSpec | null | undefined): CompiledSpec {
  try {
    return compile(spec ?? {});
  } catch (err) {
    if (err instanceof ScheduleSpecError) throw invalidArgument(`Invalid schedule spec: ${err.message}`);
    throw err;
  }
}

const UNSET = Symbol('unset');

function canonicalForm(spec: IScheduleSpec): IScheduleSpec {
  checkIntervalDurations(spec.interval ?? []);
  const structured: IStructuredCalendarSpec[] = (spec.structuredCalendar ?? []).map(cloneCalendar);
  const excludes: IStructuredCalendarSpec[] = (spec.excludeStructuredCalendar ?? []).map(cloneCalendar);
  const intervals: IIntervalSpec[] = (spec.interval ?? []).map((iv) => ({ ...iv }));
  for (const cal of spec.calendar ?? []) structured.push(parseCalendarToStructured(cal));
  for (const cal of spec.excludeCalendar ?? []) excludes.push(parseCalendarToStructured(cal));

  let cronZone: string | typeof UNSET = UNSET;
  for (const text of spec.cronString ?? []) {
    const cron = parseCronString(text);
    // Every cron string must name the same zone, or none of them any.
    if (cronZone !== UNSET && cron.timezone !== cronZone) throw new ScheduleSpecError('conflicting timezone names');
    cronZone = cron.timezone;
    if (cron.calendar) structured.push(cron.calendar);
    if (cron.interval) intervals.push(cron.interval);
  }
  let timezoneName = spec.timezoneName ?? '';
  const hasTimezoneData = (spec.timezoneData?.length ?? 0) > 0;
  if (cronZone !== UNSET && cronZone !== '') {
    if ((timezoneName !== '' && timezoneName !== cronZone) || hasTimezoneData) throw new ScheduleSpecError('conflicting timezone names');
    timezoneName = cronZone;
  }

  for (const cal of structured) validateStructuredCalendar(cal);
  for (const iv of intervals) validateInterval(iv);
  if (hasTimezoneData) throw new ScheduleSpecError('timezone_data is not supported by this server; give timezone_name instead');

  const canonical: IScheduleSpec = {};
  if (structured.length > 0) canonical.structuredCalendar = structured;
  if (intervals.length > 0) canonical.interval = intervals;
  if (excludes.length > 0) canonical.excludeStructuredCalendar = excludes;
  if (spec.startTime) canonical.startTime = { ...spec.startTime };
  if (spec.endTime) canonical.endTime = { ...spec.endTime };
  if (spec.jitter) canonical.jitter = { ...spec.jitter };
  if (timezoneName !== '') canonical.timezoneName = timezoneName;
  return canonical;
}

function compile(spec: IScheduleSpec): CompiledSpec {
  const canonical = canonicalForm(spec);
  const zone = TimeZone.load(canonical.timezoneName ?? '');
  return {
    canonical,
    zone,
    calendars: (canonical.structuredCalendar ?? []).map((cal) => new CompiledCalendar(cal, zone)),
    excludes: (canonical.excludeStructuredCalendar ?? []).map((cal) => new CompiledCalendar(cal, zone)),
    intervals: (canonical.interval ?? []).map(compileInterval),
    startMs: timestampToMs(canonical.startTime),
    endMs: canonical.endTime ? timestampToMs(canonical.endTime) : undefined,
    jitterMs: Math.max(Number(durationNanos(canonical.jitter) / 1_000_000n), 0),
  };
}

const FIELDS = [
  ['second', 'Second', 0, 59],
  ['minute', 'Minute', 0, 59],
  ['hour', 'Hour', 0, 23],
  ['dayOfMonth', 'DayOfMonth', 1, 31],
  ['month', 'Month', 1, 12],
  ['year', 'Year', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR],
  ['dayOfWeek', 'DayOfWeek', 0, 6],
] as const;

/** Temporal's validateStructuredCalendar: every problem, comma separated, after "invalid calendar spec: ". */
function validateStructuredCalendar(cal: IStructuredCalendarSpec): void {
  const problems: string[] = [];
  for (const [key, field, min, max] of FIELDS) {
    for (const r of cal[key] ?? []) {
      const start = r.start ?? 0;
      const end = r.end ?? 0;
      if (start < min || start > max) problems.push(`${field} Start is not in range [${min}-${max}]`);
      if (end !== 0 && (end < start || end > max)) problems.push(`${field} End is before Start or not in range [${min}-${max}]`);
      if ((r.step ?? 0) < 0) problems.push(`${field} has invalid Step`);
    }
  }
  if ((cal.comment ?? '').length > MAX_COMMENT_LEN) problems.push('comment is too long');
  if (problems.length > 0) throw new ScheduleSpecError(`invalid calendar spec: ${problems.join(', ')}`);
}

function cloneCalendar(cal: IStructuredCalendarSpec): IStructuredCalendarSpec {
  const copy: IStructuredCalendarSpec = {};
  for (const [key] of FIELDS) copy[key] = (cal[key] ?? []).map((r) => ({ ...r }));
  if (cal.comment) copy.comment = cal.comment;
  return copy;
}

/**
 * The spec as DescribeSchedule and ListSchedules show it (Temporal's CleanSpec): each range spelled out, an end
 * before the start raised to the start and a zero step made 1.
 */
export function cleanSpec(spec: IScheduleSpec): IScheduleSpec {
  const clean = (cal: IStructuredCalendarSpec): IStructuredCalendarSpec => {
    const copy = cloneCalendar(cal);
    for (const [key] of FIELDS) copy[key] = (copy[key] ?? []).map(cleanRange);
    return copy;
  };
  const result: IScheduleSpec = { ...spec };
  if (spec.structuredCalendar) result.structuredCalendar = spec.structuredCalendar.map(clean);
  if (spec.excludeStructuredCalendar) result.excludeStructuredCalendar = spec.excludeStructuredCalendar.map(clean);
  return result;
}

function cleanRange(r: IRange): IRange {
  const start = r.start ?? 0;
  return { start, end: Math.max(r.end ?? 0, start), step: r.step || 1 };
}
