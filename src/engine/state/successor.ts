import { randomUUID } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import { invalidArgument } from '../../common/errors';
import {
  decodeMemo,
  decodeSearchAttributes,
  durationToMs,
  enums,
  msToDuration,
  type command,
  type history,
  type IFailure,
  type IPayloads,
  type workflowservice,
} from '../../common/proto';
import { rootOf, type MutableState } from '../../store/records';
import { decideRetry, retryPolicyToProto } from './retry';
import type { RunSpec } from './run-factory';
import type { SuccessorPlan } from './mutator';

/**
 * A failed or timed-out run: retried per its retry policy, else the next cron run, else nothing.
 * Temporal's GetRetryBackoffDuration: a run started without a retry policy reports RETRY_POLICY_NOT_SET.
 */
export function planAfterFailure(ms: MutableState, failure: IFailure, now: number): { plan?: SuccessorPlan; retryState: enums.RetryState } {
  if (ms.retryPolicy) {
    const decision = decideRetry(ms.retryPolicy, ms.attempt, failure, now, ms.executionExpirationTime ?? 0, 'workflow');
    if (decision.retry) {
      return {
        plan: {
          runId: randomUUID(),
          initiator: enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY,
          backoffMs: decision.delayMs,
          attempt: ms.attempt + 1,
          continuedFailure: failure,
        },
        retryState: enums.RetryState.RETRY_STATE_IN_PROGRESS,
      };
    }
    const cron = planCron(ms, now, { continuedFailure: failure });
    return { plan: cron, retryState: decision.retryState };
  }
  return { plan: planCron(ms, now, { continuedFailure: failure }), retryState: enums.RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET };
}

export function planAfterCompletion(ms: MutableState, result: IPayloads | null | undefined, now: number): SuccessorPlan | undefined {
  return planCron(ms, now, { lastCompletionResult: result ?? null });
}

function planCron(ms: MutableState, now: number, carry: Pick<SuccessorPlan, 'lastCompletionResult' | 'continuedFailure'>): SuccessorPlan | undefined {
  if (!ms.cronSchedule) return undefined;
  return {
    runId: randomUUID(),
    initiator: enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE,
    backoffMs: cronBackoffMs(ms.cronSchedule, now, ms.executionTime),
    attempt: 1,
    ...carry,
  };
}

export function planContinueAsNew(attrs: command.IContinueAsNewWorkflowExecutionCommandAttributes): SuccessorPlan {
  return {
    runId: randomUUID(),
    initiator: attrs.initiator || enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
    backoffMs: durationToMs(attrs.backoffStartInterval),
    attempt: 1,
    lastCompletionResult: attrs.lastCompletionResult ?? null,
    continuedFailure: attrs.failure ?? null,
    continueAsNew: attrs,
  };
}

/**
 * Temporal's GetBackoffForNextSchedule: from `now` to the schedule's first instant after the run's scheduled time that is
 * not before now (UTC), rounded up to whole seconds. `@every` counts from the scheduled time (robfig's constant delay,
 * which drops the fraction of a second), so a first run waits one whole period.
 */
export function cronBackoffMs(schedule: string, now: number, scheduledTime = now): number {
  if (now < scheduledTime) return Math.ceil((scheduledTime - now) / 1000) * 1000;
  const every = /^@every\s+(.+)$/.exec(schedule.trim());
  let next: number;
  if (every?.[1]) {
    const period = parseGoDuration(every[1]);
    const step = (t: number): number => t - (t % 1000) + period;
    next = step(scheduledTime);
    while (next < now) next = step(next);
  } else {
    try {
      next = CronExpressionParser.parse(schedule, { currentDate: new Date(now), tz: 'UTC' })
        .next()
        .getTime();
    } catch (err) {
      throw invalidArgument(`Invalid CronSchedule: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return Math.ceil((next - now) / 1000) * 1000;
}

function parseGoDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let consumed = 0;
  for (let match = re.exec(text); match; match = re.exec(text)) {
    total += Number(match[1]) * (units[match[2] ?? 's'] ?? 0);
    consumed += match[0].length;
  }
  if (consumed !== text.trim().length || total <= 0) throw invalidArgument(`Invalid CronSchedule duration: ${text}`);
  return total;
}

/** The successor's spec: the closing run's own settings, overridden by a continue-as-new command. */
export function successorSpec(ms: MutableState, plan: SuccessorPlan, started: history.IWorkflowExecutionStartedEventAttributes): RunSpec {
  const can = plan.continueAsNew;
  const request: workflowservice.IStartWorkflowExecutionRequest = {
    workflowId: ms.workflowId,
    workflowType: can?.workflowType?.name ? can.workflowType : started.workflowType,
    taskQueue: can?.taskQueue?.name ? can.taskQueue : started.taskQueue,
    input: can ? can.input : started.input,
    workflowExecutionTimeout: started.workflowExecutionTimeout,
    workflowRunTimeout: can?.workflowRunTimeout && durationToMs(can.workflowRunTimeout) > 0 ? can.workflowRunTimeout : msToDuration(ms.workflowRunTimeoutMs),
    workflowTaskTimeout:
      can?.workflowTaskTimeout && durationToMs(can.workflowTaskTimeout) > 0 ? can.workflowTaskTimeout : msToDuration(ms.workflowTaskTimeoutMs),
    header: can?.header ?? started.header,
    // A retry or cron run starts as the first one did (Temporal's SetupNewWorkflowForRetryOrCron uses
    // the start's memo and search attributes); a continue-as-new keeps what the run has now unless it says otherwise.
    memo: can ? (can.memo ?? { fields: decodeMemo(ms.memo) }) : started.memo,
    searchAttributes: can ? (can.searchAttributes ?? { indexedFields: decodeSearchAttributes(ms.searchAttributes) }) : started.searchAttributes,
    retryPolicy: can?.retryPolicy ?? (ms.retryPolicy ? retryPolicyToProto(ms.retryPolicy) : null),
    cronSchedule: can?.cronSchedule ?? ms.cronSchedule ?? '',
    identity: started.identity,
  };
  return {
    namespaceId: ms.namespaceId,
    request,
    requestId: randomUUID(),
    runId: plan.runId,
    firstExecutionRunId: ms.firstExecutionRunId,
    continuedExecutionRunId: ms.runId,
    initiator: plan.initiator,
    attempt: plan.attempt,
    firstWorkflowTaskBackoffMs: plan.backoffMs,
    // A retry, or a cron run after a failure, carries the last good result on (Temporal's SetupNewWorkflowForRetryOrCron).
    lastCompletionResult: plan.lastCompletionResult !== undefined ? plan.lastCompletionResult : started.lastCompletionResult,
    continuedFailure: plan.continuedFailure,
    executionExpirationTime: ms.executionExpirationTime,
    parent: ms.parent,
    // A child's chain keeps its root; a top-level chain's next run is its own root, as in Temporal.
    rootExecution: ms.parent ? rootOf(ms) : undefined,
  };
}
