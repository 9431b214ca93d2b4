/**
 * Shared by the ResetWorkflowExecution specs: the reset call, the usual reset point, and a resetProbe
 * run that has settled after its signals.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { EventType, eventNames, waitFor, type HistoryEvent } from './helpers';
import { resetMessageSignal, resetProbe } from './workflows';

export type ResetRequest = temporal.api.workflowservice.v1.IResetWorkflowExecutionRequest;

/** Resets with a fresh request id and the reason 'spec reset' unless `request` gives them; answers the new run id. */
export function reset(client: Client, namespace: string, request: ResetRequest): Promise<string> {
  return client.workflowService
    .resetWorkflowExecution({ namespace, reason: 'spec reset', requestId: randomUUID(), ...request })
    .then((response) => response.runId);
}

/** The id of the first WorkflowTaskCompleted event: the usual reset point ("FirstWorkflowTask"). */
export function firstCompletedTaskId(events: readonly HistoryEvent[] | null | undefined): number {
  const event = events?.find(isCompletedTask);
  assert.ok(event, `no completed workflow task in ${eventNames(events).join(', ')}`);
  return Number(event.eventId);
}

export async function historyOf(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

export type Probe = { base: WorkflowHandle<typeof resetProbe>; baseRunId: string };

/**
 * Starts resetProbe(expected), sends `messages` as signals and waits until a workflow task has seen them; returns a
 * handle on that run (a handle from `start` follows the workflow id to whichever run is current).
 */
export async function probeWithSignals(client: Client, taskQueue: string, expected: number, messages: string[]): Promise<Probe> {
  const started = await client.workflow.start(resetProbe, { taskQueue, workflowId: taskQueue, args: [expected] });
  for (const message of messages) await started.signal(resetMessageSignal, message);
  const handle = client.workflow.getHandle<typeof resetProbe>(taskQueue, started.firstExecutionRunId);
  await waitFor('a workflow task after the signals', async () => (settled(await historyOf(handle)) ? true : undefined));
  return { base: handle, baseRunId: started.firstExecutionRunId };
}

export function isCompletedTask(e: HistoryEvent): boolean {
  return e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
}

/** The run has nothing in flight: its last event is a completed workflow task, or its completion. */
export function settled(events: readonly HistoryEvent[]): boolean {
  const last = events.at(-1)?.eventType;
  return last === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || last === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED;
}
