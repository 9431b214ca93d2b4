/** The report's "Method" section: how each figure in the table is measured. */
import os from 'node:os';

/** The counts the runner used, named in the text. */
export interface MethodCounts {
  W1_SPLIT: number;
  W4_POLLERS: number;
  W4_IN_FLIGHT: number;
  W7_OPEN: number;
  W7_CLOSED: number;
  W7_CLOSED_IN_FLIGHT: number;
  W7_VERIFY: number;
}

export function method(c: MethodCounts): string[] {
  return [
    '## Method',
    '',
    '- Server (`bin/hourglass.js server start-dev --headless --log-level error --db-filename <tmp>`), worker (`dist/bench/worker.js`, `@temporalio/worker`), load generator (`dist/bench/loadgen.js`, `@temporalio/client`), raw gRPC driver (`dist/bench/raw-driver.js`) and replayer (`dist/bench/replay.js`) are separate processes. Each round of each workload starts a fresh server (fresh SQLite file) and, except W4, a worker.',
    "- Median and min–max are across rounds; for W1, p50/p95/p99 are within a round. W5 figures are startup.js's own median/min–max over its rounds. W7 runs once, also in full mode.",
    "- Before each measured run the load generator (or the raw driver) runs 5 workflows (not measured) so the worker's workflow isolate and the connections are warm; CPU counters are snapshot after that warm-up.",
    "- CPU = utime + stime from /proc/<pid>/stat (all threads, incl. the worker's Rust core). Peak RSS = VmHWM from /proc/<pid>/status over the process lifetime (start-up included); RSS = VmRSS at that moment.",
    '- Durability: every server runs with the default `synchronous=FULL` (WAL, an fsync per group commit) unless its row says `synchronous=NORMAL` (`--sqlite-pragma synchronous=NORMAL`: no fsync per commit; a process crash still loses nothing, a power loss may lose the last acknowledged changes).',
    `- W1 latency split: a further ${c.W1_SPLIT} threeSteps workflows, one at a time, against a server at \`--log-level debug --log-format json\`, which logs every answered RPC with its start and duration (server clock). Per workflow: SDK worker = Σ (workflow-task poll answered → RespondWorkflowTaskCompleted received) + Σ (completion answered with an eager activity → RespondActivityTaskCompleted received), i.e. the worker's turns including its side of the transport; server = the rest of the window from StartWorkflowExecution received to the result's history long poll answered (handlers, commits, dispatch); client = the load generator's start → result minus that window. Medians over the workflows.`,
    "- W3 lateness = last completion − (first start + start spread + 2 s): how far behind the ideal the last timer-driven workflow finished. W3 timer lateness = per timer, from the histories after the run: TimerFired event time − (TimerStarted event time + startToFireTimeout); both times are the server's, in ms.",
    `- W4 (server ceiling): the raw driver speaks WorkflowService directly, no SDK: ${c.W4_POLLERS} workflow-task and ${c.W4_POLLERS} activity-task long polls (and, sticky, ${c.W4_POLLERS} on its sticky queue), ${c.W4_IN_FLIGHT} workflows in flight. Each workflow task of a threeSteps workflow answers ScheduleActivityTask (inc, current value, requestEagerExecution) until three activities completed, then CompleteWorkflowExecution(x + 3); RespondWorkflowTaskCompleted asks for returnNewWorkflowTask, and activity or workflow tasks the server returns there are run as if polled (the eager/inline rows count them). The sticky driver (rows "W4 server ceiling (sticky driver)") names its sticky queue in stickyAttributes, as an SDK worker with a workflow cache does, keeps each run's decision state and folds in only the events the server sends since the run's previous task; the full-history driver (rows "W4 server ceiling", as before the sticky driver) folds every task's full history from scratch. Wall time = go → last completion; history events/s = Σ history lengths / wall time, each length being the final workflow task's last event id + 2; server CPU from /proc over the same window, driver CPU from process.cpuUsage() (if it nears a full CPU, the driver rather than the server limited the run).`,
    '- W6 replay: bench/replay.js fetches the big history, bundles bench/workflows.ts with bundleWorkflowCode (timed, reported apart, not part of either replay time), then times Worker.runReplayHistory on that bundle (cold: a fresh process, includes creating the replay worker) and the same history through Worker.runReplayHistories right after a small threeSteps history (warm: replay worker, isolate and JIT warm, as in a running worker rebuilding an evicted workflow).',
    `- W7: ${c.W7_OPEN} sleepLong workflows (a 1-hour timer) run by the SDK worker; RSS is read once every one of their histories holds TimerStarted. Then the raw driver runs ${c.W7_CLOSED} completeNow workflows (CompleteWorkflowExecution in the first workflow task, own task queue) on the same server, ${c.W7_CLOSED_IN_FLIGHT} in flight, and RSS is read again. SQLite sizes are the database file + -wal + -shm; per workflow = bytes / workflows (W2: total after the run; closed 1-task: growth over the raw run).`,
    `- Server, worker and load generator share this machine's ${os.cpus().length} CPU(s); throughput figures (W2, W4 especially) include that contention.`,
    `- Correctness: every workflow result is checked (threeSteps: x + 3; sleepThenInc: x + 1); the raw driver fails on any RPC error and, after the measured window, reads close events with GetWorkflowExecutionHistory(CLOSE_EVENT) — all of W4's, ${c.W7_VERIFY} evenly spread of W7's — and checks WorkflowExecutionCompleted, the result and the event id; any mismatch fails the run with exit code 1.`,
    '',
  ];
}
