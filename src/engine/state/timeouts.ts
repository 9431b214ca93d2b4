import { enums, int64 } from '../../common/proto';
import type { ActivityInfo } from '../../store/records';
import { failActivityAttempt, timeOutActivity, timeoutFailure } from './activity-state';
import { closeExecution } from './execution';
import { scheduleBackedOffFirstTask } from './run-factory';
import { planAfterFailure } from './successor';
import type { RunMutator } from './mutator';
import { failWorkflowTask, retryWorkflowTask, stickyTaskTimedOut, timeOutWorkflowTask } from './workflow-task-state';

const T = enums.TimeoutType;

/**
 * Applies everything that is due at `m.now`: the run timeout, the workflow task timeout, user
 * timers and activity timeouts. Each check re-reads mutable state, so a deadline that was met in
 * the meantime (a completed task, a cancelled timer) is simply not found.
 */
export function fireDueTimeouts(m: RunMutator, isStickyQueueLive: (queue: string) => boolean): void {
  const ms = m.ms;
  const now = m.now;
  if (!m.isRunning()) return;
  scheduleBackedOffFirstTask(m);

  const pending = ms.workflowTask;
  if (pending?.sticky && pending.startedTime === undefined) {
    const expired = now >= pending.scheduledTime + (ms.stickyScheduleToStartTimeoutMs ?? 0);
    if (expired || !isStickyQueueLive(pending.taskQueue)) stickyTaskTimedOut(m);
  }

  if (ms.runExpirationTime && now >= ms.runExpirationTime) {
    timeOutRun(m);
    return;
  }

  const wt = ms.workflowTask;
  if (wt?.startedTime !== undefined && wt.timeoutMs > 0 && now >= wt.startedTime + wt.timeoutMs) {
    retryWorkflowTask(m, timeOutWorkflowTask(m));
  }

  const fired = Object.values(ms.timers)
    .filter((t) => now >= t.expiryTime)
    .sort((a, b) => a.startedEventId - b.startedEventId);
  for (const t of fired) {
    m.add({ timerFiredEventAttributes: { timerId: t.timerId, startedEventId: int64(t.startedEventId) } });
    delete ms.timers[t.timerId];
  }

  const activities = Object.values(ms.activities).sort((a, b) => a.scheduledEventId - b.scheduledEventId);
  for (const a of activities) fireActivityTimeout(m, a);
}

/** What timeout, if any, is due for a pending activity now. */
function dueActivityTimeout(a: ActivityInfo, now: number): { type: enums.TimeoutType; closes: boolean } | undefined {
  // A paused activity's timeouts wait for it to be unpaused (Temporal creates no timer tasks for it).
  if (a.paused) return undefined;
  if (a.scheduleToCloseMs > 0 && now >= a.scheduledTime + a.scheduleToCloseMs) return { type: T.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE, closes: true };
  if (a.startedTime === undefined) {
    if (a.scheduleToStartMs > 0 && now >= a.currentAttemptScheduledTime + a.scheduleToStartMs) return { type: T.TIMEOUT_TYPE_SCHEDULE_TO_START, closes: true };
    return undefined;
  }
  if (a.startToCloseMs > 0 && now >= a.startedTime + a.startToCloseMs) return { type: T.TIMEOUT_TYPE_START_TO_CLOSE, closes: false };
  if (a.heartbeatMs > 0 && now >= (a.lastHeartbeatTime ?? a.startedTime) + a.heartbeatMs) return { type: T.TIMEOUT_TYPE_HEARTBEAT, closes: false };
  return undefined;
}

/** Times out the activity (schedule-to-close/start) or fails its attempt (start-to-close, heartbeat: may retry). */
function fireActivityTimeout(m: RunMutator, pending: ActivityInfo): void {
  const due = dueActivityTimeout(pending, m.now);
  const a = due && m.activity(pending.scheduledEventId);
  if (!due || !a) return;
  if (due.closes) timeOutActivity(m, a, due.type);
  else failActivityAttempt(m, a, timeoutFailure(due.type, a), a.startedIdentity ?? '', due.type);
}

function timeOutRun(m: RunMutator): void {
  if (m.hasStartedWorkflowTask()) {
    failWorkflowTask(m, enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND, null, '');
  }
  m.flushBuffer();
  const expired = m.ms.executionExpirationTime !== undefined && m.now >= m.ms.executionExpirationTime;
  const timeout = { message: 'workflow run timed out', timeoutFailureInfo: { timeoutType: enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE } };
  // The execution timeout ends the whole chain; a run timeout may be retried like a failure.
  const { plan, retryState } = expired ? { plan: undefined, retryState: enums.RetryState.RETRY_STATE_TIMEOUT } : planAfterFailure(m.ms, timeout, m.now);
  m.add({ workflowExecutionTimedOutEventAttributes: { retryState, newExecutionRunId: plan?.runId ?? '' } });
  m.successor = plan;
  closeExecution(m, enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT);
}
