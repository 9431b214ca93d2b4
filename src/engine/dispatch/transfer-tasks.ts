import { ServiceError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { enums, int64, type history } from '../../common/proto';
import type { ChildInfo, ExternalRequestInfo, MutableState, NamespaceRecord, RunRef } from '../../store/records';
import type { Store } from '../../store/store';
import { readEvent, readLastEvent, readStartedAttributes } from '../history-reader';
import type { NamespaceRegistry } from '../namespaces';
import { countSignal, terminateExecution } from '../state/execution';
import { isRunning } from '../state/status';
import type { RunMutator } from '../state/mutator';
import { createRun } from '../state/run-factory';
import { currentExecutionOf, type RunTransactions } from '../transactions';
import { RetryingTasks, type RetryBackoff } from './retrying-tasks';

/** How many reset runs a child's close report follows to find its parent's open run. */
const MAX_RESET_HOPS = 10;

/** Starts sooner than the timer path's fixed 1 s so a brief fault costs little, and backs off so a lasting one is not hammered. */
export const TRANSFER_RETRY: RetryBackoff = { initialMs: 100, maxMs: 10_000 };

/** What the transfer tasks need from the engine: locked read-modify-commit of runs. */
export interface TransferHost {
  transactions: RunTransactions;
  store: Pick<Store, 'getCurrentExecution' | 'getMutableState' | 'readHistory' | 'readHistoryReverse'>;
  logger: Logger;
  namespaces: Pick<NamespaceRegistry, 'resolve'>;
  /** Called when a delivery finishes (time skipping re-checks whether it may skip). */
  settled(): void;
}

/**
 * Work a committed change leaves for other runs (Temporal's transfer tasks): starting children,
 * delivering signals and cancel requests to other workflows, reporting a child's close to its
 * parent, and applying parent close policies. Each is derived from mutable state, so it is redone
 * after a crash, and each is idempotent; one that fails is retried with backoff until it succeeds
 * or the state no longer owes it.
 */
export class TransferTasks {
  private readonly tasks: RetryingTasks;

  constructor(
    private readonly host: TransferHost,
    backoff: RetryBackoff = TRANSFER_RETRY,
  ) {
    this.tasks = new RetryingTasks({
      backoff,
      onFailure: (task, err, attempt, retryInMs) => host.logger.error('transfer task failed', { task, error: String(err), attempt, retryInMs }),
      onSettled: () => host.settled(),
    });
  }

  /** Whether deliveries are under way (time skipping waits for them, as for any work in flight; not for one waiting to retry). */
  get busy(): boolean {
    return this.tasks.busy;
  }

  /** Failed tasks waiting for their retry. */
  get retrying(): number {
    return this.tasks.waitingCount;
  }

  /** Cancels pending retries (engine shutdown); what they owed is redone from mutable state at the next start. */
  close(): void {
    this.tasks.close();
  }

  /** Kicks off whatever the run's state still owes to other runs. */
  dispatch(ms: MutableState): void {
    if (!isRunning(ms.status)) return;
    for (const child of Object.values(ms.children)) {
      if (!child.runId) this.once(`${ms.runId}/child/${child.initiatedEventId}`, () => this.startChild(ms, child));
    }
    for (const request of Object.values(ms.externalRequests)) {
      this.once(`${ms.runId}/external/${request.initiatedEventId}`, () => this.deliverExternal(ms, request));
    }
  }

  /**
   * A run closed: report to its parent (if it ends its chain) and apply its children's parent close
   * policies. A run terminated by its own reset does neither, as in Temporal: the reset run takes
   * over its children (their reports follow `resetRunId`) and reports to the parent itself.
   */
  afterClose(ms: MutableState): void {
    if (ms.resetRunId !== undefined && ms.status === enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED) return;
    if (ms.parent && !ms.newExecutionRunId && !ms.parentNotified) this.once(`${ms.runId}/parent`, () => this.notifyParent(ms));
    for (const child of Object.values(ms.children)) {
      if (child.runId) this.once(`${ms.runId}/close-policy/${child.initiatedEventId}`, () => this.applyParentClosePolicy(ms, child));
    }
  }

  /**
   * At start-up: children that closed while the server was down still have to be reported. Each
   * check is a task of its own, so a failing read is logged and retried without aborting start-up.
   */
  async recoverChildren(parent: MutableState): Promise<void> {
    for (const child of Object.values(parent.children)) {
      if (child.runId) this.once(`${parent.runId}/recover/${child.initiatedEventId}`, () => this.recoverChild(parent, child));
    }
  }

  private once(key: string, task: () => Promise<void>): void {
    this.tasks.run(key, task);
  }

  private async recoverChild(parent: MutableState, child: ChildInfo): Promise<void> {
    const { store } = this.host;
    const ns = await this.namespaceIfExists(child.namespace);
    const current = ns && (await store.getCurrentExecution(ns.id, child.workflowId));
    const last = current && (await store.getMutableState(current.namespaceId, current.workflowId, current.runId));
    if (last && !isRunning(last.status) && last.parent?.runId === parent.runId) this.afterClose(last);
  }

  private async startChild(parent: MutableState, child: ChildInfo): Promise<void> {
    const { host } = this;
    const ns = await this.namespaceIfExists(child.namespace);
    const childNamespaceId = ns?.id ?? child.namespace;
    const sameWorkflow = childNamespaceId === parent.namespaceId && child.workflowId === parent.workflowId;
    const run = async (): Promise<void> => {
      const current = ns ? await host.store.getCurrentExecution(ns.id, child.workflowId) : undefined;
      const parentMs = await host.store.getMutableState(parent.namespaceId, parent.workflowId, parent.runId);
      const entry = parentMs?.children[String(child.initiatedEventId)];
      if (!parentMs || !isRunning(parentMs.status) || !entry || entry.runId) return;
      const pm = host.transactions.mutate(parentMs);
      const initiated = await readEvent(host.store, parent.runId, child.initiatedEventId);
      const attrs = initiated?.startChildWorkflowExecutionInitiatedEventAttributes;
      // Committed with the child entry, so its absence is a fault to retry, not a reason to fail the start.
      if (!attrs) throw new Error(`run ${parent.runId} has no StartChildWorkflowExecutionInitiated event ${child.initiatedEventId}`);
      const Cause = enums.StartChildWorkflowExecutionFailedCause;
      const taken =
        sameWorkflow ||
        (current && (isRunning(current.status) || attrs.workflowIdReusePolicy === enums.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE));
      if (!ns || taken) {
        pm.add({
          startChildWorkflowExecutionFailedEventAttributes: {
            namespace: child.namespace,
            workflowId: child.workflowId,
            workflowType: { name: child.workflowType },
            cause: ns
              ? Cause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS
              : Cause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND,
            initiatedEventId: int64(child.initiatedEventId),
            control: attrs.control ?? '',
          },
        });
        delete pm.ms.children[String(child.initiatedEventId)];
        await host.transactions.commitRuns([pm]);
        return;
      }
      const requestId = `${parent.runId}/${child.initiatedEventId}`;
      const cm = createRun(
        {
          namespaceId: ns.id,
          // As Temporal, the command's user metadata (on the Initiated event) is the child's own.
          request: { ...attrs, workflowId: child.workflowId, identity: '', requestId, userMetadata: initiated?.userMetadata ?? null },
          requestId,
          parent: {
            namespaceId: parent.namespaceId,
            namespace: pm.namespaceName,
            workflowId: parent.workflowId,
            runId: parent.runId,
            initiatedEventId: child.initiatedEventId,
          },
          // Runs stored before roots were kept in mutable state have theirs in the started event.
          rootExecution: parentMs.rootExecution ?? parentRoot(parentMs, await readStartedAttributes(host.store, parentMs.runId)),
        },
        host.transactions.now(),
      );
      cm.namespaceName = ns.name;
      cm.limits = host.transactions.limits;
      const entryNow = pm.ms.children[String(child.initiatedEventId)];
      if (entryNow) entryNow.runId = cm.ms.runId;
      pm.add({
        childWorkflowExecutionStartedEventAttributes: {
          namespace: ns.name,
          namespaceId: ns.id,
          initiatedEventId: int64(child.initiatedEventId),
          workflowExecution: { workflowId: child.workflowId, runId: cm.ms.runId },
          workflowType: { name: child.workflowType },
          header: attrs.header ?? null,
        },
      });
      await host.transactions.commitRuns([cm, pm], currentExecutionOf(cm.ms));
    };
    // Child before parent, always: the close report path takes the parent's lock without the child's.
    const { transactions } = host;
    const underParentLock = (): Promise<void> => transactions.withWorkflowLock(parent.namespaceId, parent.workflowId, run);
    if (sameWorkflow) await underParentLock();
    else await transactions.withWorkflowLock(childNamespaceId, child.workflowId, underParentLock);
  }

  private async notifyParent(child: MutableState): Promise<void> {
    const { host } = this;
    const parent = child.parent;
    if (!parent) return;
    const closeEvent = await readLastEvent(host.store, child);
    // A parent closed by a reset hands the report on to the run the reset created (Temporal's
    // recordChildWorkflowCompleted answers with its ResetRunId); a few hops at most.
    let parentRunId: string | undefined = parent.runId;
    for (let hops = 0; parentRunId && hops < MAX_RESET_HOPS; hops++) {
      const runId: string = parentRunId;
      parentRunId = undefined;
      await this.updateRun({ namespaceId: parent.namespaceId, workflowId: parent.workflowId, runId }, (m) => {
        if (!m.isRunning() && m.ms.resetRunId !== runId) parentRunId = m.ms.resetRunId;
        return this.recordChildClose(m, child, closeEvent);
      });
    }
    await this.updateRun(child, (m) => {
      m.ms.parentNotified = true;
      return true;
    });
  }

  /** The child's close event in the parent run; undefined (nothing to commit) if that run no longer waits for it. */
  private recordChildClose(m: RunMutator, child: MutableState, closeEvent: history.HistoryEvent | undefined): true | undefined {
    const parent = child.parent;
    const entry = parent && m.ms.children[String(parent.initiatedEventId)];
    if (!parent || !m.isRunning() || !entry) return undefined;
    const common = {
      namespace: entry.namespace,
      workflowExecution: { workflowId: child.workflowId, runId: child.runId },
      workflowType: { name: child.workflowType },
      initiatedEventId: int64(parent.initiatedEventId),
      startedEventId: int64(entry.startedEventId ?? 0),
    };
    m.add(childCloseEvent(child.status, closeEvent, common));
    delete m.ms.children[String(parent.initiatedEventId)];
    return true;
  }

  private async applyParentClosePolicy(parent: MutableState, child: ChildInfo): Promise<void> {
    const P = enums.ParentClosePolicy;
    if (child.parentClosePolicy === P.PARENT_CLOSE_POLICY_ABANDON || !child.runId) return;
    const ns = await this.namespaceIfExists(child.namespace);
    if (!ns) return;
    await this.deliver(ns.id, child.workflowId, child.runId, (m) => {
      if (child.parentClosePolicy === P.PARENT_CLOSE_POLICY_REQUEST_CANCEL) {
        if (m.ms.cancelRequested) return true;
        m.ms.cancelRequested = true;
        m.add({ workflowExecutionCancelRequestedEventAttributes: { cause: 'by parent close policy', identity: 'history-service' } });
      } else {
        terminateExecution(m, 'by parent close policy', null, 'history-service');
      }
      return true;
    });
  }

  private async deliverExternal(initiator: MutableState, request: ExternalRequestInfo): Promise<void> {
    const { host } = this;
    // A retry may find the request settled or the initiator closed; Temporal drops the task then too.
    const owing = await host.store.getMutableState(initiator.namespaceId, initiator.workflowId, initiator.runId);
    if (!owing || !isRunning(owing.status) || !owing.externalRequests[String(request.initiatedEventId)]) return;
    const ns = await this.namespaceIfExists(request.namespace);
    const requestId = `${initiator.runId}/${request.initiatedEventId}`;
    const signal = (await readEvent(host.store, initiator.runId, request.initiatedEventId))?.signalExternalWorkflowExecutionInitiatedEventAttributes;
    // Committed with the request, so its absence is a fault to retry, not a signal with no name.
    if (request.kind === 'signal' && !signal) {
      throw new Error(`run ${initiator.runId} has no SignalExternalWorkflowExecutionInitiated event ${request.initiatedEventId}`);
    }
    let delivered = false;
    if (ns) {
      delivered = await this.deliver(ns.id, request.workflowId, request.runId, (m) => {
        // Temporal reports a target that is not the initiator's child as not found.
        if (request.childWorkflowOnly && m.ms.parent?.runId !== initiator.runId) return false;
        if (m.ms.requestIds.includes(requestId)) return true;
        m.ms.requestIds.push(requestId);
        const external = { workflowId: initiator.workflowId, runId: initiator.runId };
        if (request.kind === 'signal') {
          m.add({
            workflowExecutionSignaledEventAttributes: {
              signalName: signal?.signalName ?? '',
              input: signal?.input ?? null,
              header: signal?.header ?? null,
              identity: 'history-service',
              externalWorkflowExecution: external,
            },
          });
          countSignal(m);
          return true;
        }
        if (m.ms.cancelRequested) return true;
        m.ms.cancelRequested = true;
        m.add({
          workflowExecutionCancelRequestedEventAttributes: {
            externalInitiatedEventId: int64(request.initiatedEventId),
            externalWorkflowExecution: external,
            identity: 'history-service',
          },
        });
        return true;
      });
    }
    await this.updateRun(initiator, (m) => {
      if (!m.isRunning() || !m.ms.externalRequests[String(request.initiatedEventId)]) return undefined;
      delete m.ms.externalRequests[String(request.initiatedEventId)];
      const target = { workflowId: request.workflowId, runId: request.runId };
      const common = { initiatedEventId: int64(request.initiatedEventId), namespace: request.namespace, workflowExecution: target };
      const notFound = enums.CancelExternalWorkflowExecutionFailedCause.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND;
      if (request.kind === 'signal') {
        m.add(
          delivered
            ? { externalWorkflowExecutionSignaledEventAttributes: { ...common, control: signal?.control ?? '' } }
            : {
                signalExternalWorkflowExecutionFailedEventAttributes: {
                  ...common,
                  cause: enums.SignalExternalWorkflowExecutionFailedCause.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
                  control: '',
                },
              },
        );
      } else {
        m.add(
          delivered
            ? { externalWorkflowExecutionCancelRequestedEventAttributes: common }
            : { requestCancelExternalWorkflowExecutionFailedEventAttributes: { ...common, cause: notFound, control: '' } },
        );
      }
      return true;
    });
  }

  /** Locked update of one run; `fn` returning undefined commits nothing. */
  private async updateRun<T>(ref: RunRef, fn: (m: RunMutator) => T | undefined): Promise<T | undefined> {
    return (await this.host.transactions.tryUpdate(ref, fn))?.value;
  }

  /**
   * Signal or cancel a run by id (the current run when runId is empty), as SignalWorkflowExecution /
   * RequestCancelWorkflowExecution do. False only when the target is really not there: no such run,
   * not running, or refused by `apply`; such an outcome commits nothing. Any other failure throws.
   */
  private async deliver(namespaceId: string, workflowId: string, runId: string, apply: (m: RunMutator) => boolean): Promise<boolean> {
    const { store, transactions } = this.host;
    const targetRunId = runId || (await store.getCurrentExecution(namespaceId, workflowId))?.runId;
    if (!targetRunId) return false;
    const done = await transactions.tryUpdate({ namespaceId, workflowId, runId: targetRunId }, (m) => (m.isRunning() && apply(m)) || undefined);
    return done?.value === true;
  }

  /** The namespace, or undefined if it does not exist; any other failure to resolve it throws, so the task is retried. */
  private async namespaceIfExists(name: string): Promise<NamespaceRecord | undefined> {
    try {
      return await this.host.namespaces.resolve(name);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }
}

function childCloseEvent(
  status: enums.WorkflowExecutionStatus,
  close: history.HistoryEvent | undefined,
  common: Record<string, unknown>,
): Parameters<RunMutator['add']>[0] {
  const S = enums.WorkflowExecutionStatus;
  switch (status) {
    case S.WORKFLOW_EXECUTION_STATUS_COMPLETED:
      return { childWorkflowExecutionCompletedEventAttributes: { ...common, result: close?.workflowExecutionCompletedEventAttributes?.result ?? null } };
    case S.WORKFLOW_EXECUTION_STATUS_FAILED:
      return {
        childWorkflowExecutionFailedEventAttributes: {
          ...common,
          failure: close?.workflowExecutionFailedEventAttributes?.failure ?? null,
          retryState: close?.workflowExecutionFailedEventAttributes?.retryState ?? enums.RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET,
        },
      };
    case S.WORKFLOW_EXECUTION_STATUS_CANCELED:
      return { childWorkflowExecutionCanceledEventAttributes: { ...common, details: close?.workflowExecutionCanceledEventAttributes?.details ?? null } };
    case S.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
      return {
        childWorkflowExecutionTimedOutEventAttributes: {
          ...common,
          retryState: close?.workflowExecutionTimedOutEventAttributes?.retryState ?? enums.RetryState.RETRY_STATE_TIMEOUT,
        },
      };
    default:
      return { childWorkflowExecutionTerminatedEventAttributes: common };
  }
}

function parentRoot(parent: MutableState, started: history.IWorkflowExecutionStartedEventAttributes | undefined): { workflowId: string; runId: string } {
  const root = started?.rootWorkflowExecution;
  return root?.workflowId ? { workflowId: root.workflowId, runId: root.runId ?? '' } : { workflowId: parent.workflowId, runId: parent.runId };
}
