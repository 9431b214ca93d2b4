import { Reader, util, Writer } from 'protobufjs/minimal';
import { invalidArgument, taskNotFound } from '../../common/errors';
import type { RunRef } from '../../store/records';

/**
 * Task tokens are opaque to SDKs, but ours are Temporal's own: the protobuf messages
 * `temporal.server.api.token.v1.Task` (workflow and activity tasks) and `…QueryTask` (legacy query tasks) from
 * temporalio/temporal `proto/internal/temporal/server/api/token/v1/message.proto`, with the same field numbers and wire
 * types, so a tool that reads or builds a Temporal token works with ours. They name the run, the task's scheduled event
 * id and attempt, so a token from an earlier attempt or an already-finished task is recognised as stale (NOT_FOUND).
 */
/** What workflow and activity task tokens share: the run, and the task's scheduled event id and attempt. */
interface RunTaskToken extends RunRef {
  scheduledEventId: number;
  attempt: number;
}

export interface WorkflowTaskToken extends RunTaskToken {
  kind: 'workflow';
  startedEventId: number;
}

export interface ActivityTaskToken extends RunTaskToken {
  kind: 'activity';
  activityId: string;
}

/** A query task: answered by RespondQueryTaskCompleted, never written to history. */
export interface QueryTaskToken {
  kind: 'query';
  namespaceId: string;
  queryId: string;
}

export type TaskToken = WorkflowTaskToken | ActivityTaskToken | QueryTaskToken;

/** Field numbers of `temporal.server.api.token.v1.Task`. */
export const TaskField = {
  namespaceId: 1, // string
  workflowId: 2, // string
  runId: 3, // string
  scheduledEventId: 4, // int64
  attempt: 5, // int32
  activityId: 6, // string
  workflowType: 7, // string
  activityType: 8, // string
  clock: 9, // temporal.server.api.clock.v1.VectorClock
  startedEventId: 10, // int64
  version: 11, // int64
  startedTime: 12, // google.protobuf.Timestamp
  startVersion: 13, // int64
  componentRef: 14, // bytes
  activityAttemptStamp: 15, // int32
} as const;

/** Field numbers of `temporal.server.api.token.v1.QueryTask`. */
export const QueryTaskField = { namespaceId: 1, taskQueue: 2, taskId: 3 } as const;

const VARINT = 0;
const LENGTH_DELIMITED = 2;

/** Temporal's frontend answers any token that does not unmarshal with exactly this. */
const DESERIALIZING = 'Error deserializing task token.';

/** Temporal's namespace validator, when the token carries no namespace id. */
const NAMESPACE_NOT_SET = 'Namespace not set on request.';

export function encodeTaskToken(token: TaskToken): Uint8Array {
  const w = Writer.create();
  if (token.kind === 'query') {
    // task_queue (2) stays empty: Hourglass finds a query task by its id alone.
    putString(w, QueryTaskField.namespaceId, token.namespaceId);
    putString(w, QueryTaskField.taskId, token.queryId);
    return w.finish();
  }
  // proto3 as Go marshals it: fields in number order, zero values left out.
  putString(w, TaskField.namespaceId, token.namespaceId);
  putString(w, TaskField.workflowId, token.workflowId);
  putString(w, TaskField.runId, token.runId);
  if (token.scheduledEventId) w.uint32(tag(TaskField.scheduledEventId, VARINT)).int64(token.scheduledEventId);
  if (token.attempt) w.uint32(tag(TaskField.attempt, VARINT)).int32(token.attempt);
  if (token.kind === 'activity') putString(w, TaskField.activityId, token.activityId);
  if (token.kind === 'workflow' && token.startedEventId) w.uint32(tag(TaskField.startedEventId, VARINT)).int64(token.startedEventId);
  return w.finish();
}

/**
 * A workflow task token is a `Task` without an activity id. One naming an activity is well formed but names no
 * workflow task: NOT_FOUND, as Temporal answers when no workflow task has the token's scheduled event id.
 */
export function decodeWorkflowTaskToken(bytes: Uint8Array | null | undefined): WorkflowTaskToken {
  const t = readTask(bytes);
  if (t.activityId) throw taskNotFound('Workflow task');
  const { namespaceId, workflowId, runId, scheduledEventId, attempt, startedEventId } = t;
  return { kind: 'workflow', namespaceId, workflowId, runId, scheduledEventId, attempt, startedEventId };
}

/** An activity task token is a `Task` with an activity id; one without names no activity (NOT_FOUND). */
export function decodeActivityTaskToken(bytes: Uint8Array | null | undefined): ActivityTaskToken {
  const t = readTask(bytes);
  if (!t.activityId) throw taskNotFound('Activity task');
  const { namespaceId, workflowId, runId, scheduledEventId, attempt, activityId } = t;
  return { kind: 'activity', namespaceId, workflowId, runId, scheduledEventId, attempt, activityId };
}

/** A query task token is a `QueryTask`; its task_id is the query's id (an unknown one is NOT_FOUND later). */
export function decodeQueryTaskToken(bytes: Uint8Array | null | undefined): QueryTaskToken {
  let namespaceId = '';
  let queryId = '';
  readMessage(bytes, (r, field, wireType) => {
    if (field === QueryTaskField.namespaceId && wireType === LENGTH_DELIMITED) namespaceId = readString(r);
    else if (field === QueryTaskField.taskId && wireType === LENGTH_DELIMITED) queryId = readString(r);
    else return false;
    return true;
  });
  if (!namespaceId) throw invalidArgument(NAMESPACE_NOT_SET);
  return { kind: 'query', namespaceId, queryId };
}

/** The namespace id a workflow or activity task token (a `Task`) names, whatever kind of task it is. */
export function taskTokenNamespaceId(bytes: Uint8Array | null | undefined): string {
  return readTask(bytes).namespaceId;
}

/** A `Task` message as read, before it is known to be a workflow or an activity token. */
interface TaskFields extends RunTaskToken {
  activityId: string;
  startedEventId: number;
}

function readTask(bytes: Uint8Array | null | undefined): TaskFields {
  const t: TaskFields = { namespaceId: '', workflowId: '', runId: '', scheduledEventId: 0, attempt: 0, activityId: '', startedEventId: 0 };
  readMessage(bytes, (r, field, wireType) => {
    if (wireType === LENGTH_DELIMITED) {
      if (field === TaskField.namespaceId) t.namespaceId = readString(r);
      else if (field === TaskField.workflowId) t.workflowId = readString(r);
      else if (field === TaskField.runId) t.runId = readString(r);
      else if (field === TaskField.activityId) t.activityId = readString(r);
      else return false;
    } else if (wireType === VARINT) {
      if (field === TaskField.scheduledEventId) t.scheduledEventId = readInt64(r);
      else if (field === TaskField.attempt) t.attempt = r.int32();
      else if (field === TaskField.startedEventId) t.startedEventId = readInt64(r);
      else return false;
    } else return false;
    return true;
  });
  if (!t.namespaceId) throw invalidArgument(NAMESPACE_NOT_SET);
  // Every token Temporal or Hourglass hands out names its run; one that does not cannot address a task.
  if (!t.workflowId || !t.runId) throw invalidArgument(DESERIALIZING);
  return t;
}

/**
 * Reads one message, calling `field` for each field; what it does not take (unknown fields, or a known field with
 * another wire type) is skipped, as protobuf-go keeps it as an unknown field. Bytes that are not a protobuf message
 * at all — a bad tag or wire type, a truncated field, a string that is not UTF-8 — are INVALID_ARGUMENT.
 */
function readMessage(bytes: Uint8Array | null | undefined, field: (r: Reader, field: number, wireType: number) => boolean): void {
  try {
    const r = Reader.create(bytes ?? new Uint8Array(0));
    while (r.pos < r.len) {
      const t = r.uint32();
      const number = t >>> 3;
      const wireType = t & 7;
      if (number === 0 || wireType === 4) throw new Error('invalid tag');
      if (!field(r, number, wireType)) r.skipType(wireType);
    }
  } catch {
    throw invalidArgument(DESERIALIZING);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function readString(r: Reader): string {
  return utf8.decode(r.bytes());
}

function readInt64(r: Reader): number {
  return util.LongBits.from(r.int64()).toNumber();
}

function putString(w: Writer, field: number, value: string): void {
  if (value) w.uint32(tag(field, LENGTH_DELIMITED)).string(value);
}

function tag(field: number, wireType: number): number {
  return ((field << 3) | wireType) >>> 0;
}
