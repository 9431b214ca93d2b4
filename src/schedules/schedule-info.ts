import { decodeMemo, decodeSearchAttributes, int64, msToDuration, msToTimestamp, type temporal, type IPayload } from '../common/proto';
import type { RecentAction, ScheduleRecord } from '../store/schedule-records';
import { compile, toDoc } from './schedule-doc';
import { catchupWindowMs, futureActionTimes, FUTURE_ACTION_COUNT, resolveOverlapPolicy, type ScheduleDoc } from './schedule-state';

const LIST_ACTION_COUNT = 5;

/** Conflict tokens travel as 8 big-endian bytes, as Temporal encodes them. */
export function encodeConflictToken(token: number): Uint8Array {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(token));
  return buf;
}

export function decodeConflictToken(bytes: Uint8Array | null | undefined): number | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  return bytes.length === 8 ? Number(Buffer.from(bytes).readBigUInt64BE()) : -1;
}

function actionResult(a: RecentAction): temporal.api.schedule.v1.IScheduleActionResult {
  return {
    scheduleTime: msToTimestamp(a.scheduleTime),
    actualTime: msToTimestamp(a.actualTime),
    startWorkflowResult: { workflowId: a.workflowId, runId: a.runId },
    startWorkflowStatus: a.status,
  };
}

/** DescribeSchedule: the schedule with the defaults filled in and the spec in canonical form, its info and conflict token. */
export function describeResponse(record: ScheduleRecord): temporal.api.workflowservice.v1.IDescribeScheduleResponse {
  const doc = toDoc(record);
  const spec = compile(doc);
  const p = doc.progress;
  const schedule: temporal.api.schedule.v1.ISchedule = {
    ...doc.schedule,
    spec: spec.canonical,
    policies: {
      ...doc.schedule.policies,
      overlapPolicy: resolveOverlapPolicy(doc, undefined),
      catchupWindow: msToDuration(catchupWindowMs(doc)),
    },
    state: doc.schedule.state ?? {},
  };
  return {
    schedule,
    info: {
      actionCount: int64(p.actionCount),
      missedCatchupWindow: int64(p.missedCatchupWindow),
      overlapSkipped: int64(p.overlapSkipped),
      bufferDropped: int64(p.bufferDropped),
      bufferSize: int64(p.buffer.length),
      runningWorkflows: p.running.filter((r) => r.runId !== ''),
      recentActions: p.recentActions.map(actionResult),
      futureActionTimes: futureActionTimes(doc, spec, FUTURE_ACTION_COUNT).map(msToTimestamp),
      createTime: msToTimestamp(p.createTime),
      updateTime: p.updateTime === undefined ? undefined : msToTimestamp(p.updateTime),
    },
    memo: record.memo ? { fields: decodeMemo(record.memo) } : undefined,
    searchAttributes: record.searchAttributes ? { indexedFields: decodeSearchAttributes(record.searchAttributes) } : undefined,
    conflictToken: encodeConflictToken(record.conflictToken),
  };
}

/** ListSchedules' entry: Temporal's ScheduleListInfo (5 recent and 5 future actions). */
export function listEntry(record: ScheduleRecord): temporal.api.schedule.v1.IScheduleListEntry {
  const doc = toDoc(record);
  const spec = compile(doc);
  return {
    scheduleId: record.scheduleId,
    memo: record.memo ? { fields: decodeMemo(record.memo) } : undefined,
    searchAttributes: record.searchAttributes ? { indexedFields: decodeSearchAttributes(record.searchAttributes) } : undefined,
    info: {
      spec: spec.canonical,
      workflowType: doc.schedule.action?.startWorkflow?.workflowType,
      notes: doc.schedule.state?.notes ?? '',
      paused: doc.schedule.state?.paused ?? false,
      recentActions: doc.progress.recentActions.slice(-LIST_ACTION_COUNT).map(actionResult),
      futureActionTimes: futureActionTimes(doc, spec, LIST_ACTION_COUNT).map(msToTimestamp),
    },
  };
}

/** What a list query sees of a schedule: its search attribute values (decoded JSON), ScheduleId, TemporalSchedulePaused. */
export function queryAttributes(doc: ScheduleDoc): Record<string, unknown> {
  const out: Record<string, unknown> = { ScheduleId: doc.scheduleId, TemporalSchedulePaused: doc.schedule.state?.paused ?? false };
  for (const [name, payload] of Object.entries(decodeSearchAttributes(doc.searchAttributes))) out[name] = payloadValue(payload);
  return out;
}

function payloadValue(payload: IPayload): unknown {
  try {
    return JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'));
  } catch {
    return undefined;
  }
}
