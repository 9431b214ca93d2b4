/**
 * The UI's only way to the server: Temporal's HTTP API under /api/v1 on the UI's own origin, plus the UI server's two
 * JSON files. Answers are read without payload shorthand (`?noPayloadShorthand`), so every payload arrives as
 * `{ metadata, data }` in base64: the form a codec endpoint takes and `historyFromJSON` reads.
 */
import type { DescribeWorkflowResponse, HistoryEvent, Json, Payload, ScheduleListEntry, TaskQueueDescription, WorkflowExecutionInfo } from './types';

export interface UiConfig {
  csrfToken: string;
  codecEndpoint: string | null;
  timeSkipping: boolean;
  serverVersion: string;
  defaultNamespace: string;
}

/** A failed call, as the HTTP API writes it (`code` is the gRPC status code). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}

let config: Promise<UiConfig> | undefined;
export function uiConfig(): Promise<UiConfig> {
  config ??= fetch('/ui-config.json').then(async (r) => {
    if (!r.ok) throw new ApiError(r.status === 404 ? 5 : 13, `could not load /ui-config.json (HTTP ${r.status})`, r.status);
    return (await r.json()) as UiConfig;
  });
  return config;
}

export async function uiClock(): Promise<{ now: string; timeSkipping: boolean }> {
  const r = await fetch('/ui-clock.json');
  return (await r.json()) as { now: string; timeSkipping: boolean };
}

type Query = Record<string, string | number | boolean | undefined>;

/** Where the API key the user typed is kept: this tab only, gone when it closes. */
const API_KEY_STORAGE = 'hourglass.apiKey';

function storedApiKey(): string | null {
  try {
    return sessionStorage.getItem(API_KEY_STORAGE);
  } catch {
    return null;
  }
}

/**
 * After a 401 (a server started with `--api-key`), asks for the key and keeps it for the tab; false when the user
 * gives none. A call refused with a key another call has since replaced retries with the new one without asking.
 */
function askForApiKey(refused: string | null): boolean {
  if (storedApiKey() !== refused) return true;
  const key = window.prompt(refused === null ? 'This Hourglass server needs an API key (--api-key):' : 'The API key was refused. API key:')?.trim();
  if (!key) return false;
  sessionStorage.setItem(API_KEY_STORAGE, key);
  return true;
}

/** One HTTP API call; non-GET calls carry the CSRF token the UI server checks, every call the API key if one was given. */
export async function call<T>(method: 'GET' | 'POST', path: string, options: { query?: Query; body?: Json; signal?: AbortSignal } = {}): Promise<T> {
  for (;;) {
    const apiKey = storedApiKey();
    try {
      return await callOnce<T>(method, path, options, apiKey);
    } catch (err) {
      if (!(err instanceof ApiError) || err.httpStatus !== 401 || !askForApiKey(apiKey)) throw err;
    }
  }
}

async function callOnce<T>(
  method: 'GET' | 'POST',
  path: string,
  options: { query?: Query; body?: Json; signal?: AbortSignal },
  apiKey: string | null,
): Promise<T> {
  const params = new URLSearchParams({ noPayloadShorthand: 'true' });
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined && v !== '') params.set(k, String(v));
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (apiKey !== null) headers.Authorization = `Bearer ${apiKey}`;
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRF-Token'] = (await uiConfig()).csrfToken;
  }
  const response = await fetch(`/api/v1${path}?${params.toString()}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError(13, `HTTP ${response.status}: ${text.slice(0, 200)}`, response.status);
  }
  if (!response.ok) {
    const { code, message } = parsed as { code?: number; message?: string };
    throw new ApiError(code ?? 2, message ?? `HTTP ${response.status}`, response.status);
  }
  return parsed as T;
}

const seg = encodeURIComponent;
const wf = (ns: string, workflowId: string): string => `/namespaces/${seg(ns)}/workflows/${seg(workflowId)}`;

export const listNamespaces = (): Promise<{ namespaces?: { namespaceInfo?: { name?: string } }[] }> => call('GET', '/namespaces', { query: { pageSize: 100 } });

export const listWorkflows = (
  ns: string,
  query: string,
  nextPageToken: string,
  pageSize = 50,
): Promise<{ executions?: WorkflowExecutionInfo[]; nextPageToken?: string }> =>
  call('GET', `/namespaces/${seg(ns)}/workflows`, { query: { query, nextPageToken, pageSize } });

export interface CountResponse {
  count?: string;
  groups?: { groupValues?: Payload[]; count?: string }[];
}
export const countWorkflows = (ns: string, query: string): Promise<CountResponse> => call('GET', `/namespaces/${seg(ns)}/workflow-count`, { query: { query } });

export const describeWorkflow = (ns: string, workflowId: string, runId: string): Promise<DescribeWorkflowResponse> =>
  call('GET', wf(ns, workflowId), { query: { 'execution.runId': runId } });

export interface HistoryPage {
  history?: { events?: HistoryEvent[] };
  nextPageToken?: string;
}
export const getHistory = (
  ns: string,
  workflowId: string,
  runId: string,
  options: { nextPageToken?: string; waitNewEvent?: boolean; pageSize?: number; signal?: AbortSignal } = {},
): Promise<HistoryPage> =>
  call('GET', `${wf(ns, workflowId)}/history`, {
    query: {
      'execution.runId': runId,
      nextPageToken: options.nextPageToken,
      waitNewEvent: options.waitNewEvent ? true : undefined,
      maximumPageSize: options.pageSize,
    },
    signal: options.signal,
  });

const execution = (workflowId: string, runId: string): Json => ({ workflowId, runId });

export const queryWorkflow = (
  ns: string,
  workflowId: string,
  runId: string,
  queryType: string,
  args: Payload[],
): Promise<{ queryResult?: { payloads?: Payload[] }; queryRejected?: Json }> =>
  call('POST', `${wf(ns, workflowId)}/query/${seg(queryType)}`, {
    body: { execution: execution(workflowId, runId), query: { queryType, queryArgs: { payloads: args } } },
  });

export const signalWorkflow = (ns: string, workflowId: string, runId: string, signalName: string, args: Payload[]): Promise<Json> =>
  call('POST', `${wf(ns, workflowId)}/signal/${seg(signalName)}`, {
    body: { workflowExecution: execution(workflowId, runId), signalName, input: { payloads: args }, identity: 'hourglass-ui', requestId: crypto.randomUUID() },
  });

export const updateWorkflow = (
  ns: string,
  workflowId: string,
  runId: string,
  name: string,
  args: Payload[],
): Promise<{ outcome?: { success?: { payloads?: Payload[] }; failure?: Json } }> =>
  call('POST', `${wf(ns, workflowId)}/update/${seg(name)}`, {
    body: {
      workflowExecution: execution(workflowId, runId),
      waitPolicy: { lifecycleStage: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED' },
      request: { meta: { updateId: crypto.randomUUID(), identity: 'hourglass-ui' }, input: { name, args: { payloads: args } } },
    },
  });

export const cancelWorkflow = (ns: string, workflowId: string, runId: string): Promise<Json> =>
  call('POST', `${wf(ns, workflowId)}/cancel`, {
    body: { workflowExecution: execution(workflowId, runId), identity: 'hourglass-ui', requestId: crypto.randomUUID() },
  });

export const terminateWorkflow = (ns: string, workflowId: string, runId: string, reason: string): Promise<Json> =>
  call('POST', `${wf(ns, workflowId)}/terminate`, { body: { workflowExecution: execution(workflowId, runId), reason, identity: 'hourglass-ui' } });

export const resetWorkflow = (ns: string, workflowId: string, runId: string, workflowTaskFinishEventId: string, reason: string): Promise<{ runId?: string }> =>
  call('POST', `${wf(ns, workflowId)}/reset`, {
    body: { workflowExecution: execution(workflowId, runId), workflowTaskFinishEventId, reason, requestId: crypto.randomUUID(), identity: 'hourglass-ui' },
  });

export const describeTaskQueue = (
  ns: string,
  name: string,
  taskQueueType: 'TASK_QUEUE_TYPE_WORKFLOW' | 'TASK_QUEUE_TYPE_ACTIVITY',
): Promise<TaskQueueDescription> => call('GET', `/namespaces/${seg(ns)}/task-queues/${seg(name)}`, { query: { taskQueueType, reportStats: true } });

export const listSchedules = (ns: string, nextPageToken: string): Promise<{ schedules?: ScheduleListEntry[]; nextPageToken?: string }> =>
  call('GET', `/namespaces/${seg(ns)}/schedules`, { query: { maximumPageSize: 100, nextPageToken } });

export const describeSchedule = (ns: string, scheduleId: string): Promise<Json> => call('GET', `/namespaces/${seg(ns)}/schedules/${seg(scheduleId)}`);

export const patchSchedule = (ns: string, scheduleId: string, patch: Json): Promise<Json> =>
  call('POST', `/namespaces/${seg(ns)}/schedules/${seg(scheduleId)}/patch`, { body: { patch, identity: 'hourglass-ui', requestId: crypto.randomUUID() } });
