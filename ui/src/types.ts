/** The proto3 JSON shapes the UI reads (only the fields it uses; int64 values are strings, as the HTTP API writes them). */
export type Json = Record<string, unknown>;

export interface Payload {
  metadata?: Record<string, string>;
  data?: string;
}

export interface Payloads {
  payloads?: Payload[];
}

export interface Execution {
  workflowId?: string;
  runId?: string;
}

export interface Failure {
  message?: string;
  source?: string;
  stackTrace?: string;
  cause?: Failure;
  applicationFailureInfo?: { type?: string; nonRetryable?: boolean; details?: Payloads };
  activityFailureInfo?: { activityType?: { name?: string }; activityId?: string; retryState?: string };
  childWorkflowExecutionFailureInfo?: { workflowType?: { name?: string }; workflowExecution?: Execution; retryState?: string };
  timeoutFailureInfo?: { timeoutType?: string };
  canceledFailureInfo?: { details?: Payloads };
  terminatedFailureInfo?: Json;
  serverFailureInfo?: { nonRetryable?: boolean };
}

export interface WorkflowExecutionInfo {
  execution?: Execution;
  type?: { name?: string };
  startTime?: string;
  closeTime?: string;
  executionTime?: string;
  status?: string;
  historyLength?: string;
  historySizeBytes?: string;
  parentExecution?: Execution;
  rootExecution?: Execution;
  taskQueue?: string;
  memo?: { fields?: Record<string, Payload> };
  searchAttributes?: { indexedFields?: Record<string, Payload> };
  firstRunId?: string;
}

export interface PendingActivity {
  activityId?: string;
  activityType?: { name?: string };
  state?: string;
  attempt?: number;
  maximumAttempts?: number;
  scheduledTime?: string;
  lastStartedTime?: string;
  lastHeartbeatTime?: string;
  heartbeatDetails?: Payloads;
  lastFailure?: Failure;
  lastWorkerIdentity?: string;
  nextAttemptScheduleTime?: string;
  expirationTime?: string;
  activityOptions?: { startToCloseTimeout?: string; scheduleToCloseTimeout?: string; scheduleToStartTimeout?: string; heartbeatTimeout?: string };
}

export interface PendingChild {
  workflowId?: string;
  runId?: string;
  workflowTypeName?: string;
  initiatedId?: string;
}

export interface DescribeWorkflowResponse {
  executionConfig?: { taskQueue?: { name?: string }; workflowRunTimeout?: string; workflowExecutionTimeout?: string; defaultWorkflowTaskTimeout?: string };
  workflowExecutionInfo?: WorkflowExecutionInfo;
  pendingActivities?: PendingActivity[];
  pendingChildren?: PendingChild[];
  executionConfigUserMetadata?: { summary?: Payload; details?: Payload };
  workflowExtendedInfo?: Json;
}

export interface HistoryEvent {
  eventId: string;
  eventTime?: string;
  eventType?: string;
  userMetadata?: { summary?: Payload; details?: Payload };
  [attributes: string]: unknown;
}

export interface ScheduleListEntry {
  scheduleId?: string;
  info?: { workflowType?: { name?: string }; paused?: boolean; notes?: string; futureActionTimes?: string[]; recentActions?: Json[] };
}

interface Poller {
  identity?: string;
  lastAccessTime?: string;
  ratePerSecond?: number;
}
export interface TaskQueueDescription {
  pollers?: Poller[];
  stats?: { approximateBacklogCount?: string; approximateBacklogAge?: string; tasksAddRate?: number; tasksDispatchRate?: number };
}
