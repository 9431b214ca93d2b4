/** Reading history events: their attributes, their one-line summary, and what the run's first and last events say. */
import { eventTypeName, formatDuration } from '../format';
import { payloadText } from '../payloads';
import type { Failure, HistoryEvent, Json, Payload } from '../types';

/** The event's `…EventAttributes` object (each event has exactly one). */
export function attributesOf(event: HistoryEvent): Json {
  for (const [key, value] of Object.entries(event)) if (key.endsWith('EventAttributes') && typeof value === 'object' && value !== null) return value as Json;
  return {};
}

/** A scalar attribute as text ('' for anything else). */
export const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
/** The `name` of a `{ name }` attribute (workflowType, activityType, taskQueue…). */
export const name = (v: unknown): string => str((v as { name?: unknown } | undefined)?.name);
const payloads = (v: unknown): Payload[] => (v as { payloads?: Payload[] } | undefined)?.payloads ?? [];

function preview(v: unknown, max = 120): string {
  const text = payloads(v).map(payloadText).join(', ');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The few attributes that say what an event is about, as `key value` pairs for the table's one-line summary. */
export function eventSummary(event: HistoryEvent): [string, string][] {
  const a = attributesOf(event);
  const out: [string, string][] = [];
  const add = (key: string, value: string): void => void (value !== '' && out.push([key, value]));
  add('type', name(a.workflowType) || name(a.activityType));
  add('activityId', str(a.activityId));
  add('timerId', str(a.timerId));
  add('after', formatDuration(str(a.startToFireTimeout)));
  add('signal', str(a.signalName));
  add('update', name((a.acceptedRequest as Json | undefined)?.input) || str(((a.meta as Json | undefined) ?? {}).updateId));
  add('workflowId', str((a.workflowExecution as Json | undefined)?.workflowId) || str(a.workflowId));
  add('taskQueue', name(a.taskQueue));
  add('attempt', Number(a.attempt) > 1 ? str(a.attempt) : '');
  add('input', preview(a.input));
  add('result', preview(a.result) || preview((a.outcome as Json | undefined)?.success));
  add('failure', str((a.failure as Failure | undefined)?.message) || str(((a.outcome as Json | undefined)?.failure as Failure | undefined)?.message));
  add('reason', str(a.reason));
  add('cause', str(a.cause).replace(/^[A-Z_]+?_CAUSE_/, ''));
  add('identity', out.length === 0 ? str(a.identity) : '');
  return out;
}

export const eventLabel = (event: HistoryEvent): string => eventTypeName(event.eventType);

/** The class a row takes from its event's outcome (failed / timed out / terminated in red, completed in green). */
export function eventTone(event: HistoryEvent): string {
  const type = event.eventType ?? '';
  if (/FAILED|TIMED_OUT|TERMINATED/.test(type)) return 'event-failed';
  if (/COMPLETED$|FIRED$/.test(type) && !type.startsWith('EVENT_TYPE_WORKFLOW_TASK')) return 'event-completed';
  return '';
}

/** What the run's history says about its start and end: input, result or failure, the user metadata summary. */
export function runOutcome(events: HistoryEvent[]): { input: Payload[]; result?: Payload[]; failure?: Failure; closeEvent?: HistoryEvent } {
  const first = events[0];
  const started = first ? attributesOf(first) : {};
  const last = events[events.length - 1];
  const closed =
    last && /EVENT_TYPE_WORKFLOW_EXECUTION_(COMPLETED|FAILED|TIMED_OUT|CANCELED|TERMINATED|CONTINUED_AS_NEW)/.test(last.eventType ?? '') ? last : undefined;
  const end = closed ? attributesOf(closed) : {};
  return {
    input: payloads(started.input),
    result: end.result !== undefined ? payloads(end.result) : undefined,
    failure: end.failure as Failure | undefined,
    closeEvent: closed,
  };
}
