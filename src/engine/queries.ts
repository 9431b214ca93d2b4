import { workflowLockKey } from './keyed-mutex';
import { workflowTaskIdentity } from './workflow-tasks';
import { ServiceError, taskNotFound } from '../common/errors';
import { enums, int64, type workflowservice } from '../common/proto';
import type { MutableState, NamespaceRecord } from '../store/records';
import { isRunning } from './execution';
import { decodeEvent } from './mutator';
import type { DispatchTask } from './task-generator';
import { decodeQueryTaskToken, encodeTaskToken } from './task-token';
import { queryRejection } from './query-registry';
import type { HistoryEngine } from './history-engine';

/** Queries: attached to a pending workflow task, or sent as query tasks; never written to history. */
export class QueryHandling {
  constructor(private readonly engine: HistoryEngine) {}

  /**
   * Answers a query through a worker: attached to the run's pending workflow task when there is one
   * (so the answer reflects its events), else as a query task of its own. History is never touched.
   */
  async queryWorkflow(ns: NamespaceRecord, req: workflowservice.IQueryWorkflowRequest, signal?: AbortSignal): Promise<workflowservice.IQueryWorkflowResponse> {
    const workflowId = req.execution?.workflowId ?? '';
    const registered = await this.engine.locks.run(workflowLockKey(ns.id, workflowId), async () => {
      const ms = await this.engine.load(ns.id, workflowId, req.execution?.runId ?? '');
      const rejected = queryRejection(ms, req.queryRejectCondition);
      if (rejected !== undefined) return { rejected };
      if (ms.lastCompletedWorkflowTaskStartedEventId === 0 && !isRunning(ms.status)) {
        throw new ServiceError('FAILED_PRECONDITION', 'workflow closed before a workflow task completed', { type: 'WorkflowNotReady' });
      }
      const pending = this.engine.queries.add(ms.runId, req.query ?? {}, 'buffered');
      if (!isRunning(ms.status) || !ms.workflowTask) this.dispatchBufferedQueries(ms);
      return { pending };
    });
    if ('rejected' in registered) return { queryRejected: { status: registered.rejected } };
    const { query, outcome } = registered.pending;
    const timeout = new Promise<'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), this.engine.queryTimeoutMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve('timeout');
      });
      void outcome.then(() => clearTimeout(timer));
    });
    const result = await Promise.race([outcome, timeout]);
    if (result === 'timeout') {
      this.engine.queries.remove(query.id);
      throw new ServiceError('DEADLINE_EXCEEDED', 'query timed out: no worker answered; is a worker polling the task queue?');
    }
    if ('failed' in result) throw new ServiceError('INVALID_ARGUMENT', result.failed, { type: 'QueryFailed', failure: result.failure ?? null });
    return { queryResult: result.answered ?? { payloads: [] } };
  }
  respondQueryTaskCompleted(req: workflowservice.IRespondQueryTaskCompletedRequest): void {
    const token = decodeQueryTaskToken(req.taskToken);
    const q = this.engine.queries.get(token.queryId);
    if (!q) throw taskNotFound('Query task');
    if (req.completedType === enums.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) q.settle({ answered: req.queryResult });
    else q.settle({ failed: req.errorMessage || req.failure?.message || 'query failed', failure: req.failure });
  }
  /** A legacy query task: full history, `query` set, its own token; answered by RespondQueryTaskCompleted. */
  async queryTaskResponse(task: DispatchTask): Promise<workflowservice.IPollWorkflowTaskQueueResponse | undefined> {
    const q = this.engine.queries.get(task.queryId ?? '');
    if (!q || q.state !== 'dispatched') return undefined;
    const ms = await this.engine.store.getMutableState(task.namespaceId, task.workflowId, task.runId);
    if (!ms) return undefined;
    const events = (await this.engine.store.readHistory(ms.runId, 1, ms.nextEventId, Number.MAX_SAFE_INTEGER)).map(decodeEvent);
    this.engine.stats.fullHistoryWorkflowTasks++;
    return {
      ...workflowTaskIdentity(ms),
      taskToken: encodeTaskToken({ kind: 'query', namespaceId: ms.namespaceId, queryId: q.id }),
      startedEventId: int64(0),
      attempt: 1,
      history: { events },
      query: q.query,
    };
  }
  /** Answers queries that rode on the completed task. */
  answerQueries(results: workflowservice.IRespondWorkflowTaskCompletedRequest['queryResults']): void {
    for (const [id, result] of Object.entries(results ?? {})) {
      const q = this.engine.queries.get(id);
      if (!q) continue;
      if (result.resultType === enums.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) q.settle({ answered: result.answer });
      else q.settle({ failed: result.errorMessage ?? 'query failed', failure: result.failure });
    }
  }
  /** With no workflow task to ride on, buffered queries go to a worker as query tasks. */
  dispatchBufferedQueries(ms: MutableState): void {
    for (const q of this.engine.queries.forRun(ms.runId, 'buffered')) {
      q.state = 'dispatched';
      this.engine.matching.offer({
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
}
