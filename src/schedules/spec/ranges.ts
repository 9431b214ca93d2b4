import type { temporal } from '../../common/proto';
import { ScheduleSpecError } from './spec-error';

/** Range parsing and matching for calendar fields, as Temporal's service/worker/scheduler/calendar.go. */

export type IRange = temporal.api.schedule.v1.IRange;

/** The earliest and latest years a calendar can name; the search for a next time stops after the latest. */
export const MIN_CALENDAR_YEAR = 2000;
export const MAX_CALENDAR_YEAR = 2100;
export const MAX_COMMENT_LEN = 200;

/** How a field's values are spelled: integers everywhere; month and day-of-week names where they make sense. */
export type ParseMode = 'int' | 'year' | 'month' | 'dayOfWeek';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

class OutOfRange extends Error {}

/** Go's strconv.Atoi, with its error text (it surfaces in the message for a bad step). */
export function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new ScheduleSpecError(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) throw new ScheduleSpecError(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** One value: an integer, or a name prefix (three letters for months, two for weekdays). */
export function parseValue(s: string, min: number, max: number, mode: ParseMode): number {
  const names = mode === 'month' ? MONTHS : mode === 'dayOfWeek' ? WEEKDAYS : undefined;
  const minLength = mode === 'month' ? 3 : 2;
  if (names && s.length >= minLength) {
    const lower = s.toLowerCase();
    const i = names.findIndex((name) => name.startsWith(lower));
    if (i >= 0) {
      const value = mode === 'month' ? i + 1 : i;
      if (value < min || value > max) throw new OutOfRange();
      return value;
    }
  }
  const value = atoi(s);
  if (value < min || value > max) throw new OutOfRange();
  return value;
}

function compact(start: number, end: number, step: number): IRange {
  // Zero is the proto default for end and step, so a single value or a step of one is left out (as Temporal does).
  const range: IRange = { start };
  if (end !== start) range.end = end;
  if (step !== 1) range.step = step;
  return range;
}

/**
 * Parses a field such as `*`, `5`, `1-5`, `1-5/2`, `3/5` (3 to the maximum by 5) or a comma list of those. An empty
 * field takes `def`. `*` for a year is the empty list (every year). Day of week accepts 7 for Sunday.
 */
export function makeRange(text: string, field: string, def: string, min: number, max: number, mode: ParseMode): IRange[] {
  let s = text.trim();
  if (s === '') s = def;
  if (s === '*' && mode === 'year') return [];
  const ranges: IRange[] = [];
  for (let part of s.split(',')) {
    let step = 1;
    let hasStep = false;
    const slashes = part.split('/').length - 1;
    if (slashes > 1) throw new ScheduleSpecError(`${field} has too many slashes`);
    if (slashes === 1) {
      const [before, after] = part.split('/') as [string, string];
      if (after === '') throw new ScheduleSpecError(`${field} missing step value`);
      part = before;
      step = atoi(after);
      if (step < 1) throw new ScheduleSpecError(`${field} has invalid Step`);
      hasStep = true;
    }
    let start = min;
    let end = max;
    if (part !== '*') {
      if (part.includes('-')) {
        const dashes = part.split('-');
        if (dashes.length !== 2) throw new ScheduleSpecError(`${field} has too many dashes`);
        start = parseOr(dashes[0] ?? '', min, max, mode, `${field} Start is not in range [${min}-${max}]`);
        end = parseOr(dashes[1] ?? '', start, max, mode, `${field} End is before Start or not in range [${min}-${max}]`);
      } else {
        start = parseOr(part, min, max, mode, `${field} is not in range [${min}-${max}]`);
        // With a step a single value runs to the maximum; without one it is just itself.
        if (!hasStep) end = start;
      }
    }
    if (mode === 'dayOfWeek' && end === 7) {
      // 7 is Sunday, which is 0. A range reaching 7 becomes one ending at 6, plus a separate 0 when 7 was one of its
      // values and 0 would not already be covered (a step other than one, or a start after Monday).
      if ((7 - start) % step === 0 && (step > 1 || start > 1)) {
        ranges.push({ start: 0 });
        if (start === 7) continue;
      }
      end = 6;
    }
    ranges.push(compact(start, end, step));
  }
  return ranges;
}

function parseOr(s: string, min: number, max: number, mode: ParseMode, message: string): number {
  try {
    return parseValue(s, min, max, mode);
  } catch {
    throw new ScheduleSpecError(message);
  }
}

/**
 * Every value the ranges name up to `limit`, with Temporal's defaults: a missing step is 1, an end before the start
 * is the start.
 */
export function rangeValues(ranges: readonly IRange[], limit: number): number[] {
  const values: number[] = [];
  for (const r of ranges) {
    const start = r.start ?? 0;
    const end = Math.min(Math.max(r.end ?? 0, start), limit);
    // Exclusion calendars are not range-checked (as in Temporal), so a step below one is taken as one, not looped on.
    const step = Math.max(r.step ?? 0, 1);
    for (let v = start; v <= end; v += step) values.push(v);
  }
  return values;
}

export type Matcher = (value: number) => boolean;

/** A matcher for a small field (seconds to months, weekdays): a table of the values named. */
export function makeMatcher(ranges: readonly IRange[]): Matcher {
  const table = new Uint8Array(64);
  for (const v of rangeValues(ranges, 63)) if (v >= 0 && v < 64) table[v] = 1;
  return (value) => table[value] === 1;
}

/** A matcher for years, where no ranges at all means every year. */
export function makeYearMatcher(ranges: readonly IRange[]): Matcher {
  if (ranges.length === 0) return () => true;
  const years = new Set(rangeValues(ranges, MAX_CALENDAR_YEAR));
  return (value) => years.has(value);
}

export function isLeapYear(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

export function daysInMonth(month: number, year: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
