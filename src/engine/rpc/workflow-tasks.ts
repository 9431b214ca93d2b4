import { randomUUID } from 'node:crypto';
import type { ServiceError } from '../../common/errors';
import { invalidArgument, taskNotFound } from '../../common/errors';
import {
  ENCODED_HISTORY,
  type EncodedHistory,
  durationToMs,
  enums,
  history,
  int64,
  msToTimestamp,
  temporal,
  type command,
  type workflowservice,
} from '../../common/proto';
import type { MutableState, NamespaceRecord, WorkflowTaskInfo } from '../../store/records';
import type { ExecutionStore } from '../../store/store';
import type { Matching } from '../dispatch/matching';
import type { DispatchTask } from '../dispatch/task-generator';
import type { TaskPoller } from '../dispatch/task-poller';
import { decodeWorkflowTaskToken, encodeTaskToken } from '../dispatch/task-token';
import { BadCommandError, applyCommands } from '../state/commands';
import { terminateExecution } from '../state/execution';
import type { RunMutator } from '../state/mutator';
import {
  type CompletionMetadata,
  completeWorkflowTask,
  failWorkflowTask,
  retryWorkflowTask,
  scheduleWorkflowTask,
  startWorkflowTask,
  transientWorkflowTaskEvents,
} from '../state/workflow-task-state';
import type { RunTransactions } from '../transactions';
import type { EngineStats } from './engine-stats';
import type { QueryHandling } from './queries/queries';
import { UpdateProtocol } from './updates/update-protocol';
import type { UpdateRegistry } from './updates/update-registry';
import type { SearchAttributeRegistry } from '../../visibility/search-attributes';
import { validateSearchAttributes } from '../../visibility/search-attribute-values';
import { encodePageToken } from './history-page-token';
import { workflowTaskIdentity } from './workflow-task-identity';

export interface WorkflowTaskHost {
  transactions: RunTransactions;
  store: Pick<ExecutionStore, 'getMutableState' | 'readHistory'>;
  poller: TaskPoller;
  matching: Pick<Matching, 'retire' | 'offer'>;
  queries: Pick<QueryHandling, 'queryTaskResponse' | 'attachBufferedQueries' | 'answerQueries'>;
  updates: UpdateRegistry;
  stats: EngineStats;
  /** `limit.historyMaxPageSize`: the events a poll response carries; the worker reads the rest by its nextPageToken. */
  historyPageSize: number;
  /** The registered types commands' search attributes are checked against. */
  searchAttributes: Pick<SearchAttributeRegistry, 'validationTypes' | 'limits'>;
  /** Eager activity dispatch: starts the activities the completing worker asked to run itself. */
  startEagerActivities(m: RunMutator, commands: command.ICommand[], identity: string): workflowservice.IPollActivityTaskQueueResponse[];
  /** A task failed or timed out: what rode on it waits for the next attempt. */
  onWorkflowTaskFailure(runId: string): void;
  /** A workflow task left a retired sticky queue: it is re-dispatched to the normal queue now. */
  onStickyTaskOrphaned(task: DispatchTask): void;
}

type Reply<T> = { value: T } | { error: ServiceError };

const CLOSE_COMMANDS = new Set<number>([
  enums.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
  enums.CommandType.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION,
  enums.CommandType.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION,
  enums.CommandType.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
]);

function requireStartedWorkflowTask(
  m: RunMutator,
  token: { scheduledEventId: number; attempt: number; startedEventId: number },
): NonNullable<MutableState['workflowTask']> {
  const wt = m.ms.workflowTask;
  if (!m.isRunning() || !wt || wt.startedEventId !== token.startedEventId || wt.attempt !== token.attempt || wt.scheduledEventId !== token.scheduledEventId) {
    throw taskNotFound('Workflow task');
  }
  return wt;
}

/**
 * The worker's deployment as WorkflowTaskCompleted records it (Temporal's workflowTaskStateMachine
 * AddWorkflowTaskCompletedEvent): the deployment name whatever the versioning mode; the version only
 * for a versioned worker with both a name and a build ID (worker_versioning.DeploymentOrVersion); the
 * behaviour cleared for an unversioned one. sdk-core reads these back as the task's build ID on replay.
 */
function completionVersioning(
  req: workflowservice.IRespondWorkflowTaskCompletedRequest,
): Pick<CompletionMetadata, 'workerDeploymentName' | 'deploymentVersion' | 'versioningBehavior'> {
  const options = req.deploymentOptions;
  const versioned = options?.workerVersioningMode === enums.WorkerVersioningMode.WORKER_VERSIONING_MODE_VERSIONED;
  const deployment = versioned ? { seriesName: options.deploymentName ?? '', buildId: options.buildId ?? '' } : req.deployment;
  const valid = !!deployment?.seriesName && !!deployment.buildId;
  return {
    workerDeploymentName: options?.deploymentName || req.deployment?.seriesName || '',
    deploymentVersion: valid ? { deploymentName: deployment.seriesName, buildId: deployment.buildId } : null,
    versioningBehavior: options && !versioned ? enums.VersioningBehavior.VERSIONING_BEHAVIOR_UNSPECIFIED : (req.versioningBehavior ?? undefined),
  };
}

/** Temporal's workflowTaskFailedCause.Message(): the cause's shorthand name (`BadScheduleActivityAttributes`), then the reason. */
function failedCauseMessage(cause: enums.WorkflowTaskFailedCause, message: string): string {
  const name = (enums.WorkflowTaskFailedCause[cause] ?? '').replace('WORKFLOW_TASK_FAILED_CAUSE_', '');
  const shorthand = name.toLowerCase().replace(/(^|_)([a-z])/g, (_, __: string, c: string) => c.toUpperCase());
  return `${shorthand}: ${message}`;
}

/**
 * A command Temporal will not apply however often the task is retried (a payload over the blob size
 * limit): on the first attempt the task fails and the run is terminated with the same message, by the
 * history service; a later attempt is left to time out, as any rejected completion.
 */
function terminateForCommand(m: RunMutator, attempt: number, err: BadCommandError, identity: string): Reply<never> {
  const message = failedCauseMessage(err.failedCause, err.message);
  if (attempt === 1) {
    failWorkflowTask(m, err.failedCause, { message, serverFailureInfo: { nonRetryable: false } }, identity);
    terminateExecution(m, message, null, 'history-service');
  }
  return { error: invalidArgument(message) };
}

/** Workflow tasks: dispatch to pollers (with sticky partial history, queries and update messages) and completions. */
export class WorkflowTasks {
  constructor(private readonly host: WorkflowTaskHost) {}

  async pollWorkflowTaskQueue(
    ns: NamespaceRecord,
    req: workflowservice.IPollWorkflowTaskQueueRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IPollWorkflowTaskQueueResponse> {
    return this.host.poller.poll(ns.id, 'workflow', req.taskQueue?.name ?? '', req.identity ?? '', signal, (task) => {
      if (task.queryId) return this.host.queries.queryTaskResponse(task);
      if (task.startedRequestId) return this.startedTaskResponse(task);
      return this.recordWorkflowTaskStarted(task, req);
    });
  }

  private async recordWorkflowTaskStarted(
    task: DispatchTask,
    req: workflowservice.IPollWorkflowTaskQueueRequest,
  ): Promise<(workflowservice.IPollWorkflowTaskQueueResponse & EncodedHistory) | undefined> {
    const result = await this.host.transactions.tryUpdate(task, (m) => {
      const wt = m.ms.workflowTask;
      if (!m.isRunning() || !wt || wt.startedEventId !== undefined || wt.attempt !== task.attempt || wt.scheduledEventId !== task.scheduledEventId) {
        return undefined;
      }
      // A sticky task handed to a normal poller (its sticky worker shut down): the run is no longer sticky,
      // and the new worker gets the full history (Temporal's RecordWorkflowTaskStarted clears stickiness so).
      if (wt.sticky && req.taskQueue?.name !== wt.taskQueue) {
        wt.sticky = false;
        wt.taskQueue = m.ms.taskQueue;
        m.ms.stickyTaskQueue = undefined;
      }
      return startWorkflowTask(m, randomUUID(), req.identity ?? '');
    });
    if (!result) return undefined;
    const { ms, value: wt } = result;
    if (!wt || wt.startedEventId === undefined) return undefined;
    return this.taskResponse(ms, wt);
  }

  /** A task started for this poller in the transaction that scheduled it (sync match): only the response is left to build. */
  private async startedTaskResponse(task: DispatchTask): Promise<(workflowservice.IPollWorkflowTaskQueueResponse & EncodedHistory) | undefined> {
    const ms = await this.host.store.getMutableState(task.namespaceId, task.workflowId, task.runId);
    const wt = ms?.workflowTask;
    if (!ms || !wt || wt.startedEventId === undefined || wt.requestId !== task.startedRequestId) return undefined;
    return this.taskResponse(ms, wt);
  }

  /** The response a poller would be given for a workflow task already started (eager workflow start). */
  startedWorkflowTaskResponse(ms: MutableState, wt: WorkflowTaskInfo): Promise<workflowservice.IPollWorkflowTaskQueueResponse & EncodedHistory> {
    return this.taskResponse(ms, wt);
  }

  /** The poll response for a started workflow task: history (partial for a sticky worker), queries and update requests riding on it. */
  private async taskResponse(ms: MutableState, wt: WorkflowTaskInfo): Promise<workflowservice.IPollWorkflowTaskQueueResponse & EncodedHistory> {
    const startedEventId = wt.startedEventId ?? 0;
    // A sticky worker has the run cached up to its last task: it gets only what is new.
    const firstEventId = wt.sticky ? ms.lastCompletedWorkflowTaskStartedEventId + 1 : 1;
    if (firstEventId === 1) this.host.stats.fullHistoryWorkflowTasks++;
    // Past a page, the rest (and a transient attempt's events, which end the history) is read by nextPageToken.
    const pageSize = this.host.historyPageSize;
    const persisted = await this.host.store.readHistory(ms.runId, firstEventId, ms.nextEventId, pageSize);
    const more = firstEventId + persisted.length < ms.nextEventId;
    const transient = more
      ? []
      : transientWorkflowTaskEvents({ ms, limits: this.host.transactions.limits }, wt).map((e) => history.HistoryEvent.encode(e).finish());
    const queries = this.host.queries.attachBufferedQueries(ms.runId);
    const messages = this.host.updates.forRun(ms.runId, 'admitted').map((u) => {
      u.stage = 'sent';
      return {
        id: `${u.updateId}/request`,
        protocolInstanceId: u.updateId,
        eventId: int64(startedEventId - 1),
        body: { type_url: 'type.googleapis.com/temporal.api.update.v1.Request', value: temporal.api.update.v1.Request.encode(u.request).finish() },
      };
    });
    return {
      ...workflowTaskIdentity(ms),
      taskToken: encodeTaskToken({
        kind: 'workflow',
        namespaceId: ms.namespaceId,
        workflowId: ms.workflowId,
        runId: ms.runId,
        scheduledEventId: wt.scheduledEventId,
        attempt: wt.attempt,
        startedEventId,
      }),
      startedEventId: int64(startedEventId),
      attempt: wt.attempt,
      [ENCODED_HISTORY]: [...persisted, ...transient],
      nextPageToken: more ? encodePageToken(ms.runId, firstEventId + persisted.length, ms.nextEventId) : new Uint8Array(),
      scheduledTime: msToTimestamp(wt.scheduledTime),
      startedTime: msToTimestamp(wt.startedTime ?? wt.scheduledTime),
      queries,
      messages,
    };
  }
  async respondWorkflowTaskCompleted(
    req: workflowservice.IRespondWorkflowTaskCompletedRequest,
  ): Promise<workflowservice.IRespondWorkflowTaskCompletedResponse> {
    const token = decodeWorkflowTaskToken(req.taskToken);
    const identity = req.identity ?? '';
    const saTypes = await this.host.searchAttributes.validationTypes(token.namespaceId);
    const checkSearchAttributes = (fields: Parameters<typeof validateSearchAttributes>[0]): ReturnType<typeof validateSearchAttributes> =>
      validateSearchAttributes(fields, saTypes, this.host.searchAttributes.limits);
    const reply = await this.host.transactions
      .update<Reply<workflowservice.IRespondWorkflowTaskCompletedResponse>>(token, (m) => {
        const wt = requireStartedWorkflowTask(m, token);
        const commands = req.commands ?? [];
        const closes = commands.some((c) => CLOSE_COMMANDS.has(c.commandType ?? 0));
        if (closes && m.hasBufferedEvents()) {
          // New events arrived while the worker decided to close: it must see them first.
          return this.rejectCompletion(m, wt.attempt, enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND, 'UnhandledCommand', identity);
        }
        const completedId = completeWorkflowTask(m, {
          identity,
          binaryChecksum: req.binaryChecksum,
          sdkMetadata: req.sdkMetadata,
          meteringMetadata: req.meteringMetadata,
          workerVersion: req.workerVersionStamp,
          ...completionVersioning(req),
        });
        const stickyQueue = req.stickyAttributes?.workerTaskQueue?.name;
        m.ms.stickyTaskQueue = stickyQueue || undefined;
        m.ms.stickyScheduleToStartTimeoutMs = stickyQueue ? durationToMs(req.stickyAttributes?.scheduleToStartTimeout) || 10_000 : undefined;
        const protocol = new UpdateProtocol(m, this.host.updates, req.messages ?? []);
        const outcome = applyCommands(m, commands, completedId, (id) => protocol.apply(id), checkSearchAttributes);
        protocol.applyRemaining();
        if (outcome.needsWorkflowTask || req.forceCreateNewWorkflowTask || this.host.updates.forRun(m.ms.runId, 'admitted').length > 0) {
          m.flushBuffer();
          scheduleWorkflowTask(m);
        }
        m.onCommit(() => protocol.commit(!req.forceCreateNewWorkflowTask));
        return { value: { activityTasks: this.host.startEagerActivities(m, commands, identity) } };
      })
      .catch(async (err: unknown) => {
        if (!(err instanceof BadCommandError)) throw err;
        // A rejected command rolls back the whole completion: only the task failure is written.
        return this.host.transactions.update<Reply<workflowservice.IRespondWorkflowTaskCompletedResponse>>(token, (m) => {
          const wt = requireStartedWorkflowTask(m, token);
          if (err.terminatesWorkflow) return terminateForCommand(m, wt.attempt, err, identity);
          return this.rejectCompletion(m, wt.attempt, err.failedCause, err.message, identity);
        });
      });
    this.host.queries.answerQueries(req.queryResults);
    if ('error' in reply) {
      this.host.onWorkflowTaskFailure(token.runId);
      throw reply.error;
    }
    return reply.value;
  }
  /**
   * Fails the task for a completion the server will not apply. Attempt 1 writes WorkflowTaskFailed
   * and a new task follows; later attempts are left to time out, as Temporal does.
   */
  private rejectCompletion(m: RunMutator, attempt: number, cause: enums.WorkflowTaskFailedCause, message: string, identity: string): Reply<never> {
    if (attempt === 1 || m.hasBufferedEvents()) {
      const next = failWorkflowTask(m, cause, { message, source: 'Hourglass' }, identity);
      retryWorkflowTask(m, next);
    }
    return { error: invalidArgument(message) };
  }
  async respondWorkflowTaskFailed(req: workflowservice.IRespondWorkflowTaskFailedRequest): Promise<void> {
    const token = decodeWorkflowTaskToken(req.taskToken);
    await this.host.transactions.update(token, (m) => {
      requireStartedWorkflowTask(m, token);
      const cause = req.cause ?? enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED;
      retryWorkflowTask(m, failWorkflowTask(m, cause, req.failure, req.identity ?? ''));
    });
    this.host.onWorkflowTaskFailure(token.runId);
  }

  /**
   * A worker went away: its sticky queue is retired and the runs waiting on it move to the normal queue.
   * Knowing that queue (`taskQueue`, sent by SDKs since ShutdownWorker carries it), the sticky queue's tasks,
   * waiting or yet to come (a completion the worker sends while draining), are served from it at once, with
   * no timeout in history, as Temporal's matching answers StickyWorkerUnavailable and history falls back.
   */
  shutdownWorker(ns: NamespaceRecord, stickyTaskQueue: string, taskQueue = ''): void {
    if (!stickyTaskQueue) return;
    for (const task of this.host.matching.retire(ns.id, 'workflow', stickyTaskQueue, taskQueue)) {
      if (taskQueue) this.host.matching.offer(task);
      else this.host.onStickyTaskOrphaned(task);
    }
  }

  async resetStickyTaskQueue(ns: NamespaceRecord, execution: { workflowId?: string | null; runId?: string | null }): Promise<void> {
    const ms = await this.host.transactions.load(ns.id, execution.workflowId ?? '', execution.runId ?? '');
    await this.host.transactions.update(ms, (m) => {
      m.ms.stickyTaskQueue = undefined;
    });
  }
}
