import { createHash } from 'node:crypto';
import { durationToMs, enums, toNumber, Long, timestampToMs, type temporal } from '../common/proto';
import type { BufferedStart, PendingStart, ScheduledRun, ScheduleProgress } from '../store/schedule-records';
import { decideBuffer } from './overlap';
import { jitterSeed, nextTime as specNextTime, SpecComputeLimitExceeded, type CompiledSpec, type NextTime } from './spec';

/**
 * The scheduler's decisions, pure: given a schedule, its compiled spec and the time, what to start, cancel or
 * terminate, and how its counters, buffer and recent actions change. Temporal's v1 scheduler workflow
 * (service/worker/scheduler/workflow.go) with its current defaults (TweakablePolicies).
 */

export type ISchedule = temporal.api.schedule.v1.ISchedule;
const P = enums.ScheduleOverlapPolicy;
const Status = enums.WorkflowExecutionStatus;

export const DEFAULT_CATCHUP_WINDOW_MS = 365 * 24 * 3600_000;
export const MIN_CATCHUP_WINDOW_MS = 10_000;
export const RECENT_ACTION_COUNT = 10;
export const FUTURE_ACTION_COUNT = 10;
export const MAX_BUFFER_SIZE = 1000;
const BACKFILLS_PER_ITERATION = 10;

/** One schedule being decided on: `schedule.state` (pause, notes, remaining actions) changes here too. */
export interface ScheduleDoc {
  namespaceId: string;
  scheduleId: string;
  schedule: ISchedule;
  progress: ScheduleProgress;
  conflictToken: number;
  /** Base64 SearchAttributes of the schedule (UpdateSchedule may replace them). */
  searchAttributes?: string;
}

export interface TickResult {
  /** When the schedule next needs to look at the time (the next action time, or now while backfills remain). */
  nextWakeup?: number;
  /** Running runs to cancel or terminate (an overlap policy asked for it). */
  cancel: ScheduledRun[];
  terminate: ScheduledRun[];
}

/** The schedule's next action time after `afterMs`, jittered as Temporal jitters it (seeded by namespace and schedule id). */
function nextTime(doc: ScheduleDoc, spec: CompiledSpec, afterMs: number): NextTime | undefined {
  try {
    return specNextTime(spec, afterMs, { jitterSeed: jitterSeed(doc.namespaceId, doc.scheduleId) });
  } catch (err) {
    // An over-excluded spec has no next time it can find: the schedule waits for an update instead of failing each wake-up.
    if (err instanceof SpecComputeLimitExceeded) return undefined;
    throw err;
  }
}

export function newProgress(now: number): ScheduleProgress {
  return {
    createTime: now,
    lastProcessedTime: now,
    actionCount: 0,
    missedCatchupWindow: 0,
    overlapSkipped: 0,
    bufferDropped: 0,
    buffer: [],
    backfills: [],
    pendingStarts: [],
    running: [],
    recentActions: [],
  };
}

export function resolveOverlapPolicy(doc: ScheduleDoc, policy: enums.ScheduleOverlapPolicy | null | undefined): enums.ScheduleOverlapPolicy {
  return policy || doc.schedule.policies?.overlapPolicy || P.SCHEDULE_OVERLAP_POLICY_SKIP;
}

export function catchupWindowMs(doc: ScheduleDoc): number {
  const cw = doc.schedule.policies?.catchupWindow;
  if (!cw) return DEFAULT_CATCHUP_WINDOW_MS;
  return Math.max(durationToMs(cw), MIN_CATCHUP_WINDOW_MS);
}

/** Manual starts always may; scheduled ones not while paused or out of remaining actions (and use one up when `decrement`). */
function canTakeScheduledAction(doc: ScheduleDoc, manual: boolean, decrement: boolean): boolean {
  if (manual) return true;
  const state = (doc.schedule.state ??= {});
  if (state.paused) return false;
  if (!state.limitedActions) return true;
  const remaining = toNumber(state.remainingActions);
  if (remaining <= 0) return false;
  if (decrement) {
    state.remainingActions = Long.fromNumber(remaining - 1);
    doc.conflictToken++;
  }
  return true;
}

export function addStart(doc: ScheduleDoc, start: BufferedStart): void {
  if (doc.progress.buffer.length >= MAX_BUFFER_SIZE) {
    doc.progress.bufferDropped++;
    return;
  }
  doc.progress.buffer.push(start);
}

/**
 * Buffers the action times in (start, end]; those already older than the catch-up window at `end` are counted as
 * missed instead. Returns the first action time after the range and the last nominal time handled.
 */
export function processTimeRange(
  doc: ScheduleDoc,
  spec: CompiledSpec,
  range: { start: number; end: number; overlapPolicy: enums.ScheduleOverlapPolicy; manual: boolean; limit?: { n: number } },
): { next?: number; lastHandled: number } {
  const { start, end, overlapPolicy, manual, limit } = range;
  if (!canTakeScheduledAction(doc, manual, false)) return { next: nextTime(doc, spec, end)?.nextMs, lastHandled: end };
  const catchup = catchupWindowMs(doc);
  const updateTime = doc.progress.updateTime ?? 0;
  let lastHandled = start;
  let n = nextTime(doc, spec, start);
  for (; n && n.nextMs <= end; n = nextTime(doc, spec, n.nominalMs)) {
    lastHandled = n.nominalMs;
    // Times before the last update were decided under the old spec.
    if (!manual && updateTime > n.nextMs) continue;
    if (!manual && end - n.nextMs > catchup) {
      doc.progress.missedCatchupWindow++;
      continue;
    }
    addStart(doc, { nominalTime: n.nominalMs, actualTime: n.nextMs, overlapPolicy, manual });
    if (limit && --limit.n <= 0) {
      n = nextTime(doc, spec, n.nominalMs);
      break;
    }
  }
  return { next: n?.nextMs, lastHandled };
}

/** Catches up on the action times between the last processed time and now. */
export function advanceTime(doc: ScheduleDoc, spec: CompiledSpec, now: number): number | undefined {
  const start = doc.progress.lastProcessedTime;
  const end = Math.max(now, start);
  const { next, lastHandled } = processTimeRange(doc, spec, { start, end, overlapPolicy: P.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED, manual: false });
  doc.progress.lastProcessedTime = lastHandled;
  return next;
}

/** One wake-up: time up to now, then backfills, then whatever the buffer may start. */
export function tick(doc: ScheduleDoc, spec: CompiledSpec, now: number): TickResult {
  let nextWakeup = advanceTime(doc, spec, now);
  processBackfills(doc, spec);
  if (doc.progress.backfills.length > 0) nextWakeup = now;
  const result: TickResult = { nextWakeup, cancel: [], terminate: [] };
  for (let i = 0; i < MAX_BUFFER_SIZE && processBuffer(doc, now, result); i++);
  return result;
}

function processBackfills(doc: ScheduleDoc, spec: CompiledSpec): void {
  const limit = { n: BACKFILLS_PER_ITERATION };
  const backfills = doc.progress.backfills;
  while (backfills.length > 0 && limit.n > 0 && doc.progress.buffer.length < MAX_BUFFER_SIZE / 2) {
    const b = backfills[0] as (typeof backfills)[number];
    const { next } = processTimeRange(doc, spec, { start: b.startTime, end: b.endTime, overlapPolicy: b.overlapPolicy, manual: true, limit });
    if (next === undefined || next > b.endTime) backfills.shift();
    else b.startTime = next - 1; // resume at `next`, which the range's exclusive start must include
  }
}

/** Starts what the overlap policies allow; true when it should run again (a start was dropped: paused or out of actions). */
function processBuffer(doc: ScheduleDoc, now: number, result: TickResult): boolean {
  const progress = doc.progress;
  const action = doc.schedule.action?.startWorkflow;
  if (!action || progress.buffer.length === 0) {
    progress.buffer = [];
    return false;
  }
  const d = decideBuffer(progress.buffer, progress.running.length > 0, (p) => resolveOverlapPolicy(doc, p));
  progress.buffer = d.newBuffer;
  progress.overlapSkipped += d.overlapSkipped;
  let tryAgain = false;
  const starts = d.nonOverlappingStart ? [...d.overlappingStarts, d.nonOverlappingStart] : d.overlappingStarts;
  for (const start of starts) {
    if (!canTakeScheduledAction(doc, start.manual, true)) {
      tryAgain = true;
      continue;
    }
    const pending = pendingStart(doc, start, action.workflowId ?? '');
    progress.pendingStarts.push(pending);
    progress.actionCount++;
    const run = { workflowId: pending.workflowId, runId: '' };
    progress.recentActions = [
      ...progress.recentActions,
      { ...run, scheduleTime: start.actualTime, actualTime: now, status: Status.WORKFLOW_EXECUTION_STATUS_RUNNING },
    ].slice(-RECENT_ACTION_COUNT);
    // ALLOW_ALL runs are not tracked: they never hold back another start (Temporal's DontTrackOverlapping).
    if (start === d.nonOverlappingStart) progress.running.push(run);
  }
  const started = progress.running.filter((r) => r.runId !== '');
  if (d.needTerminate) result.terminate.push(...started);
  else if (d.needCancel) result.cancel.push(...started);
  return tryAgain;
}

function pendingStart(doc: ScheduleDoc, start: BufferedStart, baseWorkflowId: string): PendingStart {
  const workflowId = `${baseWorkflowId}-${rfc3339Seconds(start.nominalTime)}`;
  // Derived, not random, and recorded before the start: a start retried after a crash is the same start.
  const requestId = createHash('sha256').update(`${doc.namespaceId}\n${doc.scheduleId}\n${start.nominalTime}\n${doc.progress.actionCount}`).digest('hex');
  return { ...start, workflowId, requestId };
}

/** Go's time.RFC3339 of the time truncated to the second, in UTC: `2024-01-02T03:04:05Z`. */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The start was made: its run id goes into the running list and the recent actions. */
export function confirmStart(doc: ScheduleDoc, pending: PendingStart, runId: string): void {
  const progress = doc.progress;
  progress.pendingStarts = progress.pendingStarts.filter((p) => p.requestId !== pending.requestId);
  for (const r of progress.running) if (r.workflowId === pending.workflowId && r.runId === '') r.runId = runId;
  for (const a of progress.recentActions) if (a.workflowId === pending.workflowId && a.runId === '') a.runId = runId;
}

/** The start failed (the workflow id is taken by another run): as in Temporal, it is not an action taken. */
export function dropStart(doc: ScheduleDoc, pending: PendingStart): void {
  const progress = doc.progress;
  progress.pendingStarts = progress.pendingStarts.filter((p) => p.requestId !== pending.requestId);
  const unstarted = (r: ScheduledRun): boolean => !(r.workflowId === pending.workflowId && r.runId === '');
  progress.running = progress.running.filter(unstarted);
  progress.recentActions = progress.recentActions.filter(unstarted);
  progress.actionCount--;
}

export interface ClosedRun {
  workflowId: string;
  runId: string;
  status: enums.WorkflowExecutionStatus;
  failureMessage?: string;
  /** Base64 Payloads / Failure, as the progress keeps them. */
  result?: string;
  failure?: string;
}

/** A run the schedule started has closed: Temporal's processWatcherResult (running list, status, pause-on-failure, last result). */
export function recordRunClosed(doc: ScheduleDoc, closed: ClosedRun): void {
  const progress = doc.progress;
  const tracked = progress.running.some((r) => r.runId === closed.runId);
  progress.running = progress.running.filter((r) => r.runId !== closed.runId);
  for (const a of progress.recentActions) if (a.runId === closed.runId) a.status = closed.status;
  const failed = closed.status === Status.WORKFLOW_EXECUTION_STATUS_FAILED || closed.status === Status.WORKFLOW_EXECUTION_STATUS_TIMED_OUT;
  const state = (doc.schedule.state ??= {});
  if (doc.schedule.policies?.pauseOnFailure && failed && !state.paused) {
    state.paused = true;
    state.notes =
      closed.status === Status.WORKFLOW_EXECUTION_STATUS_FAILED
        ? `paused due to workflow failure: ${closed.workflowId}: ${closed.failureMessage ?? ''}`
        : `paused due to workflow timeout: ${closed.workflowId}`;
    doc.conflictToken++;
  }
  if (!tracked) return; // ALLOW_ALL runs do not pass results on
  if (closed.result !== undefined) {
    progress.lastCompletionResult = closed.result;
    progress.continuedFailure = undefined;
  } else if (closed.failure !== undefined) {
    progress.continuedFailure = closed.failure;
  }
}

/** The next action times as Describe shows them: limited by remaining actions, none before the last update. */
export function futureActionTimes(doc: ScheduleDoc, spec: CompiledSpec, count: number): number[] {
  const state = doc.schedule.state;
  const n = state?.limitedActions ? Math.min(count, toNumber(state.remainingActions)) : count;
  const out: number[] = [];
  const updateTime = doc.progress.updateTime ?? 0;
  for (let t = nextTime(doc, spec, doc.progress.lastProcessedTime); t && out.length < n; t = nextTime(doc, spec, t.nominalMs)) {
    if (updateTime > t.nextMs) continue;
    out.push(t.nextMs);
  }
  return out;
}

/** Pause, unpause, trigger and backfill (SchedulePatch), as Temporal's processPatch applies them. */
export function applyPatch(doc: ScheduleDoc, patch: temporal.api.schedule.v1.ISchedulePatch, now: number): void {
  const trigger = patch.triggerImmediately;
  if (trigger) {
    const at = trigger.scheduledTime ? timestampToMs(trigger.scheduledTime) : now;
    addStart(doc, { nominalTime: at, actualTime: at, overlapPolicy: trigger.overlapPolicy ?? P.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED, manual: true });
  }
  for (const b of patch.backfillRequest ?? []) {
    if (doc.progress.backfills.length >= MAX_BUFFER_SIZE) {
      doc.progress.bufferDropped++;
      continue;
    }
    // The start is inclusive (Temporal's InclusiveBackfillStartTime); ranges here exclude their start.
    doc.progress.backfills.push({
      startTime: timestampToMs(b.startTime) - 1,
      endTime: timestampToMs(b.endTime),
      overlapPolicy: b.overlapPolicy ?? P.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED,
    });
  }
  const state = (doc.schedule.state ??= {});
  if (patch.pause) {
    state.paused = true;
    state.notes = patch.pause;
    doc.conflictToken++;
  }
  if (patch.unpause) {
    state.paused = false;
    state.notes = patch.unpause;
    doc.conflictToken++;
  }
}
