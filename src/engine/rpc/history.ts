import { ENCODED_HISTORY, type EncodedHistory, enums, history, toNumber, type workflowservice } from '../../common/proto';
import type { MutableState, NamespaceRecord } from '../../store/records';
import type { HistoryNotifier } from '../dispatch/history-notifier';
import { type HistoryStore, readEvent } from '../history-reader';
import { isRunning } from '../state/status';
import { decodeEvent } from '../state/mutator';
import { transientWorkflowTaskEvents } from '../state/workflow-task-state';
import type { RunTransactions } from '../transactions';
import { describeExecution } from './describe';
import { decodeHistoryContinuation, decodePageToken, encodePageToken } from './history-page-token';

export interface HistoryHost {
  transactions: RunTransactions;
  store: HistoryStore;
  notifier: HistoryNotifier;
  /** How long a history long poll is held before an empty page (Temporal: ~20 s). */
  historyLongPollTimeoutMs: number;
}

const DEFAULT_PAGE_SIZE = 1000;

/** GetWorkflowExecutionHistory (with long polls and the close-event filter), its reverse, and DescribeWorkflowExecution. */
export class HistoryReads {
  constructor(private readonly host: HistoryHost) {}

  async describeWorkflowExecution(
    ns: NamespaceRecord,
    execution: { workflowId?: string | null; runId?: string | null },
  ): Promise<workflowservice.IDescribeWorkflowExecutionResponse> {
    const ms = await this.host.transactions.load(ns.id, execution.workflowId ?? '', execution.runId ?? '');
    // As Temporal, the user metadata comes from the run's WorkflowExecutionStarted event.
    const started = await readEvent(this.host.store, ms.runId, 1);
    return describeExecution(ms, this.host.transactions.now(), started);
  }

  async getWorkflowExecutionHistory(
    ns: NamespaceRecord,
    req: workflowservice.IGetWorkflowExecutionHistoryRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IGetWorkflowExecutionHistoryResponse & EncodedHistory> {
    const { transactions, store, notifier } = this.host;
    const workflowId = req.execution?.workflowId ?? '';
    let ms = await transactions.load(ns.id, workflowId, req.execution?.runId ?? '');
    const { nextEventId: token, endEventId } = decodeHistoryContinuation(req.nextPageToken, ms.runId);
    const closeOnly = req.historyEventFilterType === enums.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT;
    if (req.waitNewEvent) {
      // Long poll: until the run closes (close-event filter) or grows past the caller's position.
      const deadline = transactions.now() + this.host.historyLongPollTimeoutMs;
      const ready = (s: MutableState): boolean => (closeOnly ? !isRunning(s.status) : s.nextEventId > token);
      while (!ready(ms)) {
        const remaining = deadline - transactions.now();
        // At shutdown the poll ends as its period's end would: the caller follows the run again with the token.
        if (remaining <= 0 || signal?.aborted || notifier.isStopped) {
          return { [ENCODED_HISTORY]: [], nextPageToken: encodePageToken(ms.runId, closeOnly ? 1 : token), archived: false };
        }
        await notifier.wait(ms.runId, remaining, signal);
        ms = await transactions.load(ns.id, workflowId, ms.runId);
      }
    }
    if (closeOnly) {
      const last = await store.readHistoryReverse(ms.runId, ms.nextEventId - 1, 1);
      return { [ENCODED_HISTORY]: last, nextPageToken: new Uint8Array(), archived: false };
    }
    const pageSize = req.maximumPageSize && req.maximumPageSize > 0 ? req.maximumPageSize : DEFAULT_PAGE_SIZE;
    const end = Math.min(endEventId ?? ms.nextEventId, ms.nextEventId);
    const rows = await store.readHistory(ms.runId, token, end, pageSize);
    const lastId = token + rows.length - 1; // event ids are dense
    const more = lastId + 1 < end;
    if (more) return { [ENCODED_HISTORY]: rows, nextPageToken: encodePageToken(ms.runId, lastId + 1, endEventId), archived: false };
    // As Temporal, a long poll's last page of a running run still carries a token: the caller follows the run with it.
    if (req.waitNewEvent === true && endEventId === undefined && isRunning(ms.status)) {
      return { [ENCODED_HISTORY]: rows, nextPageToken: encodePageToken(ms.runId, lastId + 1), archived: false };
    }
    return {
      [ENCODED_HISTORY]: endEventId === undefined ? rows : [...rows, ...this.transientTail(ms, endEventId)],
      nextPageToken: new Uint8Array(),
      archived: false,
    };
  }

  /**
   * The last page of a workflow task's history ends, as the poll response would have, with the task's transient
   * Scheduled/Started pair when it is a retried attempt still out (Temporal appends TransientWorkflowTask there).
   */
  private transientTail(ms: MutableState, endEventId: number): Uint8Array[] {
    const wt = ms.workflowTask;
    if (!wt?.transient || wt.scheduledEventId !== endEventId) return [];
    return transientWorkflowTaskEvents({ ms, limits: this.host.transactions.limits }, wt).map((e) => history.HistoryEvent.encode(e).finish());
  }

  async getWorkflowExecutionHistoryReverse(
    ns: NamespaceRecord,
    req: workflowservice.IGetWorkflowExecutionHistoryReverseRequest,
  ): Promise<workflowservice.IGetWorkflowExecutionHistoryReverseResponse> {
    const ms = await this.host.transactions.load(ns.id, req.execution?.workflowId ?? '', req.execution?.runId ?? '');
    const from = req.nextPageToken && req.nextPageToken.length > 0 ? decodePageToken(req.nextPageToken, ms.runId) : ms.nextEventId - 1;
    const pageSize = req.maximumPageSize && req.maximumPageSize > 0 ? req.maximumPageSize : DEFAULT_PAGE_SIZE;
    const events = (await this.host.store.readHistoryReverse(ms.runId, from, pageSize)).map(decodeEvent);
    const lastId = events.length > 0 ? toNumber(events[events.length - 1]?.eventId) : 1;
    return { history: { events }, nextPageToken: lastId > 1 ? encodePageToken(ms.runId, lastId - 1) : new Uint8Array() };
  }
}
