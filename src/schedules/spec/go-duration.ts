import { Long, toNumber, type IDuration } from '../../common/proto';
import { ScheduleSpecError } from './spec-error';

/**
 * Durations as Temporal reads them in `@every`: Go's time.ParseDuration plus a `d` unit of exactly 24 hours
 * (common/primitives/timestamp/parse_duration.go), in nanoseconds, with Go's error texts. Also the protobuf
 * Duration checks the frontend applies to intervals (durationpb's CheckValid).
 */

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_NANOS = (1n << 63n) - 1n;

/** Temporal rewrites each `<number>d` as hours before handing the text to Go (so errors quote the rewritten text). */
function daysToHours(s: string): string {
  return s.replace(/(\d+(\.\d*)?|(\.\d+))d/g, (match) => `${(24 * Number(match.slice(0, -1))).toFixed(6)}h`);
}

export function parseGoDuration(text: string): bigint {
  const orig = daysToHours(text);
  const invalid = (): ScheduleSpecError => new ScheduleSpecError(`time: invalid duration ${JSON.stringify(orig)}`);
  let s = orig;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2];
    if (!/^[0-9.]/.test(s) || (whole === '' && !fraction)) throw invalid();
    s = s.slice(number?.[0].length ?? 0);
    const unitText = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    if (unitText === '') throw new ScheduleSpecError(`time: missing unit in duration ${JSON.stringify(orig)}`);
    s = s.slice(unitText.length);
    const unit = UNITS[unitText];
    if (unit === undefined) throw new ScheduleSpecError(`time: unknown unit ${JSON.stringify(unitText)} in duration ${JSON.stringify(orig)}`);
    let value = BigInt(whole === '' ? '0' : whole) * unit;
    // Go scales the fraction in float64, which is nanosecond-accurate up to hours.
    if (fraction) value += BigInt(Math.floor(Number(fraction) * (Number(unit) / 10 ** fraction.length)));
    total += value;
    if (total > MAX_NANOS + (negative ? 1n : 0n)) throw invalid();
  }
  return negative ? -total : total;
}

/** A nanosecond count as durationpb.New makes it: whole seconds, and nanos with the same sign. */
export function goDurationToProto(nanos: bigint): IDuration {
  return { seconds: Long.fromString((nanos / 1_000_000_000n).toString()), nanos: Number(nanos % 1_000_000_000n) };
}

/** A protobuf Duration in nanoseconds (Temporal's timestamp.DurationValue, unset = 0). */
export function durationNanos(d: IDuration | null | undefined): bigint {
  if (!d) return 0n;
  return BigInt(toNumber(d.seconds)) * 1_000_000_000n + BigInt(d.nanos ?? 0);
}

const MAX_DURATION_SECONDS = 315_576_000_000; // 10,000 years, durationpb's bound

/** durationpb's CheckValid: undefined when valid, else its reason. */
export function durationProblem(d: IDuration): string | undefined {
  const seconds = toNumber(d.seconds);
  const nanos = d.nanos ?? 0;
  const text = `seconds:${seconds} nanos:${nanos}`;
  if (seconds < -MAX_DURATION_SECONDS) return `proto: duration (${text}) exceeds -10000 years`;
  if (seconds > MAX_DURATION_SECONDS) return `proto: duration (${text}) exceeds +10000 years`;
  if (nanos <= -1e9 || nanos >= 1e9) return `proto: duration (${text}) has out-of-range nanos`;
  if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) return `proto: duration (${text}) has seconds and nanos with different signs`;
  return undefined;
}
