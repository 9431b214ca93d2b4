import { enums, history, int64, msToTimestamp, toNumber, type command, type IFailure, type IHistoryEvent, type IPayloads } from '../../common/proto';
import { historyEntrySize } from '../../common/history-bytes';
import { copyStateFields, type ActivityInfo, type MutableState, type RunMutation } from '../../store/records';
import { DEFAULT_RUN_LIMITS, type RunLimits } from './run-limits';
import { isRunning } from './status';

const E = enums.EventType;

/** The attributes part of a HistoryEvent: exactly one `...EventAttributes` key is expected. */
export type EventAttributes = Omit<IHistoryEvent, 'eventId' | 'eventTime' | 'eventType' | 'version' | 'taskId'>;

/** Event types Temporal holds back while a workflow task is started (signals, results, timer fires…). */
const BUFFERABLE = new Set<enums.EventType>([
  E.EVENT_TYPE_ACTIVITY_TASK_STARTED,
  E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
  E.EVENT_TYPE_ACTIVITY_TASK_FAILED,
  E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  E.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
  E.EVENT_TYPE_TIMER_FIRED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
  E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
  E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
  E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
  E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
  E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
  E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
  E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
  E.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
  E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
  E.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
  E.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
]);

/** `activityTaskScheduledEventAttributes` → EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, derived once from the enum. */
const EVENT_TYPE_BY_ATTRIBUTES_KEY: ReadonlyMap<string, enums.EventType> = new Map(
  Object.entries(E)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[0] !== 'EVENT_TYPE_UNSPECIFIED')
    .map(([name, value]) => {
      const camel = name
        .slice('EVENT_TYPE_'.length)
        .toLowerCase()
        .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      return [`${camel}EventAttributes`, value];
    }),
);

export function eventTypeOf(attributes: EventAttributes): enums.EventType {
  for (const key of Object.keys(attributes)) {
    const type = EVENT_TYPE_BY_ATTRIBUTES_KEY.get(key);
    if (type !== undefined) return type;
  }
  throw new Error(`no event attributes in ${Object.keys(attributes).join(',')}`);
}

/** An event's one `...EventAttributes` entry, to write the event again in another run (a reset reapplies events). */
export function attributesOf(event: IHistoryEvent): EventAttributes {
  const fields = event as Record<string, unknown>;
  const key = [...EVENT_TYPE_BY_ATTRIBUTES_KEY.keys()].find((k) => fields[k]);
  if (!key) throw new Error(`event ${String(event.eventId)} has no attributes`);
  return { [key]: fields[key] };
}

export function decodeEvent(data: Uint8Array): history.HistoryEvent {
  return history.HistoryEvent.decode(data);
}

/**
 * The run that follows a closing one in the same chain: continue-as-new, a workflow retry, or the
 * next cron run. Planned when the close event is written (it names the new run id) and created in
 * the same transaction.
 */
export interface SuccessorPlan {
  runId: string;
  initiator: enums.ContinueAsNewInitiator;
  backoffMs: number;
  attempt: number;
  lastCompletionResult?: IPayloads | null;
  continuedFailure?: IFailure | null;
  continueAsNew?: command.IContinueAsNewWorkflowExecutionCommandAttributes;
}

/**
 * One transaction's worth of change to a run: a private copy of its mutable state plus the events
 * appended to it. Bufferable events always go through the buffer and are flushed at `finish()`,
 * after the command events, unless a workflow task is then started, exactly as Temporal's history
 * builder orders them.
 */
export class RunMutator {
  readonly ms: MutableState;
  /** The state as loaded, before this change (shared with the cache: never modified). */
  readonly before: MutableState;
  /** Whether the run was open when this change began (a close in this change triggers close tasks). */
  readonly wasRunning: boolean;
  private readonly expectedDbVersion: number;
  private readonly appended: history.HistoryEvent[] = [];
  /** Events taken over as they are from another run's history (see `carryHistory`). */
  private readonly carried: { eventId: number; data: Uint8Array }[] = [];
  private readonly pendingBuffer: history.HistoryEvent[] = [];
  private readonly commitHooks: (() => void)[] = [];
  /** Scheduled event ids of activities added, changed or removed by this change. */
  private readonly changedActivities = new Set<number>();
  /** The run that follows this one in its chain, created in the same transaction by the engine. */
  successor?: SuccessorPlan;

  /** The run's namespace name (commands default other namespaces to it). */
  namespaceName = '';
  /** The server's dynamic config limits (set with the namespace name by whoever creates the change). */
  limits: RunLimits = DEFAULT_RUN_LIMITS;

  constructor(
    loaded: MutableState,
    readonly now: number,
    isNew = false,
  ) {
    // Activities are copied on write (see `activity()`): a run with many pending activities costs
    // only what changes, not a deep copy of every activity per transaction.
    // The copy is already private: activities are added to it rather than spreading it into yet another object.
    this.ms = Object.assign(copyStateFields(loaded), { activities: { ...loaded.activities } });
    this.before = loaded;
    this.wasRunning = isRunning(loaded.status);
    this.expectedDbVersion = isNew ? 0 : loaded.dbVersion;
  }

  /**
   * The pending activity with this scheduled event id, as a private copy this change may modify
   * (the loaded state is shared with the cache and never modified). Reading without changing may
   * use `ms.activities` directly.
   */
  activity(scheduledEventId: number): ActivityInfo | undefined {
    const key = String(scheduledEventId);
    const current = this.ms.activities[key];
    if (!current || this.changedActivities.has(scheduledEventId)) return current;
    const copy = { ...current };
    this.ms.activities[key] = copy;
    this.changedActivities.add(scheduledEventId);
    return copy;
  }

  addActivity(a: ActivityInfo): void {
    this.ms.activities[String(a.scheduledEventId)] = a;
    this.changedActivities.add(a.scheduledEventId);
  }

  removeActivity(scheduledEventId: number): void {
    delete this.ms.activities[String(scheduledEventId)];
    this.changedActivities.add(scheduledEventId);
  }

  clearActivities(): void {
    for (const key of Object.keys(this.ms.activities)) this.removeActivity(Number(key));
  }

  get events(): readonly history.HistoryEvent[] {
    return this.appended;
  }

  isRunning(): boolean {
    return isRunning(this.ms.status);
  }

  hasStartedWorkflowTask(): boolean {
    return this.ms.workflowTask?.startedEventId !== undefined;
  }

  /** Events that arrived while the current workflow task was started (already persisted in the buffer). */
  hasBufferedEvents(): boolean {
    return this.ms.bufferedEvents.length > 0 || this.pendingBuffer.length > 0;
  }

  /** How many events this change has appended so far (see `appendedAt`). */
  get appendedCount(): number {
    return this.appended.length;
  }

  /** The `index`th event this change appended. */
  appendedAt(index: number): history.HistoryEvent | undefined {
    return this.appended[index];
  }

  /** Appends an event now, or buffers it if its type is bufferable. Returns it (id 0 while buffered). */
  add(attributes: EventAttributes, eventTime = this.now): history.HistoryEvent {
    // create() copies the attributes into the event itself: no intermediate object.
    const event = history.HistoryEvent.create(attributes);
    event.eventType = eventTypeOf(attributes);
    event.eventTime = msToTimestamp(eventTime);
    if (BUFFERABLE.has(event.eventType)) {
      this.pendingBuffer.push(event);
    } else {
      this.assignAndAppend(event);
    }
    return event;
  }

  /**
   * Removes and returns the buffered events a command made moot (a TimerFired for a timer the
   * workflow cancels in the same task: the worker never saw the fire).
   */
  takeBuffered(predicate: (e: history.HistoryEvent) => boolean): history.HistoryEvent[] {
    const taken: history.HistoryEvent[] = [];
    this.ms.bufferedEvents = this.ms.bufferedEvents.filter((b) => {
      const e = decodeEvent(Buffer.from(b, 'base64'));
      if (!predicate(e)) return true;
      taken.push(e);
      return false;
    });
    for (let i = this.pendingBuffer.length - 1; i >= 0; i--) {
      const e = this.pendingBuffer[i];
      if (e && predicate(e)) taken.push(...this.pendingBuffer.splice(i, 1));
    }
    return taken;
  }

  /**
   * Writes buffered events into history if no workflow task is started, else persists them in the
   * buffer. Returns how many events were flushed; the caller schedules a workflow task for them.
   */
  flushBuffer(): number {
    if (this.hasStartedWorkflowTask() && this.isRunning()) {
      for (const e of this.pendingBuffer) this.ms.bufferedEvents.push(encodeBase64(e));
      this.pendingBuffer.length = 0;
      return 0;
    }
    // Nothing buffered (most transactions): no arrays to build, and the state keeps its empty buffer.
    if (this.ms.bufferedEvents.length === 0 && this.pendingBuffer.length === 0) return 0;
    const toFlush = [...this.ms.bufferedEvents.map((b) => decodeEvent(Buffer.from(b, 'base64'))), ...this.pendingBuffer];
    this.ms.bufferedEvents = [];
    this.pendingBuffer.length = 0;
    if (!this.isRunning()) return 0;
    const startedIdBySchedule = new Map<number, number>();
    for (const e of toFlush) {
      this.assignAndAppend(e);
      const started = e.activityTaskStartedEventAttributes;
      if (started) startedIdBySchedule.set(toNumber(started.scheduledEventId), toNumber(e.eventId));
      const childStarted = e.childWorkflowExecutionStartedEventAttributes;
      const child = childStarted && this.ms.children[String(toNumber(childStarted.initiatedEventId))];
      if (child) child.startedEventId = toNumber(e.eventId);
      patchStartedEventId(e, startedIdBySchedule);
    }
    return toFlush.length;
  }

  private assignAndAppend(event: history.HistoryEvent): void {
    event.eventId = int64(this.ms.nextEventId);
    event.taskId = int64(this.ms.nextEventId);
    this.ms.nextEventId += 1;
    this.appended.push(event);
  }

  /**
   * Takes over events already written to another run, stored as they are before anything this
   * change appends: a reset's new run starts with its base's history up to the reset point. The
   * state must already account for them (`nextEventId` past the last).
   */
  carryHistory(rows: { eventId: number; data: Uint8Array }[]): void {
    if (this.expectedDbVersion !== 0 || this.appended.length > 0) throw new Error('history is carried only into a new run, before its own events');
    this.carried.push(...rows);
    for (const { data } of rows) this.ms.historySizeBytes += historyEntrySize(data.length);
  }

  /** Runs `fn` once the change is durable (in-memory notifications must never run ahead of the store). */
  onCommit(fn: () => void): void {
    this.commitHooks.push(fn);
  }

  runCommitHooks(): void {
    for (const fn of this.commitHooks.splice(0)) fn();
  }

  /** The history length once this change is written: buffered events get their ids then, unless they wait for a started workflow task. */
  historyLengthAfterFlush(): number {
    const waiting = this.hasStartedWorkflowTask() && this.isRunning() ? 0 : this.ms.bufferedEvents.length + this.pendingBuffer.length;
    return this.ms.nextEventId - 1 + waiting;
  }

  /** A run this change creates (not yet stored). */
  get isNewRun(): boolean {
    return this.expectedDbVersion === 0;
  }

  /**
   * Whether visibility must be rewritten: a new run, or a change of what List filters and shows
   * for an open run (status, search attributes, memo). As in Temporal, an open run's row is not
   * rewritten for every event; its history length and size are current again at close.
   */
  changesVisibility(): boolean {
    const a = this.before;
    const b = this.ms;
    return (
      this.expectedDbVersion === 0 ||
      a.status !== b.status ||
      a.searchAttributes !== b.searchAttributes ||
      a.memo !== b.memo ||
      a.executionTime !== b.executionTime
    );
  }

  /** Seals the change for the store. */
  toRunMutation(): RunMutation {
    const appended = this.appended.map((e) => ({ eventId: toNumber(e.eventId), data: history.HistoryEvent.encode(e).finish() }));
    for (const { data } of appended) this.ms.historySizeBytes += historyEntrySize(data.length);
    const newEvents = [...this.carried, ...appended];
    this.ms.dbVersion = this.expectedDbVersion + 1;
    const activityChanges = [...this.changedActivities].map((id) => ({ scheduledEventId: id, info: this.ms.activities[String(id)] }));
    return {
      mutableState: this.ms,
      expectedDbVersion: this.expectedDbVersion,
      previousStatus: this.expectedDbVersion === 0 ? undefined : this.before.status,
      newEvents,
      activityChanges,
    };
  }
}

function encodeBase64(e: history.HistoryEvent): string {
  return Buffer.from(history.HistoryEvent.encode(e).finish()).toString('base64');
}

/** Activity results buffered with their Started event learn its id only when flushed. */
function patchStartedEventId(e: history.HistoryEvent, startedIdBySchedule: Map<number, number>): void {
  const attrs =
    e.activityTaskCompletedEventAttributes ??
    e.activityTaskFailedEventAttributes ??
    e.activityTaskTimedOutEventAttributes ??
    e.activityTaskCanceledEventAttributes;
  if (!attrs) return;
  const startedId = startedIdBySchedule.get(toNumber(attrs.scheduledEventId));
  if (startedId !== undefined) attrs.startedEventId = int64(startedId);
}
