import { enums, temporal, decodePayloads, decodeFailure, type IPayload, type workflowservice } from '../common/proto';
import type { PendingStart, ScheduleRecord } from '../store/schedule-records';
import { resolveOverlapPolicy, rfc3339Seconds, type ScheduleDoc } from './schedule-state';
import { canonicalize, type CompiledSpec } from './spec';

const Schedule = temporal.api.schedule.v1.Schedule;

export function encodeSchedule(schedule: temporal.api.schedule.v1.ISchedule): string {
  return Buffer.from(Schedule.encode(schedule).finish()).toString('base64');
}

export function decodeSchedule(stored: string): temporal.api.schedule.v1.Schedule {
  return Schedule.decode(Buffer.from(stored, 'base64'));
}

export function toDoc(record: ScheduleRecord): ScheduleDoc {
  return {
    namespaceId: record.namespaceId,
    scheduleId: record.scheduleId,
    schedule: decodeSchedule(record.schedule),
    progress: structuredClone(record.progress),
    conflictToken: record.conflictToken,
    searchAttributes: record.searchAttributes,
  };
}

/** The record after `doc`'s changes, one dbVersion on. */
export function fromDoc(record: ScheduleRecord, doc: ScheduleDoc): ScheduleRecord {
  return {
    ...record,
    schedule: encodeSchedule(doc.schedule),
    progress: doc.progress,
    conflictToken: doc.conflictToken,
    searchAttributes: doc.searchAttributes,
    dbVersion: record.dbVersion + 1,
  };
}

function jsonPayload(value: unknown, type: string): IPayload {
  return { metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(type) }, data: Buffer.from(JSON.stringify(value)) };
}

/**
 * The StartWorkflowExecution a scheduled action makes (Temporal's scheduler startWorkflow): the action's workflow
 * with the nominal time appended to its id, the scheduled-time and scheduled-by search attributes, and the last
 * run's result or failure (not for ALLOW_ALL starts, which do not take part in that chain).
 */
export function startRequest(doc: ScheduleDoc, pending: PendingStart, namespace: string): workflowservice.IStartWorkflowExecutionRequest {
  const action = doc.schedule.action?.startWorkflow ?? {};
  const allowAll = resolveOverlapPolicy(doc, pending.overlapPolicy) === enums.ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL;
  const nominalSeconds = Math.floor(pending.nominalTime / 1000) * 1000;
  return {
    namespace,
    workflowId: pending.workflowId,
    workflowType: action.workflowType,
    taskQueue: action.taskQueue,
    input: action.input,
    workflowExecutionTimeout: action.workflowExecutionTimeout,
    workflowRunTimeout: action.workflowRunTimeout,
    workflowTaskTimeout: action.workflowTaskTimeout,
    identity: `temporal-scheduler-${namespace}-${doc.scheduleId}`,
    requestId: pending.requestId,
    workflowIdReusePolicy: pending.manual
      ? enums.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
      : enums.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
    retryPolicy: action.retryPolicy,
    memo: action.memo,
    searchAttributes: {
      indexedFields: {
        ...(action.searchAttributes?.indexedFields ?? {}),
        TemporalScheduledStartTime: jsonPayload(rfc3339Seconds(nominalSeconds), 'Datetime'),
        TemporalScheduledById: jsonPayload(doc.scheduleId, 'Keyword'),
      },
    },
    header: action.header,
    lastCompletionResult: allowAll ? undefined : decodePayloads(doc.progress.lastCompletionResult),
    continuedFailure: allowAll ? undefined : decodeFailure(doc.progress.continuedFailure),
    userMetadata: action.userMetadata,
    priority: action.priority,
  };
}

/** The spec as the schedule holds it, compiled; it was validated when written, so this does not throw. */
export function compile(doc: ScheduleDoc): CompiledSpec {
  return canonicalize(doc.schedule.spec ?? {});
}
