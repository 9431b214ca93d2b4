/**
 * The chaos run's verdict: after the last crash, every workflow whose start the server acknowledged must complete,
 * once, with the result its input implies; its history (and its child's) must be well-formed; every acknowledged
 * signal must be delivered once; every activity the histories record as completed must appear in the durable log
 * (at least once: executions beyond one are duplicates, allowed, and counted).
 */
import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { historyProblems, signalCount } from './chaos-history';
import { untilAcknowledged, type PlannedWorkflow } from './chaos-load';
import type { ChaosResult } from './chaos-workflows';

const T = temporal.api.enums.v1.EventType;
const RUNNING = temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface Verdict {
  completed: number;
  lost: number;
  wrong: number;
  duplicateActivities: number;
  signalsDelivered: number;
  /** One line per problem, for stderr. */
  problems: string[];
}

/** Executions per activity key, from the durable log (`key<TAB>attempt` lines). */
export function readActivityLog(logFile: string): Map<string, number> {
  const counts = new Map<string, number>();
  const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
  for (const line of text.split('\n')) {
    const key = line.split('\t')[0];
    if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const CALL_TIMEOUT_MS = 60_000;

/** Waits until none of the workflows is running, or the deadline; returns those still running. */
export async function waitUntilClosed(client: Client, ids: readonly string[], deadline: number, say: (line: string) => void): Promise<string[]> {
  let open = [...ids];
  while (open.length > 0 && Date.now() < deadline) {
    const running: string[] = [];
    for (const id of open) {
      const d = await untilAcknowledged(`describe ${id}`, CALL_TIMEOUT_MS, () => client.workflow.getHandle(id).describe());
      if (d.raw.workflowExecutionInfo?.status === RUNNING) running.push(id);
    }
    open = running;
    say(`${open.length} still running${open.length <= 5 ? `: ${open.join(', ')}` : ''}`);
    if (open.length > 0) await sleep(500);
  }
  return open;
}

async function history(client: Client, id: string): Promise<HistoryEvent[]> {
  const h = await untilAcknowledged(`history ${id}`, CALL_TIMEOUT_MS, () => client.workflow.getHandle(id).fetchHistory());
  return h.events ?? [];
}

/** The completion result of a closed history, or why there is none. */
export function completionResult(events: readonly HistoryEvent[]): { ok: true; value: unknown } | { ok: false; why: string } {
  const close = events[events.length - 1];
  if (close?.eventType !== T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) return { ok: false, why: `closed by ${T[close?.eventType ?? 0]}` };
  const payload = close.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
  return { ok: true, value: payload ? defaultPayloadConverter.fromPayload(payload) : undefined };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export async function verify(client: Client, workflows: readonly PlannedWorkflow[], notClosed: ReadonlySet<string>, logFile: string): Promise<Verdict> {
  const verdict: Verdict = { completed: 0, lost: 0, wrong: 0, duplicateActivities: 0, signalsDelivered: 0, problems: [] };
  const log = readActivityLog(logFile);
  for (const wf of workflows) {
    const { id } = wf.input;
    if (notClosed.has(id)) {
      verdict.lost++;
      verdict.problems.push(`${id}: still running at the deadline`);
      continue;
    }
    const events = await history(client, id);
    const childEvents = await history(client, `${id}-child`);
    const problems = [...historyProblems(events).map((p) => `history: ${p}`), ...historyProblems(childEvents).map((p) => `child history: ${p}`)];
    const delivered = signalCount(events);
    verdict.signalsDelivered += delivered;
    if (delivered < wf.input.signals) verdict.lost++;
    if (delivered !== wf.input.signals) problems.push(`${wf.input.signals} signals acknowledged, ${delivered} delivered`);
    const expected: ChaosResult = {
      sum: wf.input.activities ** 2,
      signals: Array.from({ length: wf.input.signals }, (_, n) => n),
      child: 201,
    };
    const result = completionResult(events);
    if (!result.ok) problems.push(`not completed: ${result.why}`);
    else if (!same(result.value, expected)) problems.push(`result ${JSON.stringify(result.value)}, expected ${JSON.stringify(expected)}`);
    const keys = [...Array.from({ length: wf.input.activities }, (_, i) => `${id}/a${i}`), `${id}-child/a0`];
    for (const key of keys) {
      const executions = log.get(key) ?? 0;
      if (executions === 0) problems.push(`activity ${key} completed but never logged an execution`);
      verdict.duplicateActivities += Math.max(0, executions - 1);
    }
    if (result.ok) verdict.completed++;
    if (problems.length > 0) {
      verdict.wrong++;
      verdict.problems.push(...problems.map((p) => `${id}: ${p}`));
    }
  }
  // Exactly once, as visibility sees it too: one closed, completed run per workflow id (a second run, or a close that
  // visibility missed in a crash, shows here).
  const query = `WorkflowType = 'chaosWorkflow' AND ExecutionStatus = 'Completed'`;
  const { count } = await untilAcknowledged('count', CALL_TIMEOUT_MS, () => client.workflow.count(query));
  if (count !== verdict.completed) {
    verdict.wrong++;
    verdict.problems.push(`visibility counts ${count} completed chaosWorkflow runs, the histories ${verdict.completed}`);
  }
  return verdict;
}

/** The worker-kill check: the stalled activity's first attempt ran, and the workflow completed on a later attempt. */
export async function verifyStall(client: Client, workflowId: string, key: string, logFile: string): Promise<string | undefined> {
  const events = await history(client, workflowId);
  const problems = historyProblems(events);
  if (problems.length > 0) return `${workflowId}: ${problems.join('; ')}`;
  const result = completionResult(events);
  if (!result.ok) return `${workflowId}: not completed: ${result.why}`;
  if (typeof result.value !== 'string' || !/^done on attempt ([2-9]|\d\d+)$/.test(result.value)) return `${workflowId}: result ${JSON.stringify(result.value)}`;
  if ((readActivityLog(logFile).get(key) ?? 0) < 2) return `${workflowId}: the activity log does not show the killed attempt and a retry`;
  // Temporal records the attempt that completed on ActivityTaskStarted (written with the completion, after retries).
  const started = events.find((e) => e.eventType === T.EVENT_TYPE_ACTIVITY_TASK_STARTED);
  const attempt = started?.activityTaskStartedEventAttributes?.attempt ?? 0;
  if (attempt < 2) return `${workflowId}: ActivityTaskStarted records attempt ${attempt}, not a retry`;
  const failure = started?.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo?.timeoutType;
  if (failure !== temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE) {
    return `${workflowId}: the retry's last failure is not a start-to-close timeout`;
  }
  return undefined;
}
