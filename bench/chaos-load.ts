/**
 * The chaos run's load: a seeded plan (which workflows start in which kill cycle, when each signal is sent) and the
 * client side that carries it out through any number of server crashes. A call that fails because the server is down
 * is retried until the server acknowledges it; retries reuse the request id, so the server applies each one once.
 */
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { defaultPayloadConverter, WorkflowIdReusePolicy } from '@temporalio/common';
import type { ChaosInput } from './chaos-workflows';

/** mulberry32: a small seeded generator, so a failing run can be repeated with its --seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PlannedWorkflow {
  input: ChaosInput;
  /** The kill cycle in which it is started (0 … kills): the load is spread over every crash. */
  cycle: number;
  /** Delay before each signal, ms after the previous one (signal n carries n). */
  signalDelaysMs: number[];
}

export function plan(workflows: number, kills: number, random: () => number): PlannedWorkflow[] {
  return Array.from({ length: workflows }, (_, i) => ({
    input: { id: `chaos-${i}`, activities: 1 + Math.floor(random() * 4), signals: 1 + Math.floor(random() * 3), sleepMs: 200 + Math.floor(random() * 800) },
    cycle: Math.floor((i * (kills + 1)) / workflows),
    signalDelaysMs: Array.from({ length: 3 }, () => Math.floor(random() * 1500)),
  }));
}

const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** Whether a call failed because the server was down or went down while answering (it may or may not have applied it). */
export function failedInCrash(err: unknown): boolean {
  const code = grpcCode(err);
  return code === UNAVAILABLE || code === DEADLINE_EXCEEDED;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `call` until the server acknowledges it; gives up (throws) after `timeoutMs` or on any other error. */
export async function untilAcknowledged<T>(what: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!failedInCrash(err) || Date.now() > deadline) throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      await sleep(200);
    }
  }
}

export interface LoadCounters {
  started: number;
  signalsAcknowledged: number;
}

export const TASK_QUEUE = 'chaos';
const CALL_TIMEOUT_MS = 120_000;

/** Starts a workflow (a retry that finds it started means an earlier attempt was applied), then sends its signals. */
export async function drive(client: Client, wf: PlannedWorkflow, counters: LoadCounters): Promise<void> {
  const { id } = wf.input;
  await untilAcknowledged(`start ${id}`, CALL_TIMEOUT_MS, async () => {
    try {
      await client.workflow.start('chaosWorkflow', {
        taskQueue: TASK_QUEUE,
        workflowId: id,
        args: [wf.input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        // A workflow task lost in a crash times out and is retried; keep that short.
        workflowTaskTimeout: '5s',
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  });
  counters.started++;
  for (let n = 0; n < wf.input.signals; n++) {
    await sleep(wf.signalDelaysMs[n] ?? 0);
    await untilAcknowledged(`signal ${id} #${n}`, CALL_TIMEOUT_MS, () =>
      client.workflowService.signalWorkflowExecution({
        namespace: client.options.namespace,
        workflowExecution: { workflowId: id },
        signalName: 'tick',
        input: { payloads: [defaultPayloadConverter.toPayload(n)] },
        identity: 'chaos',
        requestId: `${id}/tick-${n}`,
      }),
    );
    counters.signalsAcknowledged++;
  }
}
