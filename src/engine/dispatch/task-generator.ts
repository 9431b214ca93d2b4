import type { MutableState, WorkflowTaskInfo } from '../../store/records';
import { isRunning } from '../state/status';

/**
 * Derives, from mutable state alone, what the run needs from matching (tasks to dispatch) and from
 * the timer queue (its next deadline). Pure, so the same answer comes after a commit and after a
 * restart: nothing else has to be persisted for tasks and timers to survive a crash.
 */

export interface DispatchTask {
  kind: 'workflow' | 'activity';
  namespaceId: string;
  taskQueue: string;
  workflowId: string;
  runId: string;
  scheduledEventId: number;
  attempt: number;
  /** Set for a query task: delivered on the workflow task queue, answered outside history. */
  queryId?: string;
  /** Set when the task was started in the transaction that scheduled it (sync match): the request id it was started with. */
  startedRequestId?: string;
}

export function dispatchKey(t: DispatchTask): string {
  if (t.queryId) return `query/${t.queryId}`;
  // An activity moved to another queue (UpdateActivityOptions) is a new task there, not the one queued here.
  return t.kind === 'activity'
    ? `${t.runId}/activity/${t.scheduledEventId}/${t.attempt}/${t.taskQueue}`
    : `${t.runId}/workflow/${t.scheduledEventId}/${t.attempt}`;
}

/** The matching task for the run's workflow task. */
export function workflowDispatchTask(ms: MutableState, wt: WorkflowTaskInfo): DispatchTask {
  return {
    namespaceId: ms.namespaceId,
    workflowId: ms.workflowId,
    runId: ms.runId,
    kind: 'workflow',
    taskQueue: wt.taskQueue,
    scheduledEventId: wt.scheduledEventId,
    attempt: wt.attempt,
  };
}

export function dispatchableTasks(ms: MutableState, now: number): DispatchTask[] {
  if (!isRunning(ms.status)) return [];
  const ref = { namespaceId: ms.namespaceId, workflowId: ms.workflowId, runId: ms.runId };
  const tasks: DispatchTask[] = [];
  const wt = ms.workflowTask;
  if (wt && wt.startedEventId === undefined) tasks.push(workflowDispatchTask(ms, wt));
  for (const a of Object.values(ms.activities)) {
    if (a.startedTime === undefined && !a.cancelRequested && !a.paused && a.currentAttemptScheduledTime <= now) {
      tasks.push({ ...ref, kind: 'activity', taskQueue: a.taskQueue, scheduledEventId: a.scheduledEventId, attempt: a.attempt });
    }
  }
  return tasks;
}

/** Every instant at which something about this run is due: timers, timeouts, retry backoffs (none for a paused activity, as in Temporal). */
export function deadlines(ms: MutableState): number[] {
  if (!isRunning(ms.status)) return [];
  const out: number[] = [];
  if (ms.runExpirationTime) out.push(ms.runExpirationTime);
  if (ms.firstWorkflowTaskBackoffUntil !== undefined) out.push(ms.firstWorkflowTaskBackoffUntil);
  const wt = ms.workflowTask;
  if (wt?.startedTime !== undefined && wt.timeoutMs > 0) out.push(wt.startedTime + wt.timeoutMs);
  if (wt && wt.startedTime === undefined && wt.sticky) out.push(wt.scheduledTime + (ms.stickyScheduleToStartTimeoutMs ?? 0));
  for (const t of Object.values(ms.timers)) out.push(t.expiryTime);
  for (const a of Object.values(ms.activities)) {
    if (a.paused) continue;
    if (a.scheduleToCloseMs > 0) out.push(a.scheduledTime + a.scheduleToCloseMs);
    if (a.startedTime === undefined) {
      if (a.currentAttemptScheduledTime > a.scheduledTime) out.push(a.currentAttemptScheduledTime);
      if (a.scheduleToStartMs > 0) out.push(a.currentAttemptScheduledTime + a.scheduleToStartMs);
    } else {
      if (a.startToCloseMs > 0) out.push(a.startedTime + a.startToCloseMs);
      if (a.heartbeatMs > 0) out.push((a.lastHeartbeatTime ?? a.startedTime) + a.heartbeatMs);
    }
  }
  return out;
}

export function nextDeadline(ms: MutableState): number | undefined {
  const all = deadlines(ms);
  return all.length === 0 ? undefined : Math.min(...all);
}

/**
 * Time-skipping mode: until when the run's work in flight holds the clock still. A workflow task or
 * a queued activity waits for a worker: Infinity. A started activity holds it for a grace period
 * after it starts or heartbeats, so quick activities finish in real time while one that hangs lets
 * its timeouts be skipped to. Retry backoffs and timers do not hold time; child starts and external
 * signals or cancels not yet delivered do.
 */
export function busyUntil(ms: MutableState, now: number, activityGraceMs: number): number {
  if (ms.workflowTask) return Infinity;
  // A child start or an external signal/cancel not yet delivered is work in flight, as in Temporal's test server.
  if (Object.values(ms.children).some((c) => !c.runId) || Object.keys(ms.externalRequests).length > 0) return Infinity;
  let until = 0;
  for (const a of Object.values(ms.activities)) {
    if (a.startedTime === undefined) {
      if (a.currentAttemptScheduledTime <= now && !a.cancelRequested && !a.paused) return Infinity;
    } else {
      until = Math.max(until, (a.lastHeartbeatTime ?? a.startedTime) + activityGraceMs);
    }
  }
  return until;
}

/** Time-skipping mode: the run has an activity running on a worker (it holds the clock again after a sleep returns). */
export function hasStartedActivity(ms: MutableState): boolean {
  return Object.values(ms.activities).some((a) => a.startedTime !== undefined);
}
