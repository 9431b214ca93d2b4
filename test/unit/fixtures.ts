/**
 * Building blocks for the unit tests below the SDK: runs made with the engine's own state
 * functions, in the order the RPC code applies them, with the clock passed in explicitly.
 */
import assert from 'node:assert/strict';
import { enums, msToDuration, type command, type history, type IFailure, type workflowservice } from '../../src/common/proto';
import { startActivityAttempt } from '../../src/engine/state/activity-state';
import { applyCommands, BadCommandError, type CommandOutcome } from '../../src/engine/state/commands';
import { RunMutator } from '../../src/engine/state/mutator';
import { createRun, type RunSpec } from '../../src/engine/state/run-factory';
import type { RunLimits } from '../../src/engine/state/run-limits';
import { completeWorkflowTask, scheduleWorkflowTask, startWorkflowTask } from '../../src/engine/state/workflow-task-state';
import type { MutableState, RunMutation } from '../../src/store/records';
import type { ExecutionStore } from '../../src/store/store';

/** 2025-01-01T00:00:00Z: every test's clock starts here. */
export const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** A proto duration of `s` seconds, for command attributes. */
export function seconds(s: number): ReturnType<typeof msToDuration> {
  return msToDuration(s * SECOND);
}

export const NAMESPACE = 'default';
export const NAMESPACE_ID = 'namespace-id';
export const TASK_QUEUE = 'main-queue';
export const STICKY_QUEUE = 'worker-1-sticky';

const E = enums.EventType;
const C = enums.CommandType;

export function startRequest(overrides: workflowservice.IStartWorkflowExecutionRequest = {}): workflowservice.IStartWorkflowExecutionRequest {
  return {
    namespace: NAMESPACE,
    workflowId: 'workflow-id',
    workflowType: { name: 'MyWorkflow' },
    taskQueue: { name: TASK_QUEUE },
    requestId: 'start-request',
    identity: 'client',
    ...overrides,
  };
}

/** A new run (WorkflowExecutionStarted, and its first workflow task unless backed off), not yet committed. */
export function newRun(request: workflowservice.IStartWorkflowExecutionRequest = {}, spec: Partial<RunSpec> = {}, now = T0): RunMutator {
  const m = createRun({ namespaceId: NAMESPACE_ID, request: startRequest(request), requestId: 'start-request', ...spec }, now);
  m.namespaceName = NAMESPACE;
  return m;
}

/** Ends a transaction as the engine does: buffered events are written and a workflow task follows them. */
export function seal(m: RunMutator): RunMutation {
  if (m.flushBuffer() > 0) scheduleWorkflowTask(m);
  return m.toRunMutation();
}

/** `seal`, keeping only the committed state. */
export function commit(m: RunMutator): MutableState {
  return seal(m).mutableState;
}

/** The next transaction on a committed run, at `now`. */
export function change(ms: MutableState, now: number): RunMutator {
  const m = new RunMutator(ms, now);
  m.namespaceName = NAMESPACE;
  return m;
}

/** A run whose first workflow task a worker has polled at `now`. */
export function runWithStartedTask(request: workflowservice.IStartWorkflowExecutionRequest = {}, now = T0): MutableState {
  const ms = commit(newRun(request, {}, now));
  return startTask(ms, now);
}

/** A signal arrives at `now`: a workflow task is scheduled for it (sticky if the run has a sticky queue). */
export function signalled(ms: MutableState, now: number): MutableState {
  const m = change(ms, now);
  m.add({ workflowExecutionSignaledEventAttributes: { signalName: 'poke' } });
  return commit(m);
}

/** The worker's poll: the scheduled workflow task is started. */
export function startTask(ms: MutableState, now: number): MutableState {
  const m = change(ms, now);
  startWorkflowTask(m, 'poll-request', 'worker');
  return commit(m);
}

export interface Completion {
  m: RunMutator;
  completedId: number;
  outcome: CommandOutcome;
  /** Ids of the protocol messages applied, in order. */
  messages: string[];
}

/**
 * The worker completes the started task with `commands` at `now`, as RespondWorkflowTaskCompleted
 * does: WorkflowTaskCompleted, then each command's events. Not committed: `m.events` holds what it wrote.
 */
export function respond(ms: MutableState, commands: command.ICommand[], now: number): Completion {
  const m = change(ms, now);
  const completedId = completeWorkflowTask(m, { identity: 'worker' });
  const messages: string[] = [];
  const outcome = applyCommands(m, commands, completedId, (id) => messages.push(id));
  return { m, completedId, outcome, messages };
}

/** `respond`, then the end of the transaction; returns the committed state. */
export function respondAndCommit(ms: MutableState, commands: command.ICommand[], now: number): MutableState {
  const { m, outcome } = respond(ms, commands, now);
  if (outcome.needsWorkflowTask) {
    m.flushBuffer();
    scheduleWorkflowTask(m);
  }
  return commit(m);
}

/** The first task completes at `now` with `commands`, the worker asking for a sticky queue (as RespondWorkflowTaskCompleted does). */
export function completedSticky(ms: MutableState, commands: command.ICommand[], now: number, stickyScheduleToStartMs = 5 * SECOND): MutableState {
  const m = change(ms, now);
  const completedId = completeWorkflowTask(m, { identity: 'worker' });
  m.ms.stickyTaskQueue = STICKY_QUEUE;
  m.ms.stickyScheduleToStartTimeoutMs = stickyScheduleToStartMs;
  applyCommands(m, commands, completedId, () => undefined);
  return commit(m);
}

/** Asserts that completing the started task with `commands` is rejected with `cause`. */
export function assertRejected(ms: MutableState, commands: command.ICommand[], cause: enums.WorkflowTaskFailedCause, message?: RegExp): void {
  let caught: unknown;
  try {
    respond(ms, commands, T0 + SECOND);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof BadCommandError, `expected a BadCommandError with ${enums.WorkflowTaskFailedCause[cause]}, got ${String(caught)}`);
  assert.equal(enums.WorkflowTaskFailedCause[caught.failedCause], enums.WorkflowTaskFailedCause[cause]);
  if (message) assert.match(caught.message, message);
}

/**
 * Completes a started task with `commands` under `limits`: the BadCommandError it is refused with, or undefined when
 * every command was accepted.
 */
export function refusalUnder(limits: RunLimits, commands: command.ICommand[]): BadCommandError | undefined {
  const m = change(runWithStartedTask(), T0 + SECOND);
  m.limits = limits;
  const completedId = completeWorkflowTask(m, { identity: 'worker' });
  try {
    applyCommands(m, commands, completedId, () => undefined);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof BadCommandError, String(err));
    return err;
  }
}

/** Event types by name, for readable assertion diffs. */
export function typesOf(events: readonly history.IHistoryEvent[]): string[] {
  return events.map((e) => (e.eventType === null || e.eventType === undefined ? '?' : E[e.eventType]).replace('EVENT_TYPE_', ''));
}

/** The one event of a type among `events`. */
export function eventOf(events: readonly history.IHistoryEvent[], type: enums.EventType): history.IHistoryEvent {
  const found = events.filter((e) => e.eventType === type);
  assert.equal(found.length, 1, `expected one ${E[type]} in ${typesOf(events).join(', ')}`);
  const [event] = found;
  assert.ok(event);
  return event;
}

export function scheduleActivity(activityId: string, attrs: Partial<command.IScheduleActivityTaskCommandAttributes> = {}): command.ICommand {
  return {
    commandType: C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
    scheduleActivityTaskCommandAttributes: {
      activityId,
      activityType: { name: 'myActivity' },
      startToCloseTimeout: msToDuration(10 * SECOND),
      ...attrs,
    },
  };
}

export function startTimer(timerId: string, fireAfterMs: number): command.ICommand {
  return { commandType: C.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId, startToFireTimeout: msToDuration(fireAfterMs) } };
}

/** A run with one activity scheduled (by the first task's completion at T0) and no task in flight. */
export function runWithActivity(
  attrs: Partial<command.IScheduleActivityTaskCommandAttributes> = {},
  request: workflowservice.IStartWorkflowExecutionRequest = {},
): { ms: MutableState; scheduledEventId: number } {
  const ms = respondAndCommit(runWithStartedTask(request), [scheduleActivity('activity-1', attrs)], T0);
  const [activity] = Object.values(ms.activities);
  assert.ok(activity);
  return { ms, scheduledEventId: activity.scheduledEventId };
}

/** The activity's current attempt is started at `now`. */
export function activityStarted(ms: MutableState, id: number, now: number): MutableState {
  const m = change(ms, now);
  const a = m.activity(id);
  assert.ok(a);
  startActivityAttempt(m, a, `poll-${now}`, 'activity-worker');
  return commit(m);
}

/** A failure as an SDK reports an exception thrown by workflow or activity code. */
export function applicationFailure(type = 'Error', extra: { nonRetryable?: boolean; nextRetryDelayMs?: number } = {}): IFailure {
  return {
    message: `${type} happened`,
    source: 'TypeScriptSDK',
    applicationFailureInfo: {
      type,
      nonRetryable: extra.nonRetryable ?? false,
      nextRetryDelay: extra.nextRetryDelayMs === undefined ? null : msToDuration(extra.nextRetryDelayMs),
    },
  };
}

/** A payload the way the default data converter writes a JSON value. */
export function jsonPayload(value: unknown): { metadata: { encoding: Uint8Array }; data: Uint8Array } {
  return { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) };
}

/** A new run of `workflowId`, committed to `store`. */
export async function committedRun(store: Pick<ExecutionStore, 'commit'>, workflowId: string): Promise<MutableState> {
  const mutation = seal(newRun({ workflowId }));
  await store.commit({ runs: [mutation] });
  return mutation.mutableState;
}

/** A change to the run that asks for its cancellation: the database must show it only if its commit succeeded. */
export function cancelRequestChange(ms: MutableState): RunMutation {
  const m = change(ms, T0 + SECOND);
  m.ms.cancelRequested = true;
  return seal(m);
}
