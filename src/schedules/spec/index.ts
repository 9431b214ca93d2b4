/**
 * The schedule spec engine: when a schedule acts. Pure and deterministic; the ScheduleService (create, describe,
 * list matching times, the scheduler's timers) is built on it.
 */
export { canonicalize, cleanSpec, type CompiledSpec } from './compile';
export { jitterSeed } from './jitter';
export {
  DEFAULT_MAX_ITERATIONS,
  MAX_LIST_MATCHING_TIMES,
  SpecComputeLimitExceeded,
  futureActionTimes,
  matchingTimes,
  nextTime,
  type NextTime,
  type NextTimeOptions,
} from './next-time';
