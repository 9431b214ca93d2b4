// Temporary stand-in for src/schedules/spec (built on branch `schedspec`): intervals only, no jitter. Deleted when that merges.
import { invalidArgument } from '../common/errors';
import { durationToMs, timestampToMs, type temporal } from '../common/proto';

type IScheduleSpec = temporal.api.schedule.v1.IScheduleSpec;

export interface CompiledSpec {
  canonical: IScheduleSpec;
  intervals: { everyMs: number; offsetMs: number }[];
  startMs?: number;
  endMs?: number;
}

export function canonicalize(spec: IScheduleSpec): CompiledSpec {
  const intervals = (spec.interval ?? []).map((i) => {
    const everyMs = durationToMs(i.interval);
    const offsetMs = durationToMs(i.phase);
    if (everyMs < 1000) throw invalidArgument(`invalid interval: ${everyMs}ms`);
    return { everyMs, offsetMs };
  });
  return {
    canonical: spec,
    intervals,
    startMs: spec.startTime ? timestampToMs(spec.startTime) : undefined,
    endMs: spec.endTime ? timestampToMs(spec.endTime) : undefined,
  };
}

export function nextTime(compiled: CompiledSpec, afterMs: number): { nominalMs: number; nextMs: number } | undefined {
  const after = Math.max(afterMs, (compiled.startMs ?? -Infinity) - 1);
  let best: number | undefined;
  for (const { everyMs, offsetMs } of compiled.intervals) {
    const t = (Math.floor((after - offsetMs) / everyMs) + 1) * everyMs + offsetMs;
    if (best === undefined || t < best) best = t;
  }
  if (best === undefined || (compiled.endMs !== undefined && best > compiled.endMs)) return undefined;
  return { nominalMs: best, nextMs: best };
}

export function matchingTimes(compiled: CompiledSpec, startMs: number, endMs: number): number[] {
  const out: number[] = [];
  for (let n = nextTime(compiled, startMs); n && n.nextMs <= endMs && out.length < 1000; n = nextTime(compiled, n.nominalMs)) out.push(n.nextMs);
  return out;
}

export function futureActionTimes(compiled: CompiledSpec, afterMs: number, count: number): number[] {
  const out: number[] = [];
  for (let n = nextTime(compiled, afterMs); n && out.length < count; n = nextTime(compiled, n.nominalMs)) out.push(n.nextMs);
  return out;
}
