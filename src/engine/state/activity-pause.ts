import { activityNotFound, failedPrecondition } from '../../common/errors';
import type { activity } from '../../common/proto';
import type { ActivityInfo, ActivityPauseInfo, MutableState } from '../../store/records';
import { applyActivityOptions } from './activity-options';
import { isStarted, setNextAttempt } from './activity-state';

/**
 * PauseActivity, UnpauseActivity and ResetActivity on one pending activity (Temporal's
 * service/history/workflow/activity.go). A paused activity is not dispatched and has no timeouts
 * (`task-generator.ts`, `timeouts.ts`); a running attempt learns of a pause or reset through its
 * heartbeat responses and is not retried while paused (`activity-state.ts`).
 */

/** Which pending activities a request names: its `id`, its `type`, or all of them (`matchAll` / `unpauseAll`). */
export type ActivityTarget = { id: string } | { type: string } | { all: true };

/** The addressed activities' scheduled event ids; none is Temporal's ErrActivityNotFound. */
export function targetedActivities(ms: MutableState, target: ActivityTarget): number[] {
  const pending = Object.values(ms.activities);
  const matches =
    'id' in target ? pending.filter((a) => a.activityId === target.id) : 'type' in target ? pending.filter((a) => a.activityType === target.type) : pending;
  if (matches.length === 0) throw activityNotFound();
  return matches.map((a) => a.scheduledEventId);
}

/** A pause repeated with the same request id is a no-op; any other pause of a paused activity is refused. */
export function pauseActivity(a: ActivityInfo, pauseInfo: ActivityPauseInfo): void {
  if (a.paused) {
    if ((a.pauseInfo?.requestId ?? '') === pauseInfo.requestId) return;
    throw failedPrecondition('activity is already paused');
  }
  a.paused = true;
  a.pauseInfo = pauseInfo;
}

export interface UnpauseOptions {
  resetAttempts: boolean;
  resetHeartbeat: boolean;
  /** The random part of the request's jitter: the next attempt is dispatched this long after now. */
  delayMs: number;
}

/** Unpausing an activity that is not paused does nothing; an activity waiting for an attempt gets one now (plus jitter). */
export function unpauseActivity(a: ActivityInfo, now: number, options: UnpauseOptions): void {
  if (!a.paused) return;
  clearPause(a);
  if (options.resetAttempts) a.attempt = 1;
  if (options.resetHeartbeat) {
    a.heartbeatDetails = undefined;
    a.lastHeartbeatTime = undefined;
  }
  if (!isStarted(a)) setNextAttempt(a, a.attempt, now + options.delayMs, undefined);
}

export interface ResetOptions {
  resetHeartbeat: boolean;
  keepPaused: boolean;
  delayMs: number;
  /** The options of the ActivityTaskScheduled event, when the request restores them. */
  originalOptions?: activity.IActivityOptions;
  workflowTaskQueue: string;
  runTimeoutMs: number;
}

/**
 * Back to attempt 1. A running attempt keeps running and learns of the reset from its heartbeats; its
 * heartbeat details survive unless asked (then the next attempt starts without them). An activity waiting
 * for an attempt, and not kept paused, gets attempt 1 now (plus jitter).
 */
export function resetActivity(a: ActivityInfo, now: number, options: ResetOptions): void {
  const wasPaused = a.paused === true;
  if (options.originalOptions) applyActivityOptions(a, options.originalOptions, options.workflowTaskQueue, options.runTimeoutMs);
  a.attempt = 1;
  a.activityReset = true;
  if (options.resetHeartbeat) a.resetHeartbeats = true;
  if (wasPaused && !options.keepPaused) clearPause(a);
  if (isStarted(a) || a.paused) return;
  if (options.resetHeartbeat) {
    a.heartbeatDetails = undefined;
    a.lastHeartbeatTime = undefined;
  }
  setNextAttempt(a, 1, now + options.delayMs, undefined);
}

function clearPause(a: ActivityInfo): void {
  a.paused = undefined;
  a.pauseInfo = undefined;
}
