import type { enums } from '../common/proto';

/**
 * What the store persists. Mutable state is the single source of truth for a run: the timer queue
 * and the task queues of matching are indexes derived from it (see `engine/dispatch/task-generator.ts`), so
 * a restart rebuilds them by reading every open run.
 *
 * Times are epoch milliseconds; durations are milliseconds with 0 meaning "unset/unlimited", as in
 * Temporal. Payloads and failures kept here are base64 protobuf (see `common/proto.ts`).
 */

export interface NamespaceRecord {
  id: string;
  name: string;
  description: string;
  ownerEmail: string;
  retentionMs: number;
  data: Record<string, string>;
  state: enums.NamespaceState;
  createdTime: number;
}

/** The one way to name a run: the key of mutable state, history and the workflow lock. */
export interface RunRef {
  namespaceId: string;
  workflowId: string;
  runId: string;
}

/** The run a workflow ID currently points at (Temporal's `current_executions`). */
export interface CurrentExecution extends RunRef {
  startRequestId: string;
  status: enums.WorkflowExecutionStatus;
}

export interface RetryPolicyRecord {
  initialIntervalMs: number;
  backoffCoefficient: number;
  maximumIntervalMs: number;
  /** 0 = unlimited */
  maximumAttempts: number;
  nonRetryableErrorTypes: string[];
}

export interface WorkflowTaskInfo {
  /** For a transient task (attempt > 1) these ids are assigned when it starts and written when it completes. */
  scheduledEventId: number;
  attempt: number;
  scheduledTime: number;
  /** The queue the task was dispatched to: the run's normal queue or its worker's sticky queue. */
  taskQueue: string;
  sticky: boolean;
  timeoutMs: number;
  startedEventId?: number;
  startedTime?: number;
  requestId?: string;
  identity?: string;
  /** Attempt > 1 after a failure: Scheduled/Started are not in history until the attempt completes. */
  transient: boolean;
}

export interface ActivityInfo {
  scheduledEventId: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  /** First scheduled time; schedule-to-close counts from here across attempts. */
  scheduledTime: number;
  attempt: number;
  /** When the current attempt becomes dispatchable (after a retry backoff it lies in the future). */
  currentAttemptScheduledTime: number;
  scheduleToCloseMs: number;
  scheduleToStartMs: number;
  startToCloseMs: number;
  heartbeatMs: number;
  retryPolicy: RetryPolicyRecord;
  startedTime?: number;
  startedIdentity?: string;
  startedRequestId?: string;
  lastHeartbeatTime?: number;
  heartbeatDetails?: string;
  lastFailure?: string;
  lastWorkerIdentity?: string;
  cancelRequested: boolean;
  cancelRequestedEventId?: number;
  /** When the last failed attempt ended (Temporal's LastAttemptCompleteTime): a changed retry policy re-times the backoff from it. */
  lastAttemptCompleteTime?: number;
  /** Set in the scheduled event, or by UpdateActivityOptions (absent: the scheduled event's). */
  priority?: ActivityPriority;
  /** PauseActivity: not dispatched, no timeouts, a failed attempt is not retried until UnpauseActivity or ResetActivity. */
  paused?: boolean;
  pauseInfo?: ActivityPauseInfo;
  /** ResetActivity while an attempt runs: its heartbeats answer `activityReset` until the attempt ends. */
  activityReset?: boolean;
  /** ResetActivity with resetHeartbeat while an attempt runs: the next attempt starts without heartbeat details. */
  resetHeartbeats?: boolean;
}

export interface ActivityPauseInfo {
  pauseTime: number;
  identity: string;
  reason: string;
  /** The PauseActivity request id: the same id again is a no-op, another one FAILED_PRECONDITION. */
  requestId: string;
}

export interface ActivityPriority {
  priorityKey?: number;
  fairnessKey?: string;
  fairnessWeight?: number;
}

export interface ParentInfo {
  namespaceId: string;
  namespace: string;
  workflowId: string;
  runId: string;
  initiatedEventId: number;
}

export interface ChildInfo {
  initiatedEventId: number;
  namespace: string;
  workflowId: string;
  workflowType: string;
  parentClosePolicy: enums.ParentClosePolicy;
  /** Set once ChildWorkflowExecutionStarted is written. */
  startedEventId?: number;
  runId?: string;
}

export interface ExternalRequestInfo {
  kind: 'signal' | 'cancel';
  initiatedEventId: number;
  namespace: string;
  workflowId: string;
  runId: string;
  childWorkflowOnly: boolean;
}

export interface TimerInfo {
  timerId: string;
  startedEventId: number;
  expiryTime: number;
}

/**
 * A point the run may be reset to (Temporal's ResetPointInfo): the first workflow task each worker
 * build (binary checksum and build id) completed.
 */
export interface ResetPointRecord {
  binaryChecksum: string;
  buildId: string;
  runId: string;
  firstWorkflowTaskCompletedId: number;
  createTime: number;
  /** Whether a reset to it is allowed: no child, external signal or external cancel was pending then. */
  resettable: boolean;
}

export interface MutableState extends RunRef {
  firstExecutionRunId: string;
  workflowType: string;
  taskQueue: string;
  status: enums.WorkflowExecutionStatus;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  startRequestId: string;
  attempt: number;
  workflowRunTimeoutMs: number;
  workflowExecutionTimeoutMs: number;
  workflowTaskTimeoutMs: number;
  runExpirationTime?: number;
  executionExpirationTime?: number;
  nextEventId: number;
  /** The started event id of the last completed workflow task (`previous_started_event_id`). */
  lastCompletedWorkflowTaskStartedEventId: number;
  workflowTask?: WorkflowTaskInfo;
  /** The worker queue that caches this run; later tasks go there with only new events. */
  stickyTaskQueue?: string;
  stickyScheduleToStartTimeoutMs?: number;
  cancelRequested: boolean;
  /** Request ids of signals and cancel requests already applied, for client retries. */
  requestIds: string[];
  /** Signals received (Temporal's SignalCount, for `history.maximumSignalsPerExecution`); absent on runs stored before it was kept. */
  signalCount?: number;
  /** The workflow's own retry policy (none unless the starter gave one) and cron schedule. */
  retryPolicy?: RetryPolicyRecord;
  cronSchedule?: string;
  /** The first workflow task waits until then (retry/cron backoff, start delay). */
  firstWorkflowTaskBackoffUntil?: number;
  /** Set when the run closed into a successor (continue-as-new, retry, cron): only the chain's last run reports to a parent. */
  newExecutionRunId?: string;
  /** Set on a child run: where its close is reported. */
  parent?: ParentInfo;
  /**
   * The top of the run's tree of parents (Temporal's root execution): the run itself for a
   * top-level run, the root's run for children and their successors. Runs stored before it was
   * kept lack it and are their own root.
   */
  rootExecution?: { workflowId: string; runId: string };
  /** Set once the parent has recorded this run's close (crash recovery re-delivers until then). */
  parentNotified?: boolean;
  /** Children by initiated event id. */
  children: Record<string, ChildInfo>;
  /** Signal/cancel requests to other workflows by initiated event id, until delivered. */
  externalRequests: Record<string, ExternalRequestInfo>;
  /** Accepted updates by update id, for deduplication and PollWorkflowExecutionUpdate. */
  updates: Record<string, { acceptedEventId: number; completedEventId?: number }>;
  /** Events held back while a workflow task is started; base64 HistoryEvent without an id. */
  bufferedEvents: string[];
  activities: Record<string, ActivityInfo>;
  timers: Record<string, TimerInfo>;
  /** base64 temporal.api.common.v1.Memo / SearchAttributes, as given and as upserted. */
  memo?: string;
  searchAttributes?: string;
  historySizeBytes: number;
  /** Temporal's `autoResetPoints`, oldest first; absent until a workflow task completes. */
  autoResetPoints?: ResetPointRecord[];
  /** Set on the base run of a reset: the run the reset created (Temporal's ResetRunId). */
  resetRunId?: string;
  /** Set on a run a reset created: when. */
  lastResetTime?: number;
  /** Optimistic concurrency: bumped by every commit. */
  dbVersion: number;
}

/** A run's row in visibility, written in the same transaction as the run. */
export interface VisibilityRecord {
  namespaceId: string;
  runId: string;
  workflowId: string;
  workflowType: string;
  status: enums.WorkflowExecutionStatus;
  taskQueue: string;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  executionDurationMs?: number;
  historyLength: number;
  historySizeBytes: number;
  stateTransitionCount: number;
  parentWorkflowId?: string;
  parentRunId?: string;
  rootWorkflowId?: string;
  rootRunId?: string;
  /** Search attributes as JSON values, for filtering (see `visibility/query-compiler.ts`). */
  searchAttributes: Record<string, unknown>;
  /** Encoded temporal.api.workflow.v1.WorkflowExecutionInfo, returned as is by List. */
  info: Uint8Array;
}

/** Visibility query, already compiled to a WHERE expression over `executions_visibility`. */
export interface VisibilityQuery {
  namespaceId: string;
  where: string;
  params: (string | number)[];
}

/** One run's part of a transaction. */
export interface RunMutation {
  mutableState: MutableState;
  /** The dbVersion read before the change; 0 when the run is new. */
  expectedDbVersion: number;
  /** The run's status before the change (absent when the run is new): the current-run row follows status changes only. */
  previousStatus?: enums.WorkflowExecutionStatus;
  /** Encoded temporal.api.history.v1.HistoryEvent, ids contiguous from the run's previous nextEventId. */
  newEvents: { eventId: number; data: Uint8Array }[];
  /**
   * Activities this change added, changed (`info` set) or removed (`info` absent). The store keeps
   * a run's activities apart from the rest of its state, so a change writes only these.
   */
  activityChanges: { scheduledEventId: number; info?: ActivityInfo }[];
  visibility?: VisibilityRecord;
}

/** Everything a state change writes, committed atomically. */
export interface Transaction {
  runs: RunMutation[];
  current?: CurrentExecution;
}

/** The run's root execution (itself for a top-level run, and for runs stored before roots were kept). */
export function rootOf(ms: MutableState): { workflowId: string; runId: string } {
  return ms.rootExecution ?? { workflowId: ms.workflowId, runId: ms.runId };
}

/**
 * The JSON the store holds for a committed state (the run's state without its pending activities, whose rows are
 * apart), recorded by the store when it writes or reads that state. A committed state is never modified (the cache
 * shares it), so its JSON stays true, and a change takes its private copy by parsing it, which costs about a third of
 * a structured clone of the object for a typical 1–5 KB state. Past ~40 KB (a run holding hundreds of buffered events,
 * long strings) cloning is the cheaper one again (200 KB: parse 92 us, clone 45 us), so large states are cloned.
 */
const storedStateJson = new WeakMap<MutableState, string>();
const PARSE_COPY_MAX_CHARS = 32 * 1024;

/** The stored form of `ms` (the store calls it with the state it commits): computed afresh, then remembered. */
export function encodeStoredState(ms: MutableState): string {
  const json = JSON.stringify({ ...ms, activities: undefined });
  storedStateJson.set(ms, json);
  return json;
}

/** `ms` was read from `json` (its pending activities added apart). */
export function rememberStoredState(ms: MutableState, json: string): void {
  storedStateJson.set(ms, json);
}

/** A private copy of a state's fields, pending activities left out: from its stored JSON when the store recorded it. */
export function copyStateFields(ms: MutableState): Omit<MutableState, 'activities'> {
  const json = storedStateJson.get(ms);
  if (json !== undefined && json.length <= PARSE_COPY_MAX_CHARS) return JSON.parse(json) as Omit<MutableState, 'activities'>;
  return structuredClone({ ...ms, activities: undefined });
}
