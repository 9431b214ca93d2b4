/**
 * Messages between the bench runner and its forked child processes (IPC): the load generator (bench/loadgen.ts), the
 * raw gRPC driver (bench/raw-driver.ts) and the replayer (bench/replay.ts). Every child follows the same protocol: the
 * runner sends {type:'config'}; the child connects and warms up, answers {type:'warm'}; the runner snapshots CPU
 * counters and sends {type:'go'}; the child runs and answers {type:'result'} or {type:'error'}, then exits.
 */
export type Workload = 'w1' | 'w2' | 'w3' | 'w6' | 'w7open';

export interface LoadConfig {
  workload: Workload;
  address: string;
  taskQueue: string;
  /** Workflow type for w1/w2. */
  workflowType?: 'threeSteps' | 'threeStepsLocal';
  /** Number of workflows (w1–w3, w7open); number of activities (w6). */
  n: number;
  /** Activities run in parallel per batch (w6). */
  batch?: number;
  /** In-flight workflows (w2) or starts (w7open). */
  concurrency: number;
  /** Workflow id prefix, unique per round. */
  idPrefix: string;
}

export interface W1Result {
  kind: 'w1';
  latenciesMs: number[];
}
export interface W2Result {
  kind: 'w2';
  n: number;
  wallMs: number;
}
export interface W3Result {
  kind: 'w3';
  n: number;
  spreadMs: number;
  lateMs: number;
  firstToLastCompletionMs: number;
  /** Per timer: TimerFired event time − (TimerStarted event time + startToFireTimeout), ms (server clock, ms precision). */
  timerLatenessMs: number[];
}
export interface W6Result {
  kind: 'w6';
  activities: number;
  events: number;
  runMs: number;
  fetchHistoryMs: number;
  workflowId: string;
  warmWorkflowId: string;
}
/** w7open: N sleepLong workflows started and each seen with its TimerStarted event (the worker completed its first task). */
export interface W7OpenResult {
  kind: 'w7open';
  n: number;
  startMs: number;
  settledMs: number;
}
export type LoadResult = W1Result | W2Result | W3Result | W6Result | W7OpenResult;

/**
 * The raw gRPC driver (no SDK worker): its own poll/respond loops.
 * - threeSteps: each workflow schedules activity `inc` three times in sequence and completes with x + 3.
 * - completeNow: each workflow completes in its first workflow task with x.
 */
export interface RawConfig {
  address: string;
  taskQueue: string;
  mode: 'threeSteps' | 'completeNow';
  /** Measured workflows. */
  n: number;
  /** Workflows in flight (started, not yet completed). */
  inFlight: number;
  /** Concurrent long polls per task queue (workflow and activity). */
  pollers: number;
  /** Close events fetched to check results: all workflows when ≥ n, else an evenly spread sample. */
  verify: number;
  idPrefix: string;
  /** The server's pid: the driver reads its CPU counters at go and at the last completion (verification excluded). */
  serverPid: number;
  /** Decide from the new events only, on a sticky queue (a cached worker), instead of from the full history. */
  sticky: boolean;
}

export interface RawCounters {
  workflowTasks: number;
  activityTasks: number;
  /** Activity tasks received in RespondWorkflowTaskCompletedResponse.activityTasks (eager dispatch). */
  eagerActivityTasks: number;
  /** Workflow tasks received in RespondWorkflowTaskCompletedResponse.workflowTask. */
  inlineWorkflowTasks: number;
  /** Workflow tasks whose history did not start at event 1 (or had a next page) and did not continue the driver's state: the driver fetched the full history. */
  historyFetches: number;
  /** Workflow tasks decided from a partial (sticky) history: only the events since the run's previous task. */
  partialHistoryTasks: number;
}

export interface RawResult extends RawCounters {
  kind: 'raw';
  n: number;
  /** go → last workflow completed. */
  wallMs: number;
  /** Sum of history lengths (final workflow task's last event id + 2: WorkflowTaskCompleted, WorkflowExecutionCompleted). */
  events: number;
  minEvents: number;
  maxEvents: number;
  serverCpuS: number;
  driverCpuS: number;
  /** Close events checked (result and event id). */
  verified: number;
}

export interface ReplayConfig {
  address: string;
  /** The big history to replay. */
  workflowId: string;
  /** A small history of the same workflow code, replayed first so the replay worker is warm. */
  warmWorkflowId: string;
}

export interface ReplayResult {
  kind: 'replay';
  events: number;
  fetchMs: number;
  bundleMs: number;
  /** Worker.runReplayHistory on the pre-built bundle: replay-worker creation + replay. */
  coldReplayMs: number;
  /** The same history through a replay worker that has just replayed a small history (isolate and JIT warm). */
  warmReplayMs: number;
}

export type ToChild<C> = { type: 'config'; config: C } | { type: 'go' };
export type FromChild<R> = { type: 'warm' } | { type: 'result'; result: R } | { type: 'error'; message: string };
