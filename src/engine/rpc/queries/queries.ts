import { ServiceError, taskNotFound } from '../../../common/errors';
import { enums, int64, type temporal, type workflowservice } from '../../../common/proto';
import type { MutableState, NamespaceRecord } from '../../../store/records';
import type { ExecutionStore } from '../../../store/store';
import type { Matching } from '../../dispatch/matching';
import type { DispatchTask } from '../../dispatch/task-generator';
import { decodeQueryTaskToken, encodeTaskToken } from '../../dispatch/task-token';
import { isRunning } from '../../state/status';
import { decodeEvent } from '../../state/mutator';
import type { RunTransactions } from '../../transactions';
import type { EngineStats } from '../engine-stats';
import { encodePageToken } from '../history-page-token';
import { workflowTaskIdentity } from '../workflow-task-identity';
import { queryRejection, type QueryRegistry } from './query-registry';

export interface QueryHost {
  transactions: RunTransactions;
  store: Pick<ExecutionStore, 'getMutableState' | 'readHistory'>;
  matching: Pick<Matching, 'offer'>;
  registry: QueryRegistry;
  stats: EngineStats;
  /** `limit.historyMaxPageSize`: the events a query task carries; the worker reads the rest by its nextPageToken. */
  historyPageSize: number;
  /** Server-side cap on a query's wait, since the SDK's query call has no deadline. */
  queryTimeoutMs: number;
}

/** Queries: attached to a pending workflow task, or sent as query tasks; never written to history. */
export class QueryHandling {
  constructor(private readonly host: QueryHost) {}

  /**
   * Answers a query through a worker: attached to the run's pending workflow task when there is one
   * (so the answer reflects its events), else as a query task of its own. History is never touched.
   */
  async queryWorkflow(ns: NamespaceRecord, req: workflowservice.IQueryWorkflowRequest, signal?: AbortSignal): Promise<workflowservice.IQueryWorkflowResponse> {
    const workflowId = req.execution?.workflowId ?? '';
    const registered = await this.host.transactions.withWorkflowLock(ns.id, workflowId, async () => {
      const ms = await this.host.transactions.load(ns.id, workflowId, req.execution?.runId ?? '');
      const rejected = queryRejection(ms, req.queryRejectCondition);
      if (rejected !== undefined) return { rejected };
      if (ms.lastCompletedWorkflowTaskStartedEventId === 0 && !isRunning(ms.status)) {
        throw new ServiceError('FAILED_PRECONDITION', 'workflow closed before a workflow task completed', { type: 'WorkflowNotReady' });
      }
      const pending = this.host.registry.add(ms.runId, req.query ?? {}, 'buffered');
      if (!isRunning(ms.status) || !ms.workflowTask) this.dispatchBufferedQueries(ms);
      return { pending };
    });
    if ('rejected' in registered) return { queryRejected: { status: registered.rejected } };
    const { query, outcome } = registered.pending;
    const timeout = new Promise<'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), this.host.queryTimeoutMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve('timeout');
      });
      void outcome.then(() => clearTimeout(timer));
    });
    const result = await Promise.race([outcome, timeout]);
    if (result === 'timeout') {
      this.host.registry.remove(query.id);
      throw new ServiceError('DEADLINE_EXCEEDED', 'query timed out: no worker answered; is a worker polling the task queue?');
    }
    if ('failed' in result) throw new ServiceError('INVALID_ARGUMENT', result.failed, { type: 'QueryFailed', failure: result.failure ?? null });
    return { queryResult: result.answered ?? { payloads: [] } };
  }
  respondQueryTaskCompleted(req: workflowservice.IRespondQueryTaskCompletedRequest): void {
    const token = decodeQueryTaskToken(req.taskToken);
    const q = this.host.registry.get(token.queryId);
    if (!q) throw taskNotFound('Query task');
    if (req.completedType === enums.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) q.settle({ answered: req.queryResult });
    else q.settle({ failed: req.errorMessage || req.failure?.message || 'query failed', failure: req.failure });
  }
  /** A legacy query task: full history (paged), `query` set, its own token; answered by RespondQueryTaskCompleted. */
  async queryTaskResponse(task: DispatchTask): Promise<workflowservice.IPollWorkflowTaskQueueResponse | undefined> {
    const q = this.host.registry.get(task.queryId ?? '');
    if (!q || q.state !== 'dispatched') return undefined;
    const ms = await this.host.store.getMutableState(task.namespaceId, task.workflowId, task.runId);
    if (!ms) return undefined;
    const events = (await this.host.store.readHistory(ms.runId, 1, ms.nextEventId, this.host.historyPageSize)).map(decodeEvent);
    const more = 1 + events.length < ms.nextEventId;
    this.host.stats.fullHistoryWorkflowTasks++;
    return {
      ...workflowTaskIdentity(ms),
      taskToken: encodeTaskToken({ kind: 'query', namespaceId: ms.namespaceId, queryId: q.id }),
      startedEventId: int64(0),
      attempt: 1,
      history: { events },
      nextPageToken: more ? encodePageToken(ms.runId, 1 + events.length, ms.nextEventId) : new Uint8Array(),
      query: q.query,
    };
  }
  /** Answers queries that rode on the completed task. */
  answerQueries(results: workflowservice.IRespondWorkflowTaskCompletedRequest['queryResults']): void {
    for (const [id, result] of Object.entries(results ?? {})) {
      const q = this.host.registry.get(id);
      if (!q) continue;
      if (result.resultType === enums.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) q.settle({ answered: result.answer });
      else q.settle({ failed: result.errorMessage ?? 'query failed', failure: result.failure });
    }
  }
  /** With no workflow task to ride on, buffered queries go to a worker as query tasks. */
  dispatchBufferedQueries(ms: MutableState): void {
    for (const q of this.host.registry.forRun(ms.runId, 'buffered')) {
      q.state = 'dispatched';
      this.host.matching.offer({
        kind: 'workflow',
        namespaceId: ms.namespaceId,
        taskQueue: ms.taskQueue,
        workflowId: ms.workflowId,
        runId: ms.runId,
        scheduledEventId: 0,
        attempt: 0,
        queryId: q.id,
      });
    }
  }

  /** Buffered queries ride on the workflow task being handed out; returns them by id for the poll response. */
  attachBufferedQueries(runId: string): Record<string, temporal.api.query.v1.IWorkflowQuery> {
    const queries: Record<string, temporal.api.query.v1.IWorkflowQuery> = {};
    for (const q of this.host.registry.forRun(runId, 'buffered')) {
      q.state = 'attached';
      queries[q.id] = q.query;
    }
    return queries;
  }
}
