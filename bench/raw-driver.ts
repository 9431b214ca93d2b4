/**
 * Raw gRPC driver, forked by bench/run.ts (IPC protocol in bench/protocol.ts): it speaks the WorkflowService API
 * directly, with its own workflow- and activity-task poll/respond loops and no SDK worker, to measure what the server
 * alone sustains.
 *
 * - threeSteps (the shape of bench/workflows.ts's threeSteps): every workflow task answers with one
 *   ScheduleActivityTask (activity `inc`, input = the current value) until three activities have completed, then
 *   CompleteWorkflowExecution with x + 3 (bench/raw-decider.ts).
 * - completeNow: the first workflow task completes the workflow with x.
 *
 * Without `sticky` every workflow task is decided from the run's full history (no cache, no sticky queue). With it the
 * driver behaves as an SDK worker with a workflow cache: RespondWorkflowTaskCompleted names the driver's sticky queue
 * (stickyAttributes), the server sends the run's later tasks there with only the events since the previous task, and
 * the driver folds just those into the decision state it keeps per run. Its own cost per task is then a handful of
 * events, not the whole history, so the figures are the server's rather than the driver's.
 *
 * ScheduleActivityTask asks for eager execution and RespondWorkflowTaskCompleted for the next workflow task inline;
 * whatever the server hands back in RespondWorkflowTaskCompletedResponse (activityTasks, workflowTask) is processed as
 * if polled, and counted. After the measured run the driver checks close events (result and event id) from
 * GetWorkflowExecutionHistory(CLOSE_EVENT); any error or wrong result fails the run.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { temporal } from '@temporalio/proto';
import { serve } from './child';
import { cpuSeconds } from './procs';
import { fromJsonPayloads, jsonPayloads, num, seconds } from './proto-util';
import { decide, foldEvents, newRunState, type RunState } from './raw-decider';
import { connectHttp2, connectSdk, type RawWorkflowService } from './raw-transport';
import type { RawConfig, RawCounters, RawResult } from './protocol';

type IHistoryEvent = temporal.api.history.v1.IHistoryEvent;
type IPollWorkflowTaskQueueResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;
type IPollActivityTaskQueueResponse = temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse;
const { EventType, HistoryEventFilterType, TaskQueueKind } = temporal.api.enums.v1;

const NAMESPACE = 'default';
const IDENTITY = `bench-raw-driver-${process.pid}`;
const STALL_MS = 60_000;

interface Open {
  x: number;
  /** The decision state the sticky driver keeps between the run's workflow tasks. */
  state: RunState;
  resolve: (events: number) => void;
  reject: (err: Error) => void;
}

interface Done {
  id: string;
  expected: number;
  events: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class Driver {
  private readonly abort = new AbortController();
  private stopped = false;
  private readonly open = new Map<string, Open>();
  private fatal: (err: Error) => void = () => undefined;
  /** Rejects on the first error anywhere (poll loops included): the run fails fast. */
  readonly failed: Promise<never>;
  lastProgress = performance.now();
  counters = newCounters();
  /** The sticky queue's name: one per driver process, as one per SDK worker. */
  private readonly stickyQueueName: string;

  constructor(
    private readonly svc: RawWorkflowService,
    private readonly config: RawConfig,
  ) {
    this.stickyQueueName = `${config.taskQueue}-sticky-${process.pid}`;
    setMaxListeners(0, this.abort.signal); // every long poll listens to it
    this.failed = new Promise<never>((_, reject) => (this.fatal = reject));
    this.failed.catch(() => undefined); // observed through Promise.race
  }

  private fail(err: unknown, context: string): void {
    if (this.stopped) return;
    this.fatal(new Error(`${context}: ${message(err)}`));
  }

  private get taskQueue(): temporal.api.taskqueue.v1.ITaskQueue {
    return { name: this.config.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL };
  }

  private get stickyTaskQueue(): temporal.api.taskqueue.v1.ITaskQueue {
    return { name: this.stickyQueueName, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: this.config.taskQueue };
  }

  startPollers(): void {
    for (let i = 0; i < this.config.pollers; i++) {
      void this.pollLoop(
        'PollWorkflowTaskQueue',
        (signal) => this.svc.pollWorkflowTaskQueue({ namespace: NAMESPACE, taskQueue: this.taskQueue, identity: IDENTITY }, signal),
        (t) => this.onWorkflowTask(t),
      );
      if (this.config.sticky) {
        void this.pollLoop(
          'PollWorkflowTaskQueue (sticky)',
          (signal) => this.svc.pollWorkflowTaskQueue({ namespace: NAMESPACE, taskQueue: this.stickyTaskQueue, identity: IDENTITY }, signal),
          (t) => this.onWorkflowTask(t),
        );
      }
      void this.pollLoop(
        'PollActivityTaskQueue',
        (signal) => this.svc.pollActivityTaskQueue({ namespace: NAMESPACE, taskQueue: this.taskQueue, identity: IDENTITY }, signal),
        (t) => this.onActivityTask(t),
      );
    }
  }

  /** Ends the long polls (they would otherwise sit on the server for up to 60 s). */
  stopPollers(): void {
    this.stopped = true;
    this.abort.abort();
  }

  private async pollLoop<T extends { taskToken?: Uint8Array | null }>(
    what: string,
    poll: (signal: AbortSignal) => Promise<T>,
    handle: (task: T) => Promise<void>,
  ): Promise<void> {
    while (!this.stopped) {
      let task: T;
      // One signal per call, linked to the shared one: the client leaves a listener on the signal it
      // is given, so polling with the long-lived signal itself grows it by one listener per poll.
      const call = new AbortController();
      const cancel = (): void => call.abort();
      this.abort.signal.addEventListener('abort', cancel, { once: true });
      try {
        task = await poll(call.signal);
      } catch (err) {
        this.fail(err, what);
        return;
      } finally {
        this.abort.signal.removeEventListener('abort', cancel);
      }
      if (!task.taskToken?.length) continue; // the long poll expired empty
      try {
        await handle(task);
      } catch (err) {
        this.fail(err, `${what} task`);
      }
    }
  }

  /** Runs n workflows, `inFlight` at a time; resolves with each one's id, expected result and history length. */
  async run(prefix: string, n: number, inFlight: number): Promise<Done[]> {
    const done: Done[] = [];
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < n) {
        const i = next++;
        const id = `${prefix}-${i}`;
        const expected = this.config.mode === 'threeSteps' ? i + 3 : i;
        const completed = new Promise<number>((resolve, reject) => this.open.set(id, { x: i, state: newRunState(), resolve, reject }));
        await this.svc.startWorkflowExecution({
          namespace: NAMESPACE,
          workflowId: id,
          workflowType: { name: this.config.mode },
          taskQueue: this.taskQueue,
          input: jsonPayloads(i),
          workflowTaskTimeout: seconds(10),
          identity: IDENTITY,
          requestId: randomUUID(),
        });
        const events = await completed;
        this.open.delete(id);
        this.lastProgress = performance.now();
        done.push({ id, expected, events });
      }
    };
    this.lastProgress = performance.now();
    let watchdog: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      watchdog = setInterval(() => {
        if (performance.now() - this.lastProgress > STALL_MS) {
          reject(new Error(`stalled: no workflow completed for ${STALL_MS / 1000} s (${this.open.size} open)`));
        }
      }, 1000);
    });
    try {
      await Promise.race([Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane)), this.failed, stalled]);
    } finally {
      clearInterval(watchdog);
    }
    return done;
  }

  private async onWorkflowTask(task: IPollWorkflowTaskQueueResponse): Promise<void> {
    this.counters.workflowTasks++;
    const workflowId = task.workflowExecution?.workflowId ?? '';
    const open = this.open.get(workflowId);
    try {
      if (!open) throw new Error(`workflow task for unknown workflow ${JSON.stringify(workflowId)}`);
      if (task.workflowType?.name !== this.config.mode) throw new Error(`workflow task of type ${task.workflowType?.name} for ${workflowId}`);
      const state = await this.stateFor(task, open, workflowId);
      const { commands, result } = decide(this.config.mode, state, this.taskQueue, workflowId);
      const response = await this.svc.respondWorkflowTaskCompleted({
        namespace: NAMESPACE,
        taskToken: task.taskToken,
        commands,
        identity: IDENTITY,
        returnNewWorkflowTask: true,
        stickyAttributes: this.config.sticky ? { workerTaskQueue: this.stickyTaskQueue, scheduleToStartTimeout: seconds(10) } : undefined,
      });
      // The close adds WorkflowTaskCompleted and WorkflowExecutionCompleted after the task's last event.
      if (result !== undefined) open.resolve(state.lastEventId + 2);
      const eager = response.activityTasks ?? [];
      this.counters.eagerActivityTasks += eager.length;
      const inline = response.workflowTask?.taskToken?.length ? response.workflowTask : undefined;
      if (inline) this.counters.inlineWorkflowTasks++;
      await Promise.all([...eager.map((a) => this.onActivityTask(a)), inline ? this.onWorkflowTask(inline) : undefined]);
    } catch (err) {
      const error = new Error(`${workflowId}: ${message(err)}`);
      open?.reject(error);
      throw error;
    }
  }

  /** The history from event 1 (GetWorkflowExecutionHistory, paged), plus the task's own events (its transient ones). */
  private async fullHistory(task: IPollWorkflowTaskQueueResponse): Promise<IHistoryEvent[]> {
    this.counters.historyFetches++;
    const byId = new Map<number, IHistoryEvent>();
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.svc.getWorkflowExecutionHistory({
        namespace: NAMESPACE,
        execution: task.workflowExecution,
        nextPageToken,
        maximumPageSize: 1000,
      });
      for (const e of page.history?.events ?? []) byId.set(num(e.eventId), e);
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    for (const e of task.history?.events ?? []) byId.set(num(e.eventId), e);
    return [...byId.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  }

  /**
   * The run's decision state after this task's events. The sticky driver folds a partial history (the events since
   * its previous task of the run) into the state it kept; a task with the history from event 1, or one that does not
   * continue what the driver has seen, is folded from scratch (fetching the rest of a paged history).
   */
  private async stateFor(task: IPollWorkflowTaskQueueResponse, open: Open, workflowId: string): Promise<RunState> {
    const events = task.history?.events ?? [];
    const first = num(events[0]?.eventId);
    if (this.config.sticky && first > 1 && first === open.state.lastEventId + 1 && !task.nextPageToken?.length) {
      this.counters.partialHistoryTasks++;
      foldEvents(open.state, events, workflowId);
      return open.state;
    }
    const full = events.length === 0 || first !== 1 || task.nextPageToken?.length ? await this.fullHistory(task) : events;
    const state = newRunState();
    foldEvents(state, full, workflowId);
    open.state = state;
    return state;
  }

  private async onActivityTask(task: IPollActivityTaskQueueResponse): Promise<void> {
    this.counters.activityTasks++;
    if (task.activityType?.name !== 'inc') throw new Error(`activity task of type ${task.activityType?.name}`);
    const input = fromJsonPayloads(task.input);
    if (typeof input !== 'number') throw new Error(`activity input ${JSON.stringify(input)}`);
    await this.svc.respondActivityTaskCompleted({ namespace: NAMESPACE, taskToken: task.taskToken, result: jsonPayloads(input + 1), identity: IDENTITY });
  }

  /** Checks close events: WorkflowExecutionCompleted with the expected result, at the expected event id. */
  async verify(done: Done[], count: number): Promise<number> {
    const sample = count >= done.length ? done : Array.from({ length: count }, (_, k) => done[Math.floor((k * done.length) / count)] as Done);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < sample.length) {
        const d = sample[next++] as Done;
        const response = await this.svc.getWorkflowExecutionHistory({
          namespace: NAMESPACE,
          execution: { workflowId: d.id },
          historyEventFilterType: HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
        });
        const events = response.history?.events ?? [];
        const close = events[events.length - 1];
        if (!close || close.eventType !== EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
          throw new Error(`${d.id}: close event is ${close ? EventType[close.eventType ?? 0] : 'missing'}`);
        }
        const result = fromJsonPayloads(close.workflowExecutionCompletedEventAttributes?.result);
        if (result !== d.expected) throw new Error(`wrong result for ${d.id}: got ${JSON.stringify(result)}, expected ${d.expected}`);
        if (num(close.eventId) !== d.events) {
          throw new Error(`${d.id}: close event id ${num(close.eventId)}, expected ${d.events} (final task's last event + 2)`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, sample.length) }, lane));
    return sample.length;
  }
}

function newCounters(): RawCounters {
  return { workflowTasks: 0, activityTasks: 0, eagerActivityTasks: 0, inlineWorkflowTasks: 0, historyFetches: 0, partialHistoryTasks: 0 };
}

serve<RawConfig, RawResult>('raw driver', async (config, warm) => {
  // The sticky driver also gets the lean transport: both take the driver's own cost out of the server's figures.
  const connection = config.sticky ? await connectHttp2(config.address) : await connectSdk(config.address);
  const driver = new Driver(connection, config);
  driver.startPollers();
  const warmDone = await driver.run(`${config.idPrefix}-warm`, 5, 5);
  await driver.verify(warmDone, warmDone.length);
  driver.counters = newCounters();
  await warm();
  const cpu0 = process.cpuUsage();
  const server0 = cpuSeconds(config.serverPid);
  const t = performance.now();
  const done = await driver.run(config.idPrefix, config.n, config.inFlight);
  const wallMs = performance.now() - t;
  const serverCpuS = cpuSeconds(config.serverPid) - server0;
  const cpu = process.cpuUsage(cpu0);
  const counters = { ...driver.counters };
  driver.stopPollers();
  const verified = await driver.verify(done, config.verify);
  await connection.close();
  const lengths = done.map((d) => d.events);
  return {
    kind: 'raw',
    n: done.length,
    wallMs,
    events: lengths.reduce((a, b) => a + b, 0),
    minEvents: lengths.reduce((a, b) => Math.min(a, b), Infinity),
    maxEvents: lengths.reduce((a, b) => Math.max(a, b), 0),
    serverCpuS,
    driverCpuS: (cpu.user + cpu.system) / 1e6,
    ...counters,
    verified,
  };
});
