import type { temporal } from '../../common/proto';
import { durationNanos, durationProblem } from './go-duration';
import { ScheduleSpecError } from './spec-error';

type IIntervalSpec = temporal.api.schedule.v1.IIntervalSpec;

const SECOND = 1_000_000_000n;

/** An interval spec in whole seconds: it matches every unix time t with (t - phase) a multiple of the interval. */
export interface CompiledInterval {
  intervalSec: number;
  phaseSec: number;
}

/** The frontend's check that interval and phase are well-formed protobuf Durations (validateScheduleIntervalDurations). */
export function checkIntervalDurations(intervals: readonly IIntervalSpec[]): void {
  for (const iv of intervals) {
    const interval = iv.interval ? durationProblem(iv.interval) : undefined;
    if (interval) throw new ScheduleSpecError(`interval is not a valid duration: ${interval}`);
    const phase = iv.phase ? durationProblem(iv.phase) : undefined;
    if (phase) throw new ScheduleSpecError(`phase is not a valid duration: ${phase}`);
  }
}

/** Temporal's validateInterval: at least a second, and a phase in [0, interval). */
export function validateInterval(iv: IIntervalSpec | null | undefined): void {
  if (!iv) throw new ScheduleSpecError('interval is nil');
  const interval = durationNanos(iv.interval);
  const phase = durationNanos(iv.phase);
  if (interval < SECOND) throw new ScheduleSpecError('interval is too small');
  if (phase < 0n) throw new ScheduleSpecError('phase is negative');
  if (phase >= interval) throw new ScheduleSpecError('phase cannot be greater than Interval');
}

export function compileInterval(iv: IIntervalSpec): CompiledInterval {
  return {
    intervalSec: Math.max(Number(durationNanos(iv.interval) / SECOND), 1),
    phaseSec: Math.max(Number(durationNanos(iv.phase) / SECOND), 0),
  };
}

/** The first matching second strictly after `unixSec` (Go's truncating division, as Temporal computes it). */
export function nextIntervalTime(iv: CompiledInterval, unixSec: number): number {
  return (Math.trunc((unixSec - iv.phaseSec) / iv.intervalSec) + 1) * iv.intervalSec + iv.phaseSec;
}
