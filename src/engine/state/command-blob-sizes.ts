import { blobSizeVerdict } from '../../common/blob-size';
import { common, enums, failure, type command, type IPayload, type IPayloads } from '../../common/proto';
import type { BlobSizeLimits } from '../../common/blob-size';

const C = enums.CommandType;
const Cause = enums.WorkflowTaskFailedCause;

const payloadsSize = (p: IPayloads | null | undefined): number => (p ? common.Payloads.encode(p).finish().length : 0);

/** Temporal's payloadsMapSize (search attributes, memo): key lengths plus payload data lengths. */
function payloadMapSize(fields: Record<string, IPayload> | null | undefined): number {
  return Object.entries(fields ?? {}).reduce((size, [key, p]) => size + key.length + (p.data?.length ?? 0), 0);
}

/** Temporal's GetPayloadsMapSize (marker details): key lengths plus encoded Payloads. */
function payloadsMapSize(fields: Record<string, IPayloads> | null | undefined): number {
  return Object.entries(fields ?? {}).reduce((size, [key, p]) => size + key.length + payloadsSize(p), 0);
}

/** What each command type's size check measures, the cause it fails with and Temporal's message (workflow_task_completed_handler.go). */
const CHECKS: Partial<Record<enums.CommandType, { size: (cmd: command.ICommand) => number; cause: enums.WorkflowTaskFailedCause; message: string }>> = {
  [C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK]: {
    size: (cmd) => payloadsSize(cmd.scheduleActivityTaskCommandAttributes?.input),
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
    message: 'ScheduleActivityTaskCommandAttributes.Input exceeds size limit.',
  },
  [C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION]: {
    size: (cmd) => payloadsSize(cmd.completeWorkflowExecutionCommandAttributes?.result),
    // Temporal reports this one with the schedule-activity cause.
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
    message: 'CompleteWorkflowExecutionCommandAttributes.Result exceeds size limit.',
  },
  [C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION]: {
    size: (cmd) => {
      const f = cmd.failWorkflowExecutionCommandAttributes?.failure;
      return f ? failure.Failure.encode(f).finish().length : 0;
    },
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
    message: 'FailWorkflowExecutionCommandAttributes.Failure exceeds size limit.',
  },
  [C.COMMAND_TYPE_RECORD_MARKER]: {
    size: (cmd) => payloadsMapSize(cmd.recordMarkerCommandAttributes?.details),
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
    message: 'RecordMarkerCommandAttributes.Details exceeds size limit.',
  },
  [C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION]: {
    size: (cmd) => payloadsSize(cmd.continueAsNewWorkflowExecutionCommandAttributes?.input),
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES,
    message: 'ContinueAsNewWorkflowExecutionCommandAttributes. Input exceeds size limit.',
  },
  [C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION]: {
    size: (cmd) => payloadsSize(cmd.startChildWorkflowExecutionCommandAttributes?.input),
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
    message: 'StartChildWorkflowExecutionCommandAttributes. Input exceeds size limit.',
  },
  [C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION]: {
    size: (cmd) => payloadsSize(cmd.signalExternalWorkflowExecutionCommandAttributes?.input),
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
    message: 'SignalExternalWorkflowExecutionCommandAttributes.Input exceeds size limit.',
  },
  [C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES]: {
    size: (cmd) => payloadMapSize(cmd.upsertWorkflowSearchAttributesCommandAttributes?.searchAttributes?.indexedFields),
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
    message: 'UpsertWorkflowSearchAttributesCommandAttributes exceeds size limit.',
  },
  [C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES]: {
    size: (cmd) => payloadMapSize(cmd.modifyWorkflowPropertiesCommandAttributes?.upsertedMemo?.fields),
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES,
    message: 'ModifyWorkflowPropertiesCommandAttributes exceeds size limit.',
  },
};

/**
 * A command whose payload is over `limit.blobSize.error` (checked only past the warning limit, as
 * Temporal's CheckEventBlobSizeLimit does): the cause and message the completion is rejected with.
 * Temporal terminates the run for it rather than retrying the task, since the same code would
 * produce the same payload again.
 */
export function oversizedCommand(cmd: command.ICommand, limits: BlobSizeLimits): { cause: enums.WorkflowTaskFailedCause; message: string } | undefined {
  const check = CHECKS[cmd.commandType ?? C.COMMAND_TYPE_UNSPECIFIED];
  if (!check || blobSizeVerdict(check.size(cmd), limits) !== 'error') return undefined;
  return { cause: check.cause, message: check.message };
}
