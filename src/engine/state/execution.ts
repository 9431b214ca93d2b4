import type { common } from '../../common/proto';
import { invalidArgument } from '../../common/errors';
import { enums, type IPayload, type IPayloads } from '../../common/proto';
import type { RunMutator } from './mutator';
import { failWorkflowTask } from './workflow-task-state';

/** Run-level transitions and the memo / search-attribute maps kept in mutable state. */

/** Closes the run: no task, timer or activity outlives it, and late events are dropped. */
export function closeExecution(m: RunMutator, status: enums.WorkflowExecutionStatus): void {
  m.ms.status = status;
  m.ms.closeTime = m.now;
  m.ms.workflowTask = undefined;
  m.clearActivities();
  m.ms.timers = {};
}

/**
 * Terminates the run: a started workflow task is force-failed, buffered events are written, then
 * WorkflowExecutionTerminated closes the run.
 */
export function terminateExecution(m: RunMutator, reason: string, details: IPayloads | null | undefined, identity: string): void {
  if (m.hasStartedWorkflowTask()) {
    failWorkflowTask(m, enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND, null, identity);
  }
  m.flushBuffer();
  m.add({ workflowExecutionTerminatedEventAttributes: { reason, details: details ?? null, identity } });
  closeExecution(m, enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED);
}

type PayloadMap = Record<string, IPayload>;

/** Upserted keys replace stored ones; an empty or JSON-null payload removes the key, as in Temporal. */
export function mergePayloadMap(current: PayloadMap, upsert: { [k: string]: IPayload } | null | undefined): PayloadMap {
  const merged: PayloadMap = { ...current };
  for (const [key, value] of Object.entries(upsert ?? {})) {
    const data = value.data ? Buffer.from(value.data).toString() : '';
    if (data === '' || data === 'null') delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/** Signals and cancel requests carry a request id so a client's retry is applied once. */
export function isDuplicateRequest(m: RunMutator, requestId: string | null | undefined): boolean {
  if (!requestId) return false;
  if (m.ms.requestIds.includes(requestId)) return true;
  m.ms.requestIds.push(requestId);
  if (m.ms.requestIds.length > 1000) m.ms.requestIds.shift();
  return false;
}

export function addSignal(
  m: RunMutator,
  signalName: string,
  input: IPayloads | null | undefined,
  header: common.IHeader | null | undefined,
  identity: string,
): void {
  m.add({ workflowExecutionSignaledEventAttributes: { signalName, input: input ?? null, header: header ?? null, identity } });
  countSignal(m);
}

/** Temporal's SignalCount: every signal a run receives, from a client or another workflow. */
export function countSignal(m: RunMutator): void {
  m.ms.signalCount = (m.ms.signalCount ?? 0) + 1;
}

/**
 * Temporal's ValidateSignal count check (`history.maximumSignalsPerExecution`, 0 for none): a run that
 * has received that many signals takes no more, and the sender gets INVALID_ARGUMENT.
 */
export function requireSignalCapacity(m: RunMutator): void {
  const max = m.limits.maxSignals;
  if (max > 0 && (m.ms.signalCount ?? 0) >= max) throw invalidArgument('exceeded workflow execution limit for signal events');
}
