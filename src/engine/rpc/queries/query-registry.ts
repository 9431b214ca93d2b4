import { randomUUID } from 'node:crypto';
import { enums, type IFailure, type IPayloads, type temporal } from '../../../common/proto';
import type { MutableState } from '../../../store/records';
import { isRunning } from '../../state/status';

type IWorkflowQuery = temporal.api.query.v1.IWorkflowQuery;

export type QueryOutcome = { answered: IPayloads | null | undefined } | { failed: string; failure?: IFailure | null };

/**
 * Queries in flight. Nothing here is persisted: a query never changes history. A query waits
 * "buffered" while its run has a workflow task pending, rides on the next task ("attached"), or goes
 * to a worker as a query task of its own ("dispatched").
 */
export interface PendingQuery {
  id: string;
  runId: string;
  query: IWorkflowQuery;
  state: 'buffered' | 'attached' | 'dispatched';
  settle(outcome: QueryOutcome): void;
}

export class QueryRegistry {
  private readonly byId = new Map<string, PendingQuery>();

  add(runId: string, query: IWorkflowQuery, state: PendingQuery['state']): { query: PendingQuery; outcome: Promise<QueryOutcome> } {
    let settle!: (o: QueryOutcome) => void;
    const outcome = new Promise<QueryOutcome>((resolve) => (settle = resolve));
    const pending: PendingQuery = {
      id: randomUUID(),
      runId,
      query,
      state,
      settle: (o) => {
        this.byId.delete(pending.id);
        settle(o);
      },
    };
    this.byId.set(pending.id, pending);
    return { query: pending, outcome };
  }

  get(id: string): PendingQuery | undefined {
    return this.byId.get(id);
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  forRun(runId: string, state: PendingQuery['state']): PendingQuery[] {
    return [...this.byId.values()].filter((q) => q.runId === runId && q.state === state);
  }

  /** Queries attached to a task that failed or timed out wait for the next one. */
  detach(runId: string): void {
    for (const q of this.forRun(runId, 'attached')) q.state = 'buffered';
  }
}

/** A closed run may refuse queries, per the caller's reject condition. */
export function queryRejection(ms: MutableState, condition: enums.QueryRejectCondition | null | undefined): enums.WorkflowExecutionStatus | undefined {
  if (isRunning(ms.status)) return undefined;
  const C = enums.QueryRejectCondition;
  if (condition === C.QUERY_REJECT_CONDITION_NOT_OPEN) return ms.status;
  if (condition === C.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY && ms.status !== enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
    return ms.status;
  }
  return undefined;
}
