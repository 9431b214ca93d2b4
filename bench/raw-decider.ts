/**
 * The raw driver's workflow logic (bench/raw-driver.ts), apart from its poll loops: a run's decision state folded from
 * history events, and the commands that state calls for.
 *
 * The same fold serves both W4 drivers. The full-history driver folds every event of every task into a fresh state
 * (what a worker without a cache pays); the sticky driver keeps the state per run and folds only the events its sticky
 * queue's task carries since the previous task, as sdk-core does with a cached run.
 */
import { temporal } from '@temporalio/proto';
import { fromJsonPayloads, jsonPayloads, num, seconds } from './proto-util';

type IHistoryEvent = temporal.api.history.v1.IHistoryEvent;
type ICommand = temporal.api.command.v1.ICommand;
type ITaskQueue = temporal.api.taskqueue.v1.ITaskQueue;
const { EventType, CommandType } = temporal.api.enums.v1;

export type RawMode = 'threeSteps' | 'completeNow';

/** What a run's history so far says, as far as the bench workflows care. */
export interface RunState {
  /** The workflow's input (WorkflowExecutionStarted). */
  input?: number;
  /** The latest activity result, or the input before any. */
  current?: number;
  scheduled: number;
  completed: number;
  /** The last event folded in: the next task's history must continue from here. */
  lastEventId: number;
}

export function newRunState(): RunState {
  return { scheduled: 0, completed: 0, lastEventId: 0 };
}

/** Folds `events` (in order, continuing `state.lastEventId`) into `state`. */
export function foldEvents(state: RunState, events: IHistoryEvent[], workflowId: string): void {
  for (const e of events) {
    const eventId = num(e.eventId);
    if (eventId !== state.lastEventId + 1) throw new Error(`${workflowId}: event ${eventId} after ${state.lastEventId}`);
    state.lastEventId = eventId;
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
        const x = fromJsonPayloads(e.workflowExecutionStartedEventAttributes?.input);
        if (typeof x !== 'number') throw new Error(`no numeric input in ${workflowId}'s WorkflowExecutionStarted event`);
        state.input = x;
        state.current = x;
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        state.scheduled++;
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const r = fromJsonPayloads(e.activityTaskCompletedEventAttributes?.result);
        if (typeof r !== 'number') throw new Error(`activity result ${JSON.stringify(r)} in event ${eventId}`);
        state.completed++;
        state.current = r;
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        throw new Error(`activity ended with ${EventType[e.eventType]} (event ${eventId})`);
    }
  }
}

/**
 * threeSteps: ScheduleActivityTask (activity `inc`, input = the current value, eager) until three activities have
 * completed, then CompleteWorkflowExecution with the last result. completeNow: complete with the input at once.
 */
export function decide(mode: RawMode, state: RunState, taskQueue: ITaskQueue, workflowId: string): { commands: ICommand[]; result?: number } {
  const current = state.current;
  if (state.input === undefined || current === undefined) throw new Error(`${workflowId}: no WorkflowExecutionStarted event folded in`);
  if (mode === 'completeNow') return complete(state.input);
  if (state.completed >= 3) return complete(current);
  if (state.scheduled > state.completed) return { commands: [] }; // an activity is still running: nothing to decide
  return {
    commands: [
      {
        commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
        scheduleActivityTaskCommandAttributes: {
          activityId: String(state.scheduled + 1),
          activityType: { name: 'inc' },
          taskQueue,
          input: jsonPayloads(current),
          startToCloseTimeout: seconds(10),
          requestEagerExecution: true,
        },
      },
    ],
  };
}

function complete(result: number): { commands: ICommand[]; result: number } {
  return {
    commands: [
      { commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: { result: jsonPayloads(result) } },
    ],
    result,
  };
}
