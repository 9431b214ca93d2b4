import { ServiceError } from '../../common/errors';
import type { command, IPayload } from '../../common/proto';
import { decodeMemo, decodeSearchAttributes, durationToMs, encodeMemo, encodeSearchAttributes, enums, int64, msToDuration, toNumber } from '../../common/proto';
import { oversizedCommand } from './command-blob-sizes';
import { commandIdTooLong, oversizedMemoOrSearchAttributes, pendingLimitExceeded } from './command-limits';
import { newActivityInfo, normalizeActivityTimeouts, isStarted, cancelActivity } from './activity-state';
import { normalizeRetryPolicy, retryPolicyToProto } from './retry';
import { closeExecution, mergePayloadMap } from './execution';
import type { RunMutator } from './mutator';
import { planAfterCompletion, planAfterFailure, planContinueAsNew } from './successor';

const C = enums.CommandType;
const Cause = enums.WorkflowTaskFailedCause;

/** A command the server refuses: the whole completion is rolled back and the task fails with `cause`. */
export class BadCommandError extends Error {
  constructor(
    readonly failedCause: enums.WorkflowTaskFailedCause,
    message: string,
    /** Temporal's terminateWorkflow: the run is terminated instead of the task being retried (a payload over the blob size limit). */
    readonly terminatesWorkflow = false,
  ) {
    super(message);
    this.name = 'BadCommandError';
  }
}

export interface CommandOutcome {
  /** A command asked for a new workflow task even with nothing new in history. */
  needsWorkflowTask: boolean;
}

/** Applies a protocol message (an update's acceptance or response) at its command's position. */
export type ProtocolMessageHandler = (messageId: string) => void;

/**
 * Checks search attributes a command sets against the namespace's registered types and returns them
 * with their type metadata; throws (with Temporal's message) when one is unknown or of the wrong type.
 * Given by the caller, since the registry lives outside the run's state.
 */
export type SearchAttributeChecker = (fields: { [k: string]: IPayload } | null | undefined) => { [k: string]: IPayload };

const uncheckedSearchAttributes: SearchAttributeChecker = (fields) => fields ?? {};

/**
 * Applies a completion's commands in order, each writing its event right away so command events
 * follow WorkflowTaskCompleted in command order. Throws BadCommandError to reject the completion.
 */
export function applyCommands(
  m: RunMutator,
  commands: command.ICommand[],
  completedEventId: number,
  onProtocolMessage: ProtocolMessageHandler,
  checkSearchAttributes: SearchAttributeChecker = uncheckedSearchAttributes,
): CommandOutcome {
  const outcome: CommandOutcome = { needsWorkflowTask: false };
  for (const cmd of commands) {
    if (!m.isRunning()) break; // a second close command, or anything after one, is ignored
    if (cmd.commandType === C.COMMAND_TYPE_PROTOCOL_MESSAGE) {
      const messageId = cmd.protocolMessageCommandAttributes?.messageId;
      if (!messageId) {
        throw new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE, 'MessageId is not set on ProtocolMessageCommand.');
      }
      onProtocolMessage(messageId);
      continue;
    }
    const tooLong = commandIdTooLong(cmd, m.ms, m.limits);
    if (tooLong) throw new BadCommandError(tooLong.cause, tooLong.message);
    const overPending = pendingLimitExceeded(cmd, m.ms, m.limits.pending); // counted before the command adds its own
    const first = m.appendedCount;
    applyCommand(m, cmd, completedEventId, outcome, checkSearchAttributes);
    // Checked once the command is known valid, as Temporal does; the rejection rolls back what it wrote.
    const oversized = oversizedCommand(cmd, m.limits.blobSize) ?? oversizedMemoOrSearchAttributes(cmd, m.ms, m.limits);
    if (oversized) throw new BadCommandError(oversized.cause, oversized.message, true);
    if (overPending) throw new BadCommandError(overPending.cause, overPending.message);
    // As Temporal's handleCommand: the command's user metadata (summary, details) goes on its event.
    const event = m.appendedAt(first);
    if (event && cmd.userMetadata) event.userMetadata = cmd.userMetadata;
  }
  return outcome;
}

/** A command's search attributes, checked; BAD_SEARCH_ATTRIBUTES (with `context` around the reason) when invalid. */
function checkedSearchAttributes(
  check: SearchAttributeChecker,
  searchAttributes: { indexedFields?: { [k: string]: IPayload } | null } | null | undefined,
  context: (reason: string) => string = (reason) => reason,
): { indexedFields: { [k: string]: IPayload } } | null {
  if (!searchAttributes) return null;
  try {
    return { indexedFields: check(searchAttributes.indexedFields) };
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    throw new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, context(err.message));
  }
}

function applyCommand(
  m: RunMutator,
  cmd: command.ICommand,
  completedEventId: number,
  outcome: CommandOutcome,
  checkSearchAttributes: SearchAttributeChecker,
): void {
  const wftCompleted = int64(completedEventId);
  switch (cmd.commandType) {
    case C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
      return scheduleActivity(m, cmd.scheduleActivityTaskCommandAttributes ?? {}, completedEventId);
    case C.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
      const scheduledEventId = Number(cmd.requestCancelActivityTaskCommandAttributes?.scheduledEventId ?? 0);
      const a = m.activity(scheduledEventId);
      if (!a) {
        throw new BadCommandError(
          Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
          `no pending activity with scheduled event id ${scheduledEventId}`,
        );
      }
      const requested = m.add({
        activityTaskCancelRequestedEventAttributes: { scheduledEventId: int64(scheduledEventId), workflowTaskCompletedEventId: wftCompleted },
      });
      a.cancelRequested = true;
      a.cancelRequestedEventId = toNumber(requested.eventId);
      if (!isStarted(a)) {
        // Nobody holds it: it is cancelled at once, and the workflow hears of it in a new task.
        cancelActivity(m, a, null, '');
        outcome.needsWorkflowTask = true;
      }
      return;
    }
    case C.COMMAND_TYPE_START_TIMER: {
      const attrs = cmd.startTimerCommandAttributes ?? {};
      const timerId = attrs.timerId ?? '';
      const fireAfter = durationToMs(attrs.startToFireTimeout);
      if (!timerId) throw new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, 'TimerId is not set on StartTimerCommand.');
      // Since Temporal 1.22 a zero-length timer is valid (it fires at once); only a negative one is rejected.
      if (fireAfter < 0) {
        throw new BadCommandError(
          Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
          `An invalid StartToFireTimeout is set on StartTimerCommand: negative duration. TimerId=${timerId}`,
        );
      }
      if (m.ms.timers[timerId]) {
        throw new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_START_TIMER_DUPLICATE_ID, `Timer with ID ${timerId} is already started.`);
      }
      const event = m.add({
        timerStartedEventAttributes: { timerId, startToFireTimeout: msToDuration(fireAfter), workflowTaskCompletedEventId: wftCompleted },
      });
      m.ms.timers[timerId] = { timerId, startedEventId: toNumber(event.eventId), expiryTime: m.now + fireAfter };
      return;
    }
    case C.COMMAND_TYPE_CANCEL_TIMER: {
      const timerId = cmd.cancelTimerCommandAttributes?.timerId ?? '';
      // A timer that fired while this task was out is still cancellable, as in Temporal: its
      // TimerFired is buffered, the worker never saw it, and the cancel wins.
      const fired = m.ms.timers[timerId] ? [] : m.takeBuffered((e) => e.timerFiredEventAttributes?.timerId === timerId);
      const startedEventId = m.ms.timers[timerId]?.startedEventId ?? toNumber(fired[0]?.timerFiredEventAttributes?.startedEventId);
      if (!startedEventId) throw new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES, `Timer with ID ${timerId} is not started.`);
      m.add({
        timerCanceledEventAttributes: { timerId, startedEventId: int64(startedEventId), workflowTaskCompletedEventId: wftCompleted, identity: '' },
      });
      delete m.ms.timers[timerId];
      return;
    }
    case C.COMMAND_TYPE_RECORD_MARKER: {
      const attrs = cmd.recordMarkerCommandAttributes ?? {};
      if (!attrs.markerName) {
        throw new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES, 'MarkerName is not set on RecordMarkerCommand.');
      }
      m.add({
        markerRecordedEventAttributes: {
          markerName: attrs.markerName,
          details: attrs.details ?? {},
          header: attrs.header ?? null,
          failure: attrs.failure ?? null,
          workflowTaskCompletedEventId: wftCompleted,
        },
      });
      return;
    }
    case C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const requested = cmd.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes;
      const unset = !requested ? 'SearchAttributes is not set' : Object.keys(requested.indexedFields ?? {}).length === 0 ? 'IndexedFields is not set' : '';
      if (unset) throw new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, `${unset} on UpsertWorkflowSearchAttributesCommand.`);
      const searchAttributes = checkedSearchAttributes(checkSearchAttributes, requested) ?? { indexedFields: {} };
      m.add({ upsertWorkflowSearchAttributesEventAttributes: { searchAttributes, workflowTaskCompletedEventId: wftCompleted } });
      m.ms.searchAttributes = encodeSearchAttributes(mergePayloadMap(decodeSearchAttributes(m.ms.searchAttributes), searchAttributes.indexedFields));
      return;
    }
    case C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
      const upsertedMemo = cmd.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo ?? {};
      m.add({ workflowPropertiesModifiedEventAttributes: { upsertedMemo, workflowTaskCompletedEventId: wftCompleted } });
      m.ms.memo = encodeMemo(mergePayloadMap(decodeMemo(m.ms.memo), upsertedMemo.fields));
      return;
    }
    case C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION: {
      const result = cmd.completeWorkflowExecutionCommandAttributes?.result ?? null;
      const plan = planAfterCompletion(m.ms, result, m.now);
      m.add({ workflowExecutionCompletedEventAttributes: { result, workflowTaskCompletedEventId: wftCompleted, newExecutionRunId: plan?.runId ?? '' } });
      m.successor = plan;
      return closeExecution(m, enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    }
    case C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION: {
      const failure = cmd.failWorkflowExecutionCommandAttributes?.failure;
      if (!failure) {
        throw new BadCommandError(
          Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
          'Failure is not set on FailWorkflowExecutionCommand.',
        );
      }
      const { plan, retryState } = planAfterFailure(m.ms, failure, m.now);
      m.add({
        workflowExecutionFailedEventAttributes: { failure, retryState, workflowTaskCompletedEventId: wftCompleted, newExecutionRunId: plan?.runId ?? '' },
      });
      m.successor = plan;
      return closeExecution(m, enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
    }
    case C.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
      m.add({
        workflowExecutionCanceledEventAttributes: {
          details: cmd.cancelWorkflowExecutionCommandAttributes?.details ?? null,
          workflowTaskCompletedEventId: wftCompleted,
        },
      });
      return closeExecution(m, enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    case C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: {
      const sent = cmd.continueAsNewWorkflowExecutionCommandAttributes ?? {};
      const attrs = sent.searchAttributes
        ? {
            ...sent,
            searchAttributes: checkedSearchAttributes(
              checkSearchAttributes,
              sent.searchAttributes,
              (reason) =>
                `invalid SearchAttributes on ContinueAsNewWorkflowExecutionCommand: ${reason}. WorkflowType=${sent.workflowType?.name || m.ms.workflowType} TaskQueue=${sent.taskQueue?.name || m.ms.taskQueue}`,
            ),
          }
        : sent;
      const plan = planContinueAsNew(attrs);
      m.add({
        workflowExecutionContinuedAsNewEventAttributes: {
          newExecutionRunId: plan.runId,
          workflowType: attrs.workflowType?.name ? attrs.workflowType : { name: m.ms.workflowType },
          taskQueue: { name: attrs.taskQueue?.name || m.ms.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          input: attrs.input ?? null,
          workflowRunTimeout: attrs.workflowRunTimeout ?? null,
          workflowTaskTimeout: attrs.workflowTaskTimeout ?? null,
          workflowTaskCompletedEventId: wftCompleted,
          backoffStartInterval: attrs.backoffStartInterval ?? null,
          initiator: plan.initiator,
          failure: attrs.failure ?? null,
          lastCompletionResult: attrs.lastCompletionResult ?? null,
          header: attrs.header ?? null,
          memo: attrs.memo ?? null,
          searchAttributes: attrs.searchAttributes ?? null,
        },
      });
      m.successor = plan;
      return closeExecution(m, enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
    }
    case C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
      const sent = cmd.startChildWorkflowExecutionCommandAttributes ?? {};
      const bad = (message: string): BadCommandError => new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES, message);
      if (!sent.workflowId) throw bad('WorkflowId is not set on StartChildWorkflowExecutionCommand.');
      if (!sent.workflowType?.name) throw bad('WorkflowType is not set on StartChildWorkflowExecutionCommand.');
      const namespace = sent.namespace || m.namespaceName;
      // The types are this namespace's: a child in another namespace is checked when it starts there.
      const searchAttributes =
        namespace === m.namespaceName && sent.searchAttributes
          ? checkedSearchAttributes(
              checkSearchAttributes,
              sent.searchAttributes,
              (reason) =>
                `invalid SearchAttributes on StartChildWorkflowCommand: ${reason}. WorkflowId=${sent.workflowId} WorkflowType=${sent.workflowType?.name} Namespace=${namespace}`,
            )
          : sent.searchAttributes;
      const attrs = searchAttributes === sent.searchAttributes ? sent : { ...sent, searchAttributes };
      const taskQueue = attrs.taskQueue?.name || m.ms.taskQueue;
      const parentClosePolicy = attrs.parentClosePolicy || enums.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE;
      const event = m.add({
        startChildWorkflowExecutionInitiatedEventAttributes: {
          ...attrs,
          namespace,
          taskQueue: { name: taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          parentClosePolicy,
          workflowIdReusePolicy: attrs.workflowIdReusePolicy || enums.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
          workflowTaskCompletedEventId: wftCompleted,
        },
      });
      const initiatedEventId = toNumber(event.eventId);
      m.ms.children[String(initiatedEventId)] = {
        initiatedEventId,
        namespace,
        workflowId: sent.workflowId,
        workflowType: sent.workflowType.name,
        parentClosePolicy,
      };
      return;
    }
    case C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
      const attrs = cmd.signalExternalWorkflowExecutionCommandAttributes ?? {};
      const unset = !attrs.execution?.workflowId ? 'Execution' : !attrs.signalName ? 'SignalName' : '';
      if (unset) {
        throw new BadCommandError(
          Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
          `${unset} is not set on SignalExternalWorkflowExecutionCommand.`,
        );
      }
      const namespace = attrs.namespace || m.namespaceName;
      const event = m.add({
        signalExternalWorkflowExecutionInitiatedEventAttributes: { ...attrs, namespace, workflowTaskCompletedEventId: wftCompleted },
      });
      addExternalRequest(m, 'signal', toNumber(event.eventId), namespace, attrs.execution ?? {}, attrs.childWorkflowOnly ?? false);
      return;
    }
    case C.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: {
      const attrs = cmd.requestCancelExternalWorkflowExecutionCommandAttributes ?? {};
      if (!attrs.workflowId) {
        throw new BadCommandError(
          Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
          'WorkflowId is not set on RequestCancelExternalWorkflowExecutionCommand.',
        );
      }
      const namespace = attrs.namespace || m.namespaceName;
      const execution = { workflowId: attrs.workflowId, runId: attrs.runId ?? '' };
      const event = m.add({
        requestCancelExternalWorkflowExecutionInitiatedEventAttributes: {
          namespace,
          workflowExecution: execution,
          control: attrs.control ?? '',
          childWorkflowOnly: attrs.childWorkflowOnly ?? false,
          reason: attrs.reason ?? '',
          workflowTaskCompletedEventId: wftCompleted,
        },
      });
      addExternalRequest(m, 'cancel', toNumber(event.eventId), namespace, execution, attrs.childWorkflowOnly ?? false);
      return;
    }
    default: {
      const name = cmd.commandType === null || cmd.commandType === undefined ? 'unspecified' : (C[cmd.commandType] ?? String(cmd.commandType));
      throw new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND, `Command ${name} is not supported by this server yet.`);
    }
  }
}

function scheduleActivity(m: RunMutator, attrs: command.IScheduleActivityTaskCommandAttributes, completedEventId: number): void {
  const bad = (message: string): BadCommandError => new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, message);
  if (!attrs.activityId) throw bad('ActivityId is not set on ScheduleActivityTaskCommand.');
  if (!attrs.activityType?.name) throw bad('ActivityType is not set on ScheduleActivityTaskCommand.');
  if (Object.values(m.ms.activities).some((a) => a.activityId === attrs.activityId)) {
    throw new BadCommandError(Cause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID, `Activity with ID ${attrs.activityId} is already scheduled.`);
  }
  let timeouts;
  let retryPolicy;
  try {
    timeouts = normalizeActivityTimeouts(attrs, m.ms.workflowRunTimeoutMs);
    retryPolicy = normalizeRetryPolicy(attrs.retryPolicy);
  } catch (err) {
    if (err instanceof ServiceError) throw bad(err.message);
    throw err;
  }
  const taskQueue = attrs.taskQueue?.name || m.ms.taskQueue;
  const event = m.add({
    activityTaskScheduledEventAttributes: {
      activityId: attrs.activityId,
      activityType: attrs.activityType,
      taskQueue: { name: taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      header: attrs.header ?? null,
      input: attrs.input ?? null,
      scheduleToCloseTimeout: msToDuration(timeouts.scheduleToCloseMs),
      scheduleToStartTimeout: msToDuration(timeouts.scheduleToStartMs),
      startToCloseTimeout: msToDuration(timeouts.startToCloseMs),
      heartbeatTimeout: msToDuration(timeouts.heartbeatMs),
      workflowTaskCompletedEventId: int64(completedEventId),
      retryPolicy: retryPolicyToProto(retryPolicy),
      useWorkflowBuildId: attrs.useWorkflowBuildId ?? false,
      priority: attrs.priority ?? null,
    },
  });
  const scheduledEventId = toNumber(event.eventId);
  m.addActivity(newActivityInfo(scheduledEventId, attrs, taskQueue, timeouts, retryPolicy, m.now));
}

function addExternalRequest(
  m: RunMutator,
  kind: 'signal' | 'cancel',
  initiatedEventId: number,
  namespace: string,
  execution: { workflowId?: string | null; runId?: string | null },
  childWorkflowOnly: boolean,
): void {
  m.ms.externalRequests[String(initiatedEventId)] = {
    kind,
    initiatedEventId,
    namespace,
    workflowId: execution.workflowId ?? '',
    runId: execution.runId ?? '',
    childWorkflowOnly,
  };
}
