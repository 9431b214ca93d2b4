import type { enums } from '../common/proto';

/**
 * A schedule as the store keeps it: Temporal's Schedule message as sent (encoded), and the scheduler's progress as
 * plain JSON (times in epoch ms, overlap policies as `ScheduleOverlapPolicy` numbers, 0 = the schedule's own).
 */
export interface ScheduleRecord {
  namespaceId: string;
  scheduleId: string;
  /** CreateSchedule's request id: a retried create with the same id succeeds instead of failing as a duplicate. */
  createRequestId: string;
  /** Temporal's conflict token: moves when the user-visible schedule changes (update, pause, remaining actions). */
  conflictToken: number;
  /** Optimistic concurrency: moves on every write. */
  dbVersion: number;
  /** Base64 of the encoded temporal.api.schedule.v1.Schedule: spec, action, policies, state (paused, notes, remaining actions). */
  schedule: string;
  /** Base64 of the encoded Memo / SearchAttributes of the schedule itself. */
  memo?: string;
  searchAttributes?: string;
  progress: ScheduleProgress;
}

/** A nominal time the schedule decided to act on, waiting for its overlap policy to let it start. */
export interface BufferedStart {
  nominalTime: number;
  /** The nominal time plus jitter: when the action is due. */
  actualTime: number;
  overlapPolicy: enums.ScheduleOverlapPolicy;
  /** Trigger-immediately and backfill starts: not limited by pause, remaining actions or the catch-up window. */
  manual: boolean;
}

/**
 * A start recorded before it is made, so that a crash between the two neither loses it nor makes it twice: the
 * start is retried with the same request id, which the engine answers with the run it already started.
 */
export interface PendingStart extends BufferedStart {
  workflowId: string;
  requestId: string;
}

export interface ScheduledRun {
  workflowId: string;
  /** Empty while the start is pending. */
  runId: string;
}

export interface RecentAction extends ScheduledRun {
  scheduleTime: number;
  actualTime: number;
  /** WorkflowExecutionStatus, updated when the run closes. */
  status: enums.WorkflowExecutionStatus;
}

export interface Backfill {
  startTime: number;
  endTime: number;
  overlapPolicy: enums.ScheduleOverlapPolicy;
}

export interface ScheduleProgress {
  createTime: number;
  updateTime?: number;
  /** Nominal times up to here have been acted on (or counted as missed). */
  lastProcessedTime: number;
  actionCount: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
  bufferDropped: number;
  buffer: BufferedStart[];
  backfills: Backfill[];
  pendingStarts: PendingStart[];
  /** Runs started by the schedule that count for its overlap policy (ALLOW_ALL starts do not, as in Temporal). */
  running: ScheduledRun[];
  recentActions: RecentAction[];
  /** Base64 Payloads / Failure of the last run that closed, handed to the next start. */
  lastCompletionResult?: string;
  continuedFailure?: string;
}
