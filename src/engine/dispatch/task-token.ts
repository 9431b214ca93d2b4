import { invalidArgument } from '../../common/errors';

/**
 * Task tokens are opaque to SDKs. Ours name the run, the task's scheduled event id and attempt, so a
 * token from an earlier attempt or an already-finished task is recognised as stale (NOT_FOUND), and
 * bytes that are not a token at all are rejected (INVALID_ARGUMENT).
 */
export interface WorkflowTaskToken {
  kind: 'workflow';
  namespaceId: string;
  workflowId: string;
  runId: string;
  scheduledEventId: number;
  attempt: number;
  startedEventId: number;
}

export interface ActivityTaskToken {
  kind: 'activity';
  namespaceId: string;
  workflowId: string;
  runId: string;
  scheduledEventId: number;
  attempt: number;
  activityId: string;
}

/** A query task: answered by RespondQueryTaskCompleted, never written to history. */
export interface QueryTaskToken {
  kind: 'query';
  namespaceId: string;
  queryId: string;
}

export type TaskToken = WorkflowTaskToken | ActivityTaskToken | QueryTaskToken;

const PREFIX = 'hg1:';

export function encodeTaskToken(token: TaskToken): Uint8Array {
  return Buffer.from(PREFIX + JSON.stringify(token), 'utf8');
}

export function decodeTaskToken(bytes: Uint8Array | null | undefined): TaskToken {
  const text = bytes ? Buffer.from(bytes).toString('utf8') : '';
  if (!text.startsWith(PREFIX)) throw invalidArgument('Error deserializing task token: not a task token issued by this server');
  let value: unknown;
  try {
    value = JSON.parse(text.slice(PREFIX.length));
  } catch {
    throw invalidArgument('Error deserializing task token: malformed');
  }
  if (!isTaskToken(value)) throw invalidArgument('Error deserializing task token: missing fields');
  return value;
}

function isTaskToken(v: unknown): v is TaskToken {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as Record<string, unknown>;
  if (t.kind === 'query') return typeof t.namespaceId === 'string' && typeof t.queryId === 'string';
  const common =
    typeof t.namespaceId === 'string' &&
    typeof t.workflowId === 'string' &&
    typeof t.runId === 'string' &&
    typeof t.scheduledEventId === 'number' &&
    typeof t.attempt === 'number';
  if (!common) return false;
  if (t.kind === 'workflow') return typeof t.startedEventId === 'number';
  if (t.kind === 'activity') return typeof t.activityId === 'string';
  return false;
}

export function decodeWorkflowTaskToken(bytes: Uint8Array | null | undefined): WorkflowTaskToken {
  const token = decodeTaskToken(bytes);
  if (token.kind !== 'workflow') throw invalidArgument('Task token is not a workflow task token');
  return token;
}

export function decodeActivityTaskToken(bytes: Uint8Array | null | undefined): ActivityTaskToken {
  const token = decodeTaskToken(bytes);
  if (token.kind !== 'activity') throw invalidArgument('Task token is not an activity task token');
  return token;
}

export function decodeQueryTaskToken(bytes: Uint8Array | null | undefined): QueryTaskToken {
  const token = decodeTaskToken(bytes);
  if (token.kind !== 'query') throw invalidArgument('Task token is not a query task token');
  return token;
}
