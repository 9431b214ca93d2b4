import { randomUUID } from 'node:crypto';
import {
  durationToMs,
  encodeMemo,
  encodeSearchAttributes,
  enums,
  int64,
  msToDuration,
  msToTimestamp,
  type IFailure,
  type IPayloads,
  type workflowservice,
} from '../../common/proto';
import type { MutableState, ParentInfo } from '../../store/records';
import { normalizeRetryPolicy } from './retry';
import { RunMutator } from './mutator';
import { scheduleWorkflowTask } from './workflow-task-state';

const DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;
const MAX_WORKFLOW_TASK_TIMEOUT_MS = 120_000;

/** What a new run is made of: the start request's fields plus how it relates to earlier runs. */
export interface RunSpec {
  namespaceId: string;
  request: workflowservice.IStartWorkflowExecutionRequest;
  requestId: string;
  runId?: string;
  /** The chain this run belongs to (continue-as-new, retry, cron keep the first run's id). */
  firstExecutionRunId?: string;
  continuedExecutionRunId?: string;
  initiator?: enums.ContinueAsNewInitiator;
  attempt?: number;
  firstWorkflowTaskBackoffMs?: number;
  lastCompletionResult?: IPayloads | null;
  continuedFailure?: IFailure | null;
  /** The chain's expiry, carried from the first run. */
  executionExpirationTime?: number;
  parent?: ParentInfo;
  rootExecution?: { workflowId: string; runId: string };
}

/**
 * Creates a run: WorkflowExecutionStarted, then (unless the first task is backed off) its first
 * workflow task. `beforeFirstTask` adds events that must precede it (signal-with-start's signal).
 */
export function createRun(spec: RunSpec, now: number, beforeFirstTask?: (m: RunMutator) => void): RunMutator {
  const req = spec.request;
  const runId = spec.runId ?? randomUUID();
  const executionTimeoutMs = durationToMs(req.workflowExecutionTimeout);
  const executionExpirationTime = spec.executionExpirationTime ?? (executionTimeoutMs > 0 ? now + executionTimeoutMs : undefined);
  let runTimeoutMs = durationToMs(req.workflowRunTimeout) || executionTimeoutMs;
  if (executionTimeoutMs > 0) runTimeoutMs = Math.min(runTimeoutMs, executionTimeoutMs);
  let taskTimeoutMs = Math.min(durationToMs(req.workflowTaskTimeout) || DEFAULT_WORKFLOW_TASK_TIMEOUT_MS, MAX_WORKFLOW_TASK_TIMEOUT_MS);
  if (runTimeoutMs > 0) taskTimeoutMs = Math.min(taskTimeoutMs, runTimeoutMs);
  const backoffMs = spec.firstWorkflowTaskBackoffMs ?? 0;
  const taskQueue = req.taskQueue?.name ?? '';
  const attempt = spec.attempt ?? 1;
  let runExpirationTime = runTimeoutMs > 0 ? now + backoffMs + runTimeoutMs : undefined;
  if (executionExpirationTime !== undefined) runExpirationTime = Math.min(runExpirationTime ?? Infinity, executionExpirationTime);
  const ms: MutableState = {
    namespaceId: spec.namespaceId,
    workflowId: req.workflowId ?? '',
    runId,
    firstExecutionRunId: spec.firstExecutionRunId ?? runId,
    workflowType: req.workflowType?.name ?? '',
    taskQueue,
    status: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
    startTime: now,
    executionTime: now + backoffMs,
    startRequestId: spec.requestId,
    attempt,
    workflowRunTimeoutMs: runTimeoutMs,
    workflowExecutionTimeoutMs: executionTimeoutMs,
    workflowTaskTimeoutMs: taskTimeoutMs,
    runExpirationTime,
    executionExpirationTime,
    nextEventId: 1,
    lastCompletedWorkflowTaskStartedEventId: 0,
    bufferedEvents: [],
    activities: {},
    timers: {},
    memo: encodeMemo(req.memo?.fields ?? {}),
    searchAttributes: encodeSearchAttributes(req.searchAttributes?.indexedFields ?? {}),
    historySizeBytes: 0,
    cancelRequested: false,
    requestIds: [spec.requestId],
    updates: {},
    retryPolicy: req.retryPolicy ? normalizeRetryPolicy(req.retryPolicy) : undefined,
    cronSchedule: req.cronSchedule || undefined,
    firstWorkflowTaskBackoffUntil: backoffMs > 0 ? now + backoffMs : undefined,
    parent: spec.parent,
    rootExecution: spec.rootExecution ?? { workflowId: req.workflowId ?? '', runId },
    children: {},
    externalRequests: {},
    dbVersion: 0,
  };
  const m = new RunMutator(ms, now, true);
  const parent = spec.parent;
  const started = m.add({
    workflowExecutionStartedEventAttributes: {
      workflowId: ms.workflowId,
      workflowType: req.workflowType ?? null,
      taskQueue: { name: taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      header: req.header ?? null,
      input: req.input ?? null,
      workflowExecutionTimeout: msToDuration(executionTimeoutMs),
      workflowRunTimeout: msToDuration(runTimeoutMs),
      workflowTaskTimeout: msToDuration(taskTimeoutMs),
      continuedExecutionRunId: spec.continuedExecutionRunId ?? '',
      initiator: spec.initiator ?? enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_UNSPECIFIED,
      continuedFailure: spec.continuedFailure ?? null,
      lastCompletionResult: spec.lastCompletionResult ?? null,
      originalExecutionRunId: runId,
      firstExecutionRunId: ms.firstExecutionRunId,
      identity: req.identity ?? '',
      attempt,
      workflowExecutionExpirationTime: executionExpirationTime ? msToTimestamp(executionExpirationTime) : null,
      cronSchedule: req.cronSchedule ?? '',
      firstWorkflowTaskBackoff: backoffMs > 0 ? msToDuration(backoffMs) : null,
      retryPolicy: req.retryPolicy ?? null,
      memo: req.memo ?? null,
      searchAttributes: req.searchAttributes ?? null,
      parentWorkflowNamespace: parent?.namespace ?? '',
      parentWorkflowNamespaceId: parent?.namespaceId ?? '',
      parentWorkflowExecution: parent ? { workflowId: parent.workflowId, runId: parent.runId } : null,
      parentInitiatedEventId: int64(parent ? parent.initiatedEventId : 0),
      // As in Temporal, only a run below a parent names its root; a top-level run is its own.
      rootWorkflowExecution: spec.rootExecution ?? null,
      priority: req.priority ?? null,
    },
  });
  if (req.userMetadata) started.userMetadata = req.userMetadata;
  beforeFirstTask?.(m);
  m.flushBuffer();
  if (backoffMs <= 0) scheduleWorkflowTask(m);
  return m;
}

/** The first workflow task of a backed-off run (retry, cron, start delay) is scheduled when due. */
export function scheduleBackedOffFirstTask(m: RunMutator): void {
  const until = m.ms.firstWorkflowTaskBackoffUntil;
  if (until === undefined || m.now < until) return;
  m.ms.firstWorkflowTaskBackoffUntil = undefined;
  scheduleWorkflowTask(m);
}
