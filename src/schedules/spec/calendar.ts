import type { temporal } from '../../common/proto';
import { MAX_CALENDAR_YEAR, daysInMonth, makeMatcher, makeYearMatcher, type Matcher } from './ranges';
import type { TimeZone } from './timezone';

const HOUR = 3600;

/**
 * A structured calendar compiled for one time zone: a predicate per field, and the search for the next matching
 * second (Temporal's compiledCalendar in service/worker/scheduler/calendar.go). Times are unix seconds.
 */
export class CompiledCalendar {
  private readonly year: Matcher;
  private readonly month: Matcher;
  private readonly dayOfMonth: Matcher;
  private readonly dayOfWeek: Matcher;
  private readonly everyWeekday: boolean;
  private readonly hour: Matcher;
  private readonly minute: Matcher;
  private readonly second: Matcher;

  constructor(
    spec: temporal.api.schedule.v1.IStructuredCalendarSpec,
    private readonly zone: TimeZone,
  ) {
    this.year = makeYearMatcher(spec.year ?? []);
    this.month = makeMatcher(spec.month ?? []);
    this.dayOfMonth = makeMatcher(spec.dayOfMonth ?? []);
    this.dayOfWeek = makeMatcher(spec.dayOfWeek ?? []);
    this.everyWeekday = [0, 1, 2, 3, 4, 5, 6].every((d) => this.dayOfWeek(d));
    this.hour = makeMatcher(spec.hour ?? []);
    this.minute = makeMatcher(spec.minute ?? []);
    this.second = makeMatcher(spec.second ?? []);
  }

  /** Whether the instant's wall clock in the calendar's zone matches every field. */
  matches(unixSec: number): boolean {
    const w = this.zone.wallClock(unixSec);
    return (
      this.year(w.year) &&
      this.month(w.month) &&
      this.dayOfMonth(w.day) &&
      this.dayOfWeek(w.weekday) &&
      this.hour(w.hour) &&
      this.minute(w.minute) &&
      this.second(w.second)
    );
  }

  /**
   * The earliest matching second after `unixSec`, or undefined if none before the end of MAX_CALENDAR_YEAR. Walks the
   * wall clock field by field, outermost first. DST as Temporal: a wall time skipped by a spring-forward gap never
   * matches, and a wall time repeated by a fall-back matches twice (the search notices an hour that lasts two and
   * walks it again an hour later).
   */
  next(unixSec: number): number | undefined {
    const zone = this.zone;
    let { year: y, month: mo, day: d, hour: h, minute: m, second: s } = zone.wallClock(unixSec);
    // Already in the second copy of a repeated hour: what the walk finds is shifted an hour later.
    let repeat = zone.wallClock(unixSec - HOUR).hour === h ? HOUR : 0;
    s++;
    outer: for (;;) {
      if (s >= 60) [m, s] = [m + 1, 0];
      if (m >= 60) {
        const hourStart = zone.instantOf(y, mo, d, h, 0, 0);
        h++;
        m = 0;
        // Moving to the next hour took two real hours: the hour just walked is repeated, so walk it once more.
        if (repeat === 0 && zone.instantOf(y, mo, d, h, 0, 0) - hourStart > HOUR) [h, repeat] = [h - 1, HOUR];
        else repeat = 0;
      }
      if (h >= 24) [d, h] = [d + 1, 0];
      if (d > daysInMonth(mo, y)) [mo, d] = [mo + 1, 1];
      if (mo > 12) [y, mo] = [y + 1, 1];
      if (y > MAX_CALENDAR_YEAR) return undefined;

      if (!this.year(y)) {
        [y, mo, d, h, m, s, repeat] = [y + 1, 1, 1, 0, 0, 0, 0];
        continue outer;
      }
      while (!this.month(mo)) {
        [mo, d, h, m, s, repeat] = [mo + 1, 1, 0, 0, 0, 0];
        if (mo > 12) continue outer;
      }
      while (!this.dayOfMonth(d) || !this.weekdayMatches(y, mo, d, h, m, s)) {
        [d, h, m, s, repeat] = [d + 1, 0, 0, 0, 0];
        if (d > daysInMonth(mo, y)) continue outer;
      }
      while (!this.hour(h)) {
        [h, m, s, repeat] = [h + 1, 0, 0, 0];
        if (h >= 24) continue outer;
      }
      while (!this.minute(m)) {
        [m, s] = [m + 1, 0];
        if (m >= 60) continue outer;
      }
      while (!this.second(s)) {
        s++;
        if (s >= 60) continue outer;
      }
      const found = zone.instantOf(y, mo, d, h, m, s);
      // A wall time inside a spring-forward gap resolves to another hour: it does not exist, so move on.
      if (zone.wallClock(found).hour !== h) {
        [h, m, s] = [h + 1, 0, 0];
        continue outer;
      }
      return found + repeat;
    }
  }

  private weekdayMatches(y: number, mo: number, d: number, h: number, m: number, s: number): boolean {
    return this.everyWeekday || this.dayOfWeek(this.zone.wallClock(this.zone.instantOf(y, mo, d, h, m, s)).weekday);
  }
}
