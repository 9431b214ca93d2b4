import { randomUUID } from 'node:crypto';
import { taskNotFound } from '../../common/errors';
import {
  type IFailure,
  type IPayloads,
  type command,
  decodePayloads,
  encodePayloads,
  type history,
  msToDuration,
  msToTimestamp,
  toNumber,
  type workflowservice,
} from '../../common/proto';
import type { ActivityInfo, MutableState, NamespaceRecord } from '../../store/records';
import { cancelActivity, completeActivity, failActivityAttempt, isStarted, startActivityAttempt } from '../state/activity-state';
import { retryPolicyToProto } from '../state/retry';
import type { RunMutator } from '../state/mutator';
import type { DispatchTask } from '../dispatch/task-generator';
import { decodeActivityTaskToken, encodeTaskToken } from '../dispatch/task-token';
import type { TaskPoller } from '../dispatch/task-poller';
import { readEvent, type HistoryStore } from '../history-reader';
import type { RunTransactions } from '../transactions';
import type { EngineStats } from './engine-stats';

export interface ActivityTaskHost {
  transactions: RunTransactions;
  store: HistoryStore;
  poller: TaskPoller;
  stats: EngineStats;
  /** `system.enableActivityEagerExecution`: when off, eagerly requested activities go through matching like any other. */
  eagerExecution: boolean;
}

export interface HeartbeatAnswer {
  cancelRequested: boolean;
  activityPaused: boolean;
  activityReset: boolean;
}

/** What a worker gets for an activity attempt, whether polled or eagerly dispatched. */
export function activityTaskResponse(
  namespace: string,
  ms: MutableState,
  a: ActivityInfo,
  scheduled: history.IActivityTaskScheduledEventAttributes,
): workflowservice.IPollActivityTaskQueueResponse {
  return {
    taskToken: encodeTaskToken({
      kind: 'activity',
      namespaceId: ms.namespaceId,
      workflowId: ms.workflowId,
      runId: ms.runId,
      scheduledEventId: a.scheduledEventId,
      attempt: a.attempt,
      activityId: a.activityId,
    }),
    workflowNamespace: namespace,
    workflowType: { name: ms.workflowType },
    workflowExecution: { workflowId: ms.workflowId, runId: ms.runId },
    activityType: { name: a.activityType },
    activityId: a.activityId,
    header: scheduled.header ?? null,
    input: scheduled.input ?? null,
    heartbeatDetails: decodePayloads(a.heartbeatDetails) ?? null,
    scheduledTime: msToTimestamp(a.scheduledTime),
    currentAttemptScheduledTime: msToTimestamp(a.currentAttemptScheduledTime),
    startedTime: msToTimestamp(a.startedTime ?? a.currentAttemptScheduledTime),
    attempt: a.attempt,
    scheduleToCloseTimeout: msToDuration(a.scheduleToCloseMs),
    startToCloseTimeout: msToDuration(a.startToCloseMs),
    heartbeatTimeout: msToDuration(a.heartbeatMs),
    retryPolicy: retryPolicyToProto(a.retryPolicy),
    priority: a.priority ?? scheduled.priority ?? null,
  };
}

/** Activity tasks: dispatch to pollers, completions, failures with retries, heartbeats with cancellation. */
export class ActivityTasks {
  constructor(private readonly host: ActivityTaskHost) {}

  async pollActivityTaskQueue(
    ns: NamespaceRecord,
    req: workflowservice.IPollActivityTaskQueueRequest,
    signal?: AbortSignal,
  ): Promise<workflowservice.IPollActivityTaskQueueResponse> {
    return this.host.poller.poll(ns.id, 'activity', req.taskQueue?.name ?? '', req.identity ?? '', signal, (task) =>
      this.recordActivityTaskStarted(ns, task, req.identity ?? ''),
    );
  }

  private async recordActivityTaskStarted(
    ns: NamespaceRecord,
    task: DispatchTask,
    identity: string,
  ): Promise<workflowservice.IPollActivityTaskQueueResponse | undefined> {
    const result = await this.host.transactions.tryUpdate(task, (m) => {
      const a = m.activity(task.scheduledEventId);
      // A task made stale by a pause, a reset or a move to another queue is dropped, as Temporal's stamp check does.
      const stale = !a || isStarted(a) || a.cancelRequested || a.paused || a.attempt !== task.attempt || a.taskQueue !== task.taskQueue;
      if (!m.isRunning() || stale) return undefined;
      startActivityAttempt(m, a, randomUUID(), identity);
      return { ...a };
    });
    const a = result?.value;
    if (!result || !a || a.startedTime === undefined) return undefined;
    const { ms } = result;
    const scheduled = (await readEvent(this.host.store, ms.runId, a.scheduledEventId))?.activityTaskScheduledEventAttributes;
    return activityTaskResponse(ns.name, ms, a, scheduled ?? {});
  }

  /**
   * Eager activity dispatch: activities the completing worker asked to run itself (same task queue
   * as the workflow) are started in the completion's own transaction and handed back in its
   * response, saving the worker a poll and the server a match and a commit.
   */
  startEagerActivities(m: RunMutator, commands: command.ICommand[], identity: string): workflowservice.IPollActivityTaskQueueResponse[] {
    if (!this.host.eagerExecution || !m.isRunning()) return [];
    const eager: workflowservice.IPollActivityTaskQueueResponse[] = [];
    for (const event of m.events) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (!scheduled) continue;
      const cmd = commands.find((c) => c.scheduleActivityTaskCommandAttributes?.activityId === scheduled.activityId)?.scheduleActivityTaskCommandAttributes;
      const pending = m.ms.activities[String(toNumber(event.eventId))];
      if (!cmd?.requestEagerExecution || !pending || pending.taskQueue !== m.ms.taskQueue || isStarted(pending)) continue;
      const a = m.activity(pending.scheduledEventId);
      if (!a) continue;
      startActivityAttempt(m, a, randomUUID(), identity);
      eager.push(activityTaskResponse(m.namespaceName, m.ms, a, scheduled));
    }
    if (eager.length > 0) m.onCommit(() => (this.host.stats.eagerActivityTasks += eager.length));
    return eager;
  }

  respondActivityTaskCompleted(taskToken: Uint8Array | null | undefined, result: IPayloads | null | undefined, identity: string): Promise<void> {
    return this.updateActivity(taskToken, (m, a) => completeActivity(m, a, result, identity));
  }
  respondActivityTaskFailed(
    taskToken: Uint8Array | null | undefined,
    failure: IFailure | null | undefined,
    lastHeartbeatDetails: IPayloads | null | undefined,
    identity: string,
  ): Promise<void> {
    return this.updateActivity(taskToken, (m, a) => {
      if (lastHeartbeatDetails?.payloads?.length) a.heartbeatDetails = encodePayloads(lastHeartbeatDetails);
      failActivityAttempt(m, a, failure ?? { message: 'activity failed' }, identity);
    });
  }
  respondActivityTaskCanceled(taskToken: Uint8Array | null | undefined, details: IPayloads | null | undefined, identity: string): Promise<void> {
    return this.updateActivity(taskToken, (m, a) => cancelActivity(m, a, details, identity));
  }
  /** Records progress and tells the worker whether the activity was asked to cancel, paused or reset (the SDK then cancels the attempt). */
  async recordActivityTaskHeartbeat(taskToken: Uint8Array | null | undefined, details: IPayloads | null | undefined): Promise<HeartbeatAnswer> {
    let answer: HeartbeatAnswer = { cancelRequested: false, activityPaused: false, activityReset: false };
    await this.updateActivity(taskToken, (m, a) => {
      a.lastHeartbeatTime = m.now;
      if (details) a.heartbeatDetails = encodePayloads(details);
      answer = { cancelRequested: a.cancelRequested, activityPaused: a.paused === true, activityReset: a.activityReset === true };
    });
    return answer;
  }

  /** The *ById variants address the activity by workflow and activity id instead of a token. */
  async activityTokenById(ns: NamespaceRecord, workflowId: string, runId: string, activityId: string, identity: string): Promise<Uint8Array> {
    const ms = await this.host.transactions.load(ns.id, workflowId, runId);
    const a = Object.values(ms.activities).find((x) => x.activityId === activityId);
    if (!a) throw taskNotFound('Activity task');
    if (!isStarted(a)) {
      // Completing a never-started activity by id: record it as started by the caller first.
      await this.host.transactions.update(ms, (m) => {
        const pending = m.activity(a.scheduledEventId);
        if (pending && !isStarted(pending)) startActivityAttempt(m, pending, randomUUID(), identity);
      });
    }
    return encodeTaskToken({
      kind: 'activity',
      namespaceId: ns.id,
      workflowId: ms.workflowId,
      runId: ms.runId,
      scheduledEventId: a.scheduledEventId,
      attempt: a.attempt,
      activityId,
    });
  }
  private async updateActivity(taskToken: Uint8Array | null | undefined, fn: (m: RunMutator, a: ActivityInfo) => void): Promise<void> {
    const token = decodeActivityTaskToken(taskToken);
    await this.host.transactions.update(token, (m) => {
      const a = m.activity(token.scheduledEventId);
      if (!m.isRunning() || !a || a.attempt !== token.attempt || !isStarted(a)) throw taskNotFound('Activity task');
      fn(m, a);
    });
  }
}
