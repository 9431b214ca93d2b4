import { invalidArgument } from '../../common/errors';
import type { CompiledSpec } from './compile';
import { nextIntervalTime } from './interval';
import { jitterMs } from './jitter';
import { MAX_CALENDAR_YEAR } from './ranges';

/** A matching time: `nominalMs` as the spec names it, `nextMs` with the schedule's jitter added (when it acts). */
export interface NextTime {
  nominalMs: number;
  nextMs: number;
}

export interface NextTimeOptions {
  /** Temporal seeds jitter with `<namespace id>-<schedule id>` (see `jitterSeed`); '' when absent. */
  jitterSeed?: string;
  /**
   * How many excluded candidates the search may skip before giving up (Temporal's scheduler.specMaxIterations,
   * two weeks of seconds by default), so an over-excluded spec cannot spin until the year 2100.
   */
  maxIterations?: number;
}

export const DEFAULT_MAX_ITERATIONS = 2 * 7 * 24 * 60 * 60;
/** ListScheduleMatchingTimes answers at most this many times. */
export const MAX_LIST_MATCHING_TIMES = 1000;

/** The search skipped more excluded candidates than allowed (Temporal's ErrComputeLimitExceeded). */
export class SpecComputeLimitExceeded extends Error {
  constructor() {
    super('schedule spec next-time search exceeded the compute iteration limit');
    this.name = 'SpecComputeLimitExceeded';
  }
}

/** The first matching second after `afterSec` of any calendar or interval, exclusions not considered. */
function rawNextTime(spec: CompiledSpec, afterSec: number): number | undefined {
  let earliest: number | undefined;
  for (const cal of spec.calendars) {
    const t = cal.next(afterSec);
    if (t !== undefined && (earliest === undefined || t < earliest)) earliest = t;
  }
  for (const iv of spec.intervals) {
    const t = nextIntervalTime(iv, afterSec);
    if (earliest === undefined || t < earliest) earliest = t;
  }
  return earliest;
}

const excluded = (spec: CompiledSpec, sec: number): boolean => spec.excludes.some((cal) => cal.matches(sec));

/**
 * The first time after `afterMs` the spec matches, within its start and end times and not excluded, with jitter;
 * undefined if there is none (Temporal's CompiledSpec.GetNextTime). Matching times are whole seconds. A start time
 * itself can match. Jitter never reaches the following nominal time, so jittered times keep their order. Throws
 * SpecComputeLimitExceeded past `maxIterations` excluded candidates.
 */
export function nextTime(spec: CompiledSpec, afterMs: number, options: NextTimeOptions = {}): NextTime | undefined {
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  let afterSec = Math.floor(Math.max(afterMs, spec.startMs - 1000) / 1000);
  let nominal: number | undefined;
  for (let iterations = 0; nominal === undefined || excluded(spec, nominal); iterations++) {
    if (iterations >= maxIterations) throw new SpecComputeLimitExceeded();
    nominal = rawNextTime(spec, afterSec);
    if (nominal === undefined || pastEnd(spec, nominal)) return undefined;
    afterSec = nominal;
  }
  let maxJitterMs = spec.jitterMs;
  const following = rawNextTime(spec, nominal);
  if (following !== undefined) maxJitterMs = Math.min(maxJitterMs, (following - nominal) * 1000);
  return { nominalMs: nominal * 1000, nextMs: nominal * 1000 + jitterMs(options.jitterSeed ?? '', nominal, maxJitterMs) };
}

function pastEnd(spec: CompiledSpec, sec: number): boolean {
  return (spec.endMs !== undefined && sec * 1000 > spec.endMs) || new Date(sec * 1000).getUTCFullYear() > MAX_CALENDAR_YEAR;
}

/**
 * ListScheduleMatchingTimes: the jittered times in [startMs, endMs], each searched from the one before, at most
 * MAX_LIST_MATCHING_TIMES of them. An over-excluded spec answers INVALID_ARGUMENT, as Temporal does.
 */
export function matchingTimes(spec: CompiledSpec, startMs: number, endMs: number, options: NextTimeOptions = {}): number[] {
  const times: number[] = [];
  let after = startMs;
  while (times.length < MAX_LIST_MATCHING_TIMES) {
    let next: NextTime | undefined;
    try {
      next = nextTime(spec, after, options);
    } catch (err) {
      if (err instanceof SpecComputeLimitExceeded) {
        throw invalidArgument('the schedule calendar specification has too many exclusions. Please modify the specification.');
      }
      throw err;
    }
    if (next === undefined || next.nextMs > endMs) break;
    times.push(next.nextMs);
    after = next.nextMs;
  }
  return times;
}

/**
 * The next `count` jittered action times after `afterMs`, for DescribeSchedule's future_action_times (Temporal shows
 * 10, fewer when the schedule has fewer actions left). Stops early at the end of the schedule, and on an
 * over-excluded spec returns what it has.
 */
export function futureActionTimes(spec: CompiledSpec, afterMs: number, count: number, options: NextTimeOptions = {}): number[] {
  const times: number[] = [];
  let after = afterMs;
  while (times.length < count) {
    let next: NextTime | undefined;
    try {
      next = nextTime(spec, after, options);
    } catch (err) {
      if (err instanceof SpecComputeLimitExceeded) break;
      throw err;
    }
    if (next === undefined) break;
    times.push(next.nextMs);
    after = next.nextMs;
  }
  return times;
}
