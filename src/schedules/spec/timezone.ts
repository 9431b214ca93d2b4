import { IANAZone } from 'luxon';
import { ScheduleSpecError } from './spec-error';

const BUCKET = 15 * 60;
const MAX_BUCKETS = 100_000;

/** A wall clock reading in a zone; month 1–12, weekday 0 = Sunday (as Go's time package). */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/**
 * A time zone used the way Temporal's scheduler uses Go's `*time.Location`. Offsets come from luxon (the ICU
 * tz database); what Temporal's calendar search depends on is Go's choice when a wall clock is ambiguous or
 * missing, which `instantOf` reproduces.
 */
export class TimeZone {
  private constructor(
    readonly name: string,
    private readonly zone: IANAZone | undefined,
  ) {}

  static readonly UTC = new TimeZone('UTC', undefined);

  /** As Go's time.LoadLocation: "" and "UTC" are UTC, "Local" is the process's zone, anything else an IANA name. */
  static load(name: string): TimeZone {
    if (name === '' || name === 'UTC') return TimeZone.UTC;
    const resolved = name === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : name;
    if (!IANAZone.isValidZone(resolved)) throw new ScheduleSpecError(`unknown time zone ${name}`);
    return new TimeZone(name, IANAZone.create(resolved));
  }

  /** Offsets of whole 15-minute buckets with no transition inside; each ICU lookup costs tens of microseconds. */
  private readonly buckets = new Map<number, number>();

  /** Seconds east of UTC at the instant `unixSec`. */
  offsetAt(unixSec: number): number {
    if (!this.zone) return 0;
    const bucket = Math.floor(unixSec / BUCKET);
    const cached = this.buckets.get(bucket);
    if (cached !== undefined) return cached;
    const first = this.lookup(bucket * BUCKET);
    // Transitions are months apart, so equal offsets at both ends mean one offset throughout the bucket.
    if (first !== this.lookup(bucket * BUCKET + BUCKET - 1)) return this.lookup(unixSec);
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
    this.buckets.set(bucket, first);
    return first;
  }

  private lookup(unixSec: number): number {
    return this.zone ? Math.round(this.zone.offset(unixSec * 1000) * 60) : 0;
  }

  wallClock(unixSec: number): WallClock {
    const d = new Date((unixSec + this.offsetAt(unixSec)) * 1000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }

  /**
   * The instant (unix seconds) of a wall clock, out-of-range fields carried over as Go's time.Date does. Go reads
   * the offset in force at the wall clock taken as UTC and, if the instant that gives lies outside that offset's
   * period, uses the offset at that instant instead. So a wall clock skipped by a DST gap lands an hour early
   * (02:30 on a spring-forward night in New York is 01:30 EST), and a repeated one resolves to whichever copy that
   * first guess reaches: the first (daylight) copy west of Greenwich, the second (standard) one in London. The
   * calendar search is written against exactly this behaviour.
   */
  instantOf(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    const local = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
    const guess = this.offsetAt(local);
    const actual = this.offsetAt(local - guess);
    return local - (actual === guess ? guess : actual);
  }
}
