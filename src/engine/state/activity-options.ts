import { invalidArgument } from '../../common/errors';
import { msToDuration, type activity, type common, type history } from '../../common/proto';
import type { ActivityInfo } from '../../store/records';
import { isStarted, normalizeActivityTimeouts, priorityRecord, setNextAttempt } from './activity-state';
import { nextRetryDelay, normalizeRetryPolicy, retryPolicyToProto } from './retry';

/**
 * An activity's options as UpdateActivityOptions changes them and Describe shows them
 * (temporal.api.activity.v1.ActivityOptions): task queue, the four timeouts, retry policy, priority.
 */

/** Temporal's priorities.Validate, with its messages. */
export function validatePriority(p: common.IPriority | null | undefined): void {
  if (!p) return;
  if ((p.priorityKey ?? 0) < 0) throw invalidArgument("priority key can't be negative");
  if ((p.fairnessKey ?? '').length > 64) throw invalidArgument('fairness key length exceeds limit');
  if ((p.fairnessWeight ?? 0) < 0) throw invalidArgument('must be greater than zero');
}

/** The options the activity runs with now. */
export function currentActivityOptions(a: ActivityInfo): activity.IActivityOptions {
  return {
    taskQueue: { name: a.taskQueue, normalName: a.taskQueue },
    scheduleToCloseTimeout: msToDuration(a.scheduleToCloseMs),
    scheduleToStartTimeout: msToDuration(a.scheduleToStartMs),
    startToCloseTimeout: msToDuration(a.startToCloseMs),
    heartbeatTimeout: msToDuration(a.heartbeatMs),
    retryPolicy: retryPolicyToProto(a.retryPolicy),
    priority: a.priority ?? null,
  };
}

/** The options the activity was scheduled with (ResetActivity's and UpdateActivityOptions' restore-original). */
export function originalActivityOptions(scheduled: history.IActivityTaskScheduledEventAttributes): activity.IActivityOptions {
  return {
    taskQueue: { name: scheduled.taskQueue?.name ?? '' },
    scheduleToCloseTimeout: scheduled.scheduleToCloseTimeout ?? null,
    scheduleToStartTimeout: scheduled.scheduleToStartTimeout ?? null,
    startToCloseTimeout: scheduled.startToCloseTimeout ?? null,
    heartbeatTimeout: scheduled.heartbeatTimeout ?? null,
    retryPolicy: scheduled.retryPolicy ?? null,
    priority: scheduled.priority ?? null,
  };
}

/** An update mask's paths as Temporal's util.ParseFieldMask reads them: each part in camelCase. */
export function parseUpdateMask(paths: readonly string[]): Set<string> {
  return new Set(paths.map((path) => path.replace(/_([a-z])/g, (_m: string, c: string) => c.toUpperCase())));
}

type Merge = (into: activity.IActivityOptions, from: activity.IActivityOptions) => void;

function retryPolicyField(field: keyof common.IRetryPolicy): Merge {
  return (into, from) => {
    if (!from.retryPolicy) throw invalidArgument('RetryPolicy is not provided');
    into.retryPolicy = { ...into.retryPolicy, [field]: from.retryPolicy[field] };
  };
}

function priorityField(field: keyof common.IPriority): Merge {
  return (into, from) => {
    if (!from.priority) throw invalidArgument('Priority is not provided');
    into.priority = { ...into.priority, [field]: from.priority[field] };
  };
}

/** Temporal's activityoptions.MergeActivityOptions: the paths it knows, with its messages; other paths are ignored. */
const MERGES: ReadonlyMap<string, Merge> = new Map<string, Merge>([
  [
    'taskQueue.name',
    (into, from) => {
      if (!from.taskQueue) throw invalidArgument('TaskQueue is not provided');
      into.taskQueue = { ...into.taskQueue, name: from.taskQueue.name ?? '' };
    },
  ],
  ['scheduleToCloseTimeout', (into, from) => void (into.scheduleToCloseTimeout = from.scheduleToCloseTimeout ?? null)],
  ['scheduleToStartTimeout', (into, from) => void (into.scheduleToStartTimeout = from.scheduleToStartTimeout ?? null)],
  ['startToCloseTimeout', (into, from) => void (into.startToCloseTimeout = from.startToCloseTimeout ?? null)],
  ['heartbeatTimeout', (into, from) => void (into.heartbeatTimeout = from.heartbeatTimeout ?? null)],
  ['priority', (into, from) => void (into.priority = from.priority ?? null)],
  ['priority.priorityKey', priorityField('priorityKey')],
  ['priority.fairnessKey', priorityField('fairnessKey')],
  ['priority.fairnessWeight', priorityField('fairnessWeight')],
  [
    'retryPolicy',
    (into, from) => {
      if (!from.retryPolicy) throw invalidArgument('RetryPolicy is not provided');
      into.retryPolicy = from.retryPolicy;
    },
  ],
  ['retryPolicy.initialInterval', retryPolicyField('initialInterval')],
  ['retryPolicy.backoffCoefficient', retryPolicyField('backoffCoefficient')],
  ['retryPolicy.maximumInterval', retryPolicyField('maximumInterval')],
  ['retryPolicy.maximumAttempts', retryPolicyField('maximumAttempts')],
]);

export function mergeActivityOptions(into: activity.IActivityOptions, from: activity.IActivityOptions, mask: ReadonlySet<string>): activity.IActivityOptions {
  const merged = { ...into };
  // Temporal applies the fields in this fixed order, whatever the order of the mask.
  for (const [path, merge] of MERGES) if (mask.has(path)) merge(merged, from);
  return merged;
}

/**
 * Applies options to the activity, normalized as a ScheduleActivityTask command's are (timeouts filled
 * and capped by the run timeout, retry policy validated with its defaults); returns them as applied.
 * An activity waiting for its next attempt is re-timed: the first attempt keeps its time, a retry waits
 * the new policy's backoff from when the last attempt ended (Temporal's GetNextScheduledTime).
 */
export function applyActivityOptions(
  a: ActivityInfo,
  options: activity.IActivityOptions,
  workflowTaskQueue: string,
  runTimeoutMs: number,
): activity.IActivityOptions {
  const timeouts = normalizeActivityTimeouts(options, runTimeoutMs);
  const retryPolicy = normalizeRetryPolicy({ ...options.retryPolicy, nonRetryableErrorTypes: a.retryPolicy.nonRetryableErrorTypes });
  validatePriority(options.priority);
  a.taskQueue = options.taskQueue?.name || workflowTaskQueue;
  Object.assign(a, timeouts);
  a.retryPolicy = retryPolicy;
  a.priority = priorityRecord(options.priority);
  if (!isStarted(a)) {
    const retryAt = a.attempt > 1 && a.lastAttemptCompleteTime !== undefined ? a.lastAttemptCompleteTime + nextRetryDelay(retryPolicy, a.attempt) : undefined;
    setNextAttempt(a, a.attempt, retryAt ?? a.currentAttemptScheduledTime, undefined);
  }
  return currentActivityOptions(a);
}
