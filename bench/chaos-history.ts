/**
 * Well-formedness of a closed run's history, as the chaos runner checks it after every crash: what Temporal's history
 * builder guarantees (consecutive event ids from 1, one close event and it is last) and what its state machines
 * guarantee (every scheduled activity, started timer, initiated child and workflow task is closed at most once, and
 * in a closed run, every activity, timer and child exactly once).
 */
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const T = temporal.api.enums.v1.EventType;

const closeEvents: ReadonlySet<temporal.api.enums.v1.EventType> = new Set([
  T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  T.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  T.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  T.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  T.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  T.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

const num = (v: unknown): number => Number(v ?? 0);
const typeName = (e: HistoryEvent): string => T[e.eventType ?? 0] ?? String(e.eventType);

/** Opening events (by id) and the events that must close each one exactly once. */
class Pairing {
  private readonly opened = new Map<number, number>();
  constructor(private readonly what: string) {}

  open(id: number): void {
    this.opened.set(id, 0);
  }

  close(ref: number, by: HistoryEvent, problems: string[]): void {
    const closes = this.opened.get(ref);
    if (closes === undefined) problems.push(`${typeName(by)} ${num(by.eventId)} refers to ${this.what} ${ref}, which was never opened`);
    else this.opened.set(ref, closes + 1);
  }

  check(problems: string[], closed: boolean): void {
    for (const [id, closes] of this.opened) {
      if (closes > 1) problems.push(`${this.what} ${id} closed ${closes} times`);
      else if (closes === 0 && closed) problems.push(`${this.what} ${id} never closed in a closed run`);
    }
  }
}

/** The problems found in a history (none: well-formed). */
export function historyProblems(events: readonly HistoryEvent[]): string[] {
  const problems: string[] = [];
  events.forEach((e, i) => {
    if (num(e.eventId) !== i + 1) problems.push(`event ${i + 1} has id ${num(e.eventId)}`);
  });
  const closeCount = events.filter((e) => closeEvents.has(e.eventType ?? 0)).length;
  const last = events[events.length - 1];
  if (closeCount !== 1) problems.push(`${closeCount} close events`);
  else if (!last || !closeEvents.has(last.eventType ?? 0)) problems.push('the close event is not the last event');

  const activities = new Pairing('activity scheduled at');
  const activityStarts = new Pairing('activity (started) scheduled at');
  const timers = new Pairing('timer started at');
  const children = new Pairing('child initiated at');
  const childStarts = new Pairing('child (started) initiated at');
  const workflowTasks = new Pairing('workflow task scheduled at');
  const workflowTaskStarts = new Pairing('workflow task (started) scheduled at');
  for (const e of events) {
    const id = num(e.eventId);
    switch (e.eventType) {
      case T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        activities.open(id);
        activityStarts.open(id);
        break;
      case T.EVENT_TYPE_ACTIVITY_TASK_STARTED:
        activityStarts.close(num(e.activityTaskStartedEventAttributes?.scheduledEventId), e, problems);
        break;
      case T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        activities.close(num(e.activityTaskCompletedEventAttributes?.scheduledEventId), e, problems);
        break;
      case T.EVENT_TYPE_ACTIVITY_TASK_FAILED:
        activities.close(num(e.activityTaskFailedEventAttributes?.scheduledEventId), e, problems);
        break;
      case T.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        activities.close(num(e.activityTaskTimedOutEventAttributes?.scheduledEventId), e, problems);
        break;
      case T.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        activities.close(num(e.activityTaskCanceledEventAttributes?.scheduledEventId), e, problems);
        break;
      case T.EVENT_TYPE_TIMER_STARTED:
        timers.open(id);
        break;
      case T.EVENT_TYPE_TIMER_FIRED:
        timers.close(num(e.timerFiredEventAttributes?.startedEventId), e, problems);
        break;
      case T.EVENT_TYPE_TIMER_CANCELED:
        timers.close(num(e.timerCanceledEventAttributes?.startedEventId), e, problems);
        break;
      case T.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        children.open(id);
        childStarts.open(id);
        break;
      case T.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
        childStarts.close(num(e.childWorkflowExecutionStartedEventAttributes?.initiatedEventId), e, problems);
        break;
      case T.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
        childStarts.close(num(e.startChildWorkflowExecutionFailedEventAttributes?.initiatedEventId), e, problems);
        children.close(num(e.startChildWorkflowExecutionFailedEventAttributes?.initiatedEventId), e, problems);
        break;
      case T.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
        children.close(num(e.childWorkflowExecutionCompletedEventAttributes?.initiatedEventId), e, problems);
        break;
      case T.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
        children.close(num(e.childWorkflowExecutionFailedEventAttributes?.initiatedEventId), e, problems);
        break;
      case T.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
        children.close(num(e.childWorkflowExecutionCanceledEventAttributes?.initiatedEventId), e, problems);
        break;
      case T.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
        children.close(num(e.childWorkflowExecutionTimedOutEventAttributes?.initiatedEventId), e, problems);
        break;
      case T.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
        children.close(num(e.childWorkflowExecutionTerminatedEventAttributes?.initiatedEventId), e, problems);
        break;
      case T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
        workflowTasks.open(id);
        workflowTaskStarts.open(id);
        break;
      case T.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        workflowTaskStarts.close(num(e.workflowTaskStartedEventAttributes?.scheduledEventId), e, problems);
        break;
      case T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        workflowTasks.close(num(e.workflowTaskCompletedEventAttributes?.scheduledEventId), e, problems);
        break;
      case T.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        workflowTasks.close(num(e.workflowTaskFailedEventAttributes?.scheduledEventId), e, problems);
        break;
      case T.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        workflowTasks.close(num(e.workflowTaskTimedOutEventAttributes?.scheduledEventId), e, problems);
        break;
      default:
        break;
    }
  }
  const closed = closeCount > 0;
  for (const pairing of [activities, timers, children, childStarts]) pairing.check(problems, closed);
  // A started activity or workflow task may never record its start (it closed by timing out while scheduled); a
  // workflow task may be left open by the close of a run (terminated); each closes at most once.
  for (const pairing of [activityStarts, workflowTasks, workflowTaskStarts]) pairing.check(problems, false);
  return problems;
}

/** The number of WorkflowExecutionSignaled events. */
export function signalCount(events: readonly HistoryEvent[]): number {
  return events.filter((e) => e.eventType === T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED).length;
}
