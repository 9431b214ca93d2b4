import { ServiceError } from './common/errors';
import { encodeFailure, encodePayloads, enums, history } from './common/proto';
import type { HistoryEngine } from './engine/history-engine';
import type { NamespaceRegistry } from './engine/namespaces';
import type { ScheduleActionHost } from './schedules/scheduler';
import type { ClosedRun } from './schedules/schedule-state';
import type { ExecutionStore } from './store/store';
import type { SearchAttributeRegistry } from './visibility/search-attributes';

/** Schedules' actions carried out with the engine's RPC modules, as a client's requests would be. */
export function scheduleActionHost(
  engine: HistoryEngine,
  namespaces: NamespaceRegistry,
  searchAttributes: SearchAttributeRegistry,
  store: ExecutionStore,
): ScheduleActionHost {
  const resolve = (namespaceId: string) => namespaces.resolve(namespaces.nameOf(namespaceId));
  const identity = 'temporal-scheduler';
  return {
    namespaceName: (namespaceId) => namespaces.nameOf(namespaceId),
    async startWorkflow(namespaceId, request) {
      const ns = await resolve(namespaceId);
      if (request.searchAttributes) request.searchAttributes.indexedFields = await searchAttributes.validate(ns.id, request.searchAttributes.indexedFields);
      try {
        return { runId: (await engine.starts.startWorkflowExecution(ns, request)).runId };
      } catch (err) {
        if (err instanceof ServiceError && err.detail?.type === 'WorkflowExecutionAlreadyStarted') return undefined;
        throw err;
      }
    },
    async requestCancel(namespaceId, workflowId, runId) {
      const ns = await resolve(namespaceId);
      await engine.control.requestCancelWorkflowExecution(ns, { namespace: ns.name, workflowExecution: { workflowId, runId }, identity });
    },
    async terminate(namespaceId, workflowId, runId, reason) {
      const ns = await resolve(namespaceId);
      await engine.control.terminateWorkflowExecution(ns, { namespace: ns.name, workflowExecution: { workflowId, runId }, identity, reason });
    },
    async closedRun(namespaceId, workflowId, runId): Promise<ClosedRun | undefined> {
      const ms = await store.getMutableState(namespaceId, workflowId, runId);
      // A run deleted meanwhile counts as closed: nothing of it can still overlap.
      if (!ms) return { workflowId, runId, status: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED };
      if (ms.status === enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) return undefined;
      const [last] = await store.readHistoryReverse(runId, ms.nextEventId - 1, 1);
      const event = last ? history.HistoryEvent.decode(last) : undefined;
      const failure = event?.workflowExecutionFailedEventAttributes?.failure ?? undefined;
      return {
        workflowId,
        runId,
        status: ms.status,
        failureMessage: failure?.message ?? undefined,
        result: encodePayloads(event?.workflowExecutionCompletedEventAttributes?.result),
        failure: encodeFailure(failure),
      };
    },
  };
}
