/**
 * History events grouped as the compact view and the timeline show them: one group per activity, timer, child
 * workflow, update and workflow task (its first event and the events that refer back to it), one per other event.
 */
import type { HistoryEvent, Json } from '../types';
import { attributesOf, eventLabel, name, str } from './events';

export type GroupKind = 'activity' | 'timer' | 'child' | 'update' | 'workflow-task' | 'event';

export interface EventGroup {
  kind: GroupKind;
  /** Activity type, timer ID, child workflow type, update name, or the event type for lone events. */
  name: string;
  events: HistoryEvent[];
  start: string | undefined;
  /** Undefined while the group is still open (no closing event yet). */
  end: string | undefined;
  /** The latest event's type in words (`ActivityTaskFailed`, `TimerFired`…). */
  state: string;
  failed: boolean;
}

const openers: Record<string, { kind: GroupKind; name: (a: Json) => string }> = {
  EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: { kind: 'activity', name: (a) => name(a.activityType) },
  EVENT_TYPE_TIMER_STARTED: { kind: 'timer', name: (a) => `Timer ${str(a.timerId)}` },
  EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: { kind: 'child', name: (a) => name(a.workflowType) },
  EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: { kind: 'workflow-task', name: () => 'Workflow task' },
  EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
    kind: 'update',
    name: (a) => `Update ${name((a.acceptedRequest as Json | undefined)?.input)}`,
  },
};

/** The event ID a follow-up event refers to (its group's opening event), if any. */
function openerIdOf(event: HistoryEvent, a: Json): string | undefined {
  const type = event.eventType ?? '';
  const child = type.startsWith('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_') || type === 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED';
  if (type.startsWith('EVENT_TYPE_ACTIVITY_TASK_') || type.startsWith('EVENT_TYPE_WORKFLOW_TASK_')) return str(a.scheduledEventId);
  if (type === 'EVENT_TYPE_TIMER_FIRED' || type === 'EVENT_TYPE_TIMER_CANCELED') return str(a.startedEventId);
  if (child) return str(a.initiatedEventId);
  if (type === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED') return str(a.acceptedEventId);
  return undefined;
}

const closing = /COMPLETED$|FAILED$|TIMED_OUT$|CANCELED$|TERMINATED$|FIRED$/;

export function groupEvents(events: HistoryEvent[]): EventGroup[] {
  const groups: EventGroup[] = [];
  const byOpener = new Map<string, EventGroup>();
  for (const event of events) {
    const a = attributesOf(event);
    const opener = openers[event.eventType ?? ''];
    const parentId = openerIdOf(event, a);
    const parent = parentId ? byOpener.get(parentId) : undefined;
    if (parent) {
      parent.events.push(event);
      parent.state = eventLabel(event);
      parent.failed ||= /FAILED|TIMED_OUT|TERMINATED/.test(event.eventType ?? '');
      if (closing.test(event.eventType ?? '')) parent.end = event.eventTime;
      continue;
    }
    const group: EventGroup = {
      kind: opener?.kind ?? 'event',
      name: opener ? opener.name(a) : eventLabel(event),
      events: [event],
      start: event.eventTime,
      end: opener ? undefined : event.eventTime,
      state: eventLabel(event),
      failed: /FAILED|TIMED_OUT|TERMINATED/.test(event.eventType ?? ''),
    };
    groups.push(group);
    if (opener) byOpener.set(String(event.eventId), group);
  }
  return groups;
}
