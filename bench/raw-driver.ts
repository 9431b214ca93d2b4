/**
 * Raw gRPC driver, forked by bench/run.ts (IPC protocol in bench/protocol.ts): it speaks the WorkflowService API
 * directly, with its own workflow- and activity-task poll/respond loops and no SDK worker, to measure what the server
 * alone sustains.
 *
 * - threeSteps (the shape of bench/workflows.ts's threeSteps): every workflow task answers with one
 *   ScheduleActivityTask (activity `inc`, input = the current value) until three activities have completed, then
 *   CompleteWorkflowExecution with x + 3. The current value and the number of activities done come from the task's
 *   history (the full history: no sticky queue).
 * - completeNow: the first workflow task completes the workflow with x.
 *
 * ScheduleActivityTask asks for eager execution and RespondWorkflowTaskCompleted for the next workflow task inline;
 * whatever the server hands back in RespondWorkflowTaskCompletedResponse (activityTasks, workflowTask) is processed as
 * if polled, and counted. After the measured run the driver checks close events (result and event id) from
 * GetWorkflowExecutionHistory(CLOSE_EVENT); any error or wrong result fails the run.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { serve } from './child';
import { cpuSeconds } from './procs';
import { fromJsonPayloads, jsonPayloads, num, seconds } from './proto-util';
import type { RawConfig, RawResult } from './protocol';

type IHistoryEvent = temporal.api.history.v1.IHistoryEvent;
type ICommand = temporal.api.command.v1.ICommand;
type IPollWorkflowTaskQueueResponse = temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;
type IPollActivityTaskQueueResponse = temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse;
const { EventType, CommandType, HistoryEventFilterType, TaskQueueKind } = temporal.api.enums.v1;

const NAMESPACE = 'default';
const IDENTITY = `bench-raw-driver-${process.pid}`;
const STALL_MS = 60_000;

interface Open {
  x: number;
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
  private readonly svc: Connection['workflowService'];
  private readonly abort = new AbortController();
  private stopped = false;
  private readonly open = new Map<string, Open>();
  private fatal: (err: Error) => void = () => undefined;
  /** Rejects on the first error anywhere (poll loops included): the run fails fast. */
  readonly failed: Promise<never>;
  lastProgress = performance.now();
  counters = { workflowTasks: 0, activityTasks: 0, eagerActivityTasks: 0, inlineWorkflowTasks: 0, historyFetches: 0 };

  constructor(
    private readonly connection: Connection,
    private readonly config: RawConfig,
  ) {
    this.svc = connection.workflowService;
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

  startPollers(): void {
    for (let i = 0; i < this.config.pollers; i++) {
      void this.pollLoop(
        'PollWorkflowTaskQueue',
        () => this.svc.pollWorkflowTaskQueue({ namespace: NAMESPACE, taskQueue: this.taskQueue, identity: IDENTITY }),
        (t) => this.onWorkflowTask(t),
      );
      void this.pollLoop(
        'PollActivityTaskQueue',
        () => this.svc.pollActivityTaskQueue({ namespace: NAMESPACE, taskQueue: this.taskQueue, identity: IDENTITY }),
        (t) => this.onActivityTask(t),
      );
    }
  }

  /** Ends the long polls (they would otherwise sit on the server for up to 60 s). */
  stopPollers(): void {
    this.stopped = true;
    this.abort.abort();
  }

  private async pollLoop<T extends { taskToken?: Uint8Array | null }>(what: string, poll: () => Promise<T>, handle: (task: T) => Promise<void>): Promise<void> {
    while (!this.stopped) {
      let task: T;
      // One signal per call, linked to the shared one: the client leaves a listener on the signal it
      // is given, so polling with the long-lived signal itself grows it by one listener per poll.
      const call = new AbortController();
      const cancel = (): void => call.abort();
      this.abort.signal.addEventListener('abort', cancel, { once: true });
      try {
        task = await this.connection.withAbortSignal(call.signal, poll);
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
        const completed = new Promise<number>((resolve, reject) => this.open.set(id, { x: i, resolve, reject }));
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
      let events = task.history?.events ?? [];
      if (events.length === 0 || num(events[0]?.eventId) !== 1 || task.nextPageToken?.length) events = await this.fullHistory(task);
      const lastEventId = events.reduce((max, e) => Math.max(max, num(e.eventId)), 0);
      const { commands, result } = this.decide(workflowId, events);
      const response = await this.svc.respondWorkflowTaskCompleted({
        namespace: NAMESPACE,
        taskToken: task.taskToken,
        commands,
        identity: IDENTITY,
        returnNewWorkflowTask: true,
      });
      // The close adds WorkflowTaskCompleted and WorkflowExecutionCompleted after the task's last event.
      if (result !== undefined) open.resolve(lastEventId + 2);
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

  private decide(workflowId: string, events: IHistoryEvent[]): { commands: ICommand[]; result?: number } {
    const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    const x = fromJsonPayloads(started?.workflowExecutionStartedEventAttributes?.input);
    if (typeof x !== 'number') throw new Error(`no numeric input in ${workflowId}'s WorkflowExecutionStarted event`);
    if (this.config.mode === 'completeNow') return complete(x);
    let scheduled = 0;
    const results: number[] = [];
    for (const e of events) {
      switch (e.eventType) {
        case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
          scheduled++;
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
          const r = fromJsonPayloads(e.activityTaskCompletedEventAttributes?.result);
          if (typeof r !== 'number') throw new Error(`activity result ${JSON.stringify(r)} in event ${num(e.eventId)}`);
          results.push(r);
          break;
        }
        case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
        case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
          throw new Error(`activity ended with ${EventType[e.eventType]} (event ${num(e.eventId)})`);
      }
    }
    const current = results.length > 0 ? (results[results.length - 1] as number) : x;
    if (results.length >= 3) return complete(current);
    if (scheduled > results.length) return { commands: [] }; // an activity is still running: nothing to decide
    return {
      commands: [
        {
          commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
          scheduleActivityTaskCommandAttributes: {
            activityId: String(scheduled + 1),
            activityType: { name: 'inc' },
            taskQueue: this.taskQueue,
            input: jsonPayloads(current),
            startToCloseTimeout: seconds(10),
            requestEagerExecution: true,
          },
        },
      ],
    };
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

function complete(result: number): { commands: ICommand[]; result: number } {
  return {
    commands: [
      { commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: { result: jsonPayloads(result) } },
    ],
    result,
  };
}

serve<RawConfig, RawResult>('raw driver', async (config, warm) => {
  const connection = await Connection.connect({ address: config.address });
  const driver = new Driver(connection, config);
  driver.startPollers();
  const warmDone = await driver.run(`${config.idPrefix}-warm`, 5, 5);
  await driver.verify(warmDone, warmDone.length);
  driver.counters = { workflowTasks: 0, activityTasks: 0, eagerActivityTasks: 0, inlineWorkflowTasks: 0, historyFetches: 0 };
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
