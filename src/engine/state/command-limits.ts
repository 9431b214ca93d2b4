import { blobSizeVerdict } from '../../common/blob-size';
import { idTooLong } from '../../common/id-length';
import { common, decodeSearchAttributes, enums, type command, type IPayload } from '../../common/proto';
import { searchAttributesSizeError } from '../../common/search-attribute-limits';
import type { MutableState } from '../../store/records';
import type { PendingLimits, RunLimits } from './run-limits';

/**
 * Temporal's per-command limits beyond payload sizes (workflow_task_completed_handler.go,
 * workflow_size_checker.go, command_attr_validator.go): id lengths, pending counts per run, memo and
 * search attribute sizes. Each returns the cause and message the completion is rejected with.
 */
export interface CommandRejection {
  cause: enums.WorkflowTaskFailedCause;
  message: string;
}

const C = enums.CommandType;
const Cause = enums.WorkflowTaskFailedCause;

type Limit = Pick<RunLimits, 'maxIdLength'>;

/**
 * An id, type, name or task queue longer than `limit.maxIDLength` (CommandAttrValidator): the task
 * fails with the command's BAD_* cause. Checked before the command is applied, after its "not set"
 * checks would pass (an empty id is never too long), as Temporal's validator orders them.
 */
export function commandIdTooLong(cmd: command.ICommand, ms: Pick<MutableState, 'workflowType'>, limits: Limit): CommandRejection | undefined {
  const max = limits.maxIdLength;
  const long = (id: string | null | undefined): boolean => idTooLong(id, max);
  const len = (id: string | null | undefined): number => Buffer.byteLength(id ?? '', 'utf8');
  const tooLong = (cause: enums.WorkflowTaskFailedCause, message: string): CommandRejection => ({ cause, message });
  switch (cmd.commandType) {
    case C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
      const a = cmd.scheduleActivityTaskCommandAttributes ?? {};
      const cause = Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES;
      if (long(a.taskQueue?.name)) return tooLong(cause, 'taskQueue length exceeds limit');
      if (long(a.activityId)) return tooLong(cause, `activityId exceeds length limit. Length=${len(a.activityId)} Limit=${max}`);
      if (long(a.activityType?.name)) return tooLong(cause, `activityType exceeds length limit. Length=${len(a.activityType?.name)} Limit=${max}`);
      return undefined;
    }
    case C.COMMAND_TYPE_START_TIMER:
    case C.COMMAND_TYPE_CANCEL_TIMER: {
      const start = cmd.commandType === C.COMMAND_TYPE_START_TIMER;
      const timerId = (start ? cmd.startTimerCommandAttributes?.timerId : cmd.cancelTimerCommandAttributes?.timerId) ?? '';
      if (!long(timerId)) return undefined;
      const [cause, name] = start
        ? [Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, 'StartTimerCommand']
        : [Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES, 'CancelTimerCommand'];
      return tooLong(cause, `TimerId on ${name} exceeds length limit. TimerId=${timerId} Length=${len(timerId)} Limit=${max}`);
    }
    case C.COMMAND_TYPE_RECORD_MARKER: {
      const markerName = cmd.recordMarkerCommandAttributes?.markerName ?? '';
      if (!long(markerName)) return undefined;
      return tooLong(
        Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
        `MarkerName on RecordMarkerCommand exceeds length limit. MarkerName=${markerName} Length=${len(markerName)} Limit=${max}`,
      );
    }
    case C.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: {
      const a = cmd.requestCancelExternalWorkflowExecutionCommandAttributes ?? {};
      const cause = Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES;
      const [wf, run, ns] = [a.workflowId ?? '', a.runId ?? '', a.namespace ?? ''];
      if (long(ns)) {
        return tooLong(
          cause,
          `Namespace on RequestCancelExternalWorkflowExecutionCommand exceeds length limit. WorkflowId=${wf} RunId=${run} Namespace=${ns} Length=${len(ns)} Limit=${max}`,
        );
      }
      if (long(wf)) {
        return tooLong(
          cause,
          `WorkflowId on RequestCancelExternalWorkflowExecutionCommand exceeds length limit. WorkflowId=${wf} Length=${len(wf)} Limit=${max} RunId=${run} Namespace=${ns}`,
        );
      }
      return undefined;
    }
    case C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
      const a = cmd.signalExternalWorkflowExecutionCommandAttributes ?? {};
      const cause = Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES;
      const [wf, run, ns, signal] = [a.execution?.workflowId ?? '', a.execution?.runId ?? '', a.namespace ?? '', a.signalName ?? ''];
      if (long(ns)) {
        return tooLong(
          cause,
          `Namespace on SignalExternalWorkflowExecutionCommand exceeds length limit. WorkflowId=${wf} Namespace=${ns} Length=${len(ns)} Limit=${max} RunId=${run} SignalName=${signal}`,
        );
      }
      if (long(wf)) {
        return tooLong(
          cause,
          `WorkflowId on SignalExternalWorkflowExecutionCommand exceeds length limit. WorkflowId=${wf} Length=${len(wf)} Limit=${max} Namespace=${ns} RunId=${run} SignalName=${signal}`,
        );
      }
      return undefined;
    }
    case C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: {
      const a = cmd.continueAsNewWorkflowExecutionCommandAttributes ?? {};
      const cause = Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES;
      const wfType = a.workflowType?.name || ms.workflowType;
      if (long(wfType)) {
        return tooLong(
          cause,
          `WorkflowType on ContinueAsNewWorkflowExecutionCommand exceeds length limit. WorkflowType=${wfType} Length=${len(wfType)} Limit=${max}`,
        );
      }
      if (long(a.taskQueue?.name)) {
        return tooLong(
          cause,
          `error validating ContinueAsNewWorkflowExecutionCommand TaskQueue: taskQueue length exceeds limit. WorkflowType=${wfType} TaskQueue=${a.taskQueue?.name ?? ''}`,
        );
      }
      return undefined;
    }
    case C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
      const a = cmd.startChildWorkflowExecutionCommandAttributes ?? {};
      const cause = Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES;
      const [wf, wfType, ns] = [a.workflowId ?? '', a.workflowType?.name ?? '', a.namespace ?? ''];
      if (long(ns)) {
        return tooLong(
          cause,
          `Namespace on StartChildWorkflowExecutionCommand exceeds length limit. WorkflowId=${wf} WorkflowType=${wfType} Namespace=${ns} Length=${len(ns)} Limit=${max}`,
        );
      }
      if (long(wf)) {
        return tooLong(
          cause,
          `WorkflowId on StartChildWorkflowExecutionCommand exceeds length limit. WorkflowId=${wf} Length=${len(wf)} Limit=${max} WorkflowType=${wfType} Namespace=${ns}`,
        );
      }
      if (long(wfType)) {
        return tooLong(
          cause,
          `WorkflowType on StartChildWorkflowExecutionCommand exceeds length limit. WorkflowId=${wf} WorkflowType=${wfType} Length=${len(wfType)} Limit=${max} Namespace=${ns}`,
        );
      }
      if (long(a.taskQueue?.name)) {
        return tooLong(
          cause,
          `invalid TaskQueue on StartChildWorkflowExecutionCommand: taskQueue length exceeds limit. WorkflowId=${wf} WorkflowType=${wfType} Namespace=${ns} TaskQueue=${a.taskQueue?.name ?? ''}`,
        );
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

const PENDING: Partial<
  Record<enums.CommandType, { limit: keyof PendingLimits; count: (ms: MutableState) => number; what: string; cause: enums.WorkflowTaskFailedCause }>
> = {
  [C.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK]: {
    limit: 'activities',
    count: (ms) => Object.keys(ms.activities).length,
    what: 'pending activities',
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_ACTIVITIES_LIMIT_EXCEEDED,
  },
  [C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION]: {
    limit: 'childExecutions',
    count: (ms) => Object.keys(ms.children).length,
    what: 'pending child workflow executions',
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED,
  },
  [C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION]: {
    limit: 'signals',
    count: (ms) => Object.values(ms.externalRequests).filter((r) => r.kind === 'signal').length,
    what: 'pending signals to external workflows',
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_SIGNALS_LIMIT_EXCEEDED,
  },
  [C.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION]: {
    limit: 'cancelRequests',
    count: (ms) => Object.values(ms.externalRequests).filter((r) => r.kind === 'cancel').length,
    what: 'pending requests to cancel external workflows',
    cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_REQUEST_CANCEL_LIMIT_EXCEEDED,
  },
};

/**
 * A command that would add to a run already holding `limit.numPending*.error` pending activities,
 * children, signals or cancel requests (workflowSizeChecker.checkCountConstraint), counted before the
 * command adds its own. Temporal fails the task without terminating: the run goes on once some finish.
 */
export function pendingLimitExceeded(cmd: command.ICommand, ms: MutableState, limits: PendingLimits): CommandRejection | undefined {
  const check = PENDING[cmd.commandType ?? C.COMMAND_TYPE_UNSPECIFIED];
  if (!check) return undefined;
  const limit = limits[check.limit];
  const pending = check.count(ms);
  if (limit <= 0 || pending < limit) return undefined;
  return { cause: check.cause, message: `the number of ${check.what}, ${pending}, has reached the per-workflow limit of ${limit}` };
}

type SizeLimits = Pick<RunLimits, 'memoSize' | 'searchAttributes'>;

const memoTooLarge = (fields: Record<string, IPayload> | null | undefined, limits: SizeLimits): boolean =>
  blobSizeVerdict(common.Memo.encode({ fields: fields ?? {} }).finish().length, limits.memoSize) === 'error';

/**
 * A memo over `limit.memoSize.error` or search attributes over the `frontend.searchAttributes*` size
 * limits, as the completion handler checks them once the command is valid: an upsert's search
 * attributes and a modify's memo merged with the run's (so `ms` is the state with the command applied),
 * a continue-as-new's or child's as sent. Like an oversized payload, it terminates the run.
 */
export function oversizedMemoOrSearchAttributes(cmd: command.ICommand, ms: MutableState, limits: SizeLimits): CommandRejection | undefined {
  switch (cmd.commandType) {
    case C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const message = searchAttributesSizeError(decodeSearchAttributes(ms.searchAttributes), limits.searchAttributes);
      return message ? { cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, message } : undefined;
    }
    case C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
      const merged = ms.memo ? Buffer.from(ms.memo, 'base64').length : 0;
      if (blobSizeVerdict(merged, limits.memoSize) !== 'error') return undefined;
      return {
        cause: Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES,
        message: 'ModifyWorkflowPropertiesCommandAttributes. Memo exceeds size limit.',
      };
    }
    case C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: {
      const a = cmd.continueAsNewWorkflowExecutionCommandAttributes ?? {};
      const cause = Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES;
      if (memoTooLarge(a.memo?.fields, limits)) return { cause, message: 'ContinueAsNewWorkflowExecutionCommandAttributes. Memo exceeds size limit.' };
      const message = searchAttributesSizeError(a.searchAttributes?.indexedFields, limits.searchAttributes);
      return message ? { cause, message } : undefined;
    }
    case C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
      const a = cmd.startChildWorkflowExecutionCommandAttributes ?? {};
      const cause = Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES;
      if (memoTooLarge(a.memo?.fields, limits)) return { cause, message: 'StartChildWorkflowExecutionCommandAttributes.Memo exceeds size limit.' };
      const message = searchAttributesSizeError(a.searchAttributes?.indexedFields, limits.searchAttributes);
      return message ? { cause, message } : undefined;
    }
    default:
      return undefined;
  }
}
