/**
 * The run that follows a closing one in the same chain (same workflow ID): a retry of a failed run,
 * the next run of a cron schedule, or a continue-as-new; and what it carries over, as Temporal's
 * SetupNewWorkflowForRetryOrCron and AddContinueAsNewEvent do.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceError } from '../../../src/common/errors';
import { durationToMs, enums, msToDuration, timestampToMs, type history, type workflowservice } from '../../../src/common/proto';
import { decodeMemo, decodeSearchAttributes, encodeMemo, encodeSearchAttributes } from '../../../src/common/proto';
import type { SuccessorPlan } from '../../../src/engine/state/mutator';
import { createRun } from '../../../src/engine/state/run-factory';
import { cronBackoffMs, planAfterCompletion, planAfterFailure, planContinueAsNew, successorSpec } from '../../../src/engine/state/successor';
import type { MutableState } from '../../../src/store/records';
import { HOUR, MINUTE, SECOND, T0, applicationFailure, commit, jsonPayload, newRun, typesOf } from '../fixtures';

const R = enums.RetryState;
const Initiator = enums.ContinueAsNewInitiator;

/** A committed run and its WorkflowExecutionStarted attributes. */
function run(
  request: workflowservice.IStartWorkflowExecutionRequest = {},
  spec: Parameters<typeof newRun>[1] = {},
): { ms: MutableState; started: history.IWorkflowExecutionStartedEventAttributes } {
  const m = newRun(request, spec);
  const started = m.events[0]?.workflowExecutionStartedEventAttributes;
  assert.ok(started);
  return { ms: commit(m), started };
}

const retryPolicy = (maximumAttempts: number, initialSeconds = 1): workflowservice.IStartWorkflowExecutionRequest['retryPolicy'] => ({
  initialInterval: msToDuration(initialSeconds * SECOND),
  maximumAttempts,
});

const failure = applicationFailure('Boom');
const NOW = T0 + 10 * SECOND;

describe('after a failure: retry policy, else cron, else nothing', () => {
  test('no retry policy and no cron schedule: no next run, RETRY_POLICY_NOT_SET', () => {
    assert.deepEqual(planAfterFailure(run().ms, failure, NOW), { plan: undefined, retryState: R.RETRY_STATE_RETRY_POLICY_NOT_SET });
  });

  test('a retry policy with attempts left: a RETRY run at the next attempt after the backoff, carrying the failure (IN_PROGRESS)', () => {
    const { plan, retryState } = planAfterFailure(run({ retryPolicy: retryPolicy(5, 2) }).ms, failure, NOW);
    assert.equal(retryState, R.RETRY_STATE_IN_PROGRESS);
    assert.ok(plan);
    assert.equal(plan.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_RETRY);
    assert.equal(plan.attempt, 2);
    assert.equal(plan.backoffMs, 2 * SECOND);
    assert.deepEqual(plan.continuedFailure, failure);
    assert.match(plan.runId, /^[0-9a-f-]{36}$/);
  });

  test("the retry backoff grows with the failed run's attempt", () => {
    const { plan } = planAfterFailure(run({ retryPolicy: retryPolicy(0, 1) }, { attempt: 4 }).ms, failure, NOW);
    assert.equal(plan?.attempt, 5);
    assert.equal(plan?.backoffMs, 8 * SECOND);
  });

  test('retries exhausted and no cron schedule: no next run, MAXIMUM_ATTEMPTS_REACHED', () => {
    assert.deepEqual(planAfterFailure(run({ retryPolicy: retryPolicy(3) }, { attempt: 3 }).ms, failure, NOW), {
      plan: undefined,
      retryState: R.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED,
    });
  });

  test('a retry policy with maximumAttempts 1: no next run, MAXIMUM_ATTEMPTS_REACHED (only a run without a policy gets RETRY_POLICY_NOT_SET)', () => {
    assert.deepEqual(planAfterFailure(run({ retryPolicy: retryPolicy(1) }).ms, failure, NOW), {
      plan: undefined,
      retryState: R.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED,
    });
  });

  test('a run timeout listed as "TemporalTimeout:StartToClose" is not retried: NON_RETRYABLE_FAILURE', () => {
    const runTimeout = { message: 'workflow run timed out', timeoutFailureInfo: { timeoutType: enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE } };
    const listed = run({ retryPolicy: { nonRetryableErrorTypes: ['TemporalTimeout:StartToClose'] } }).ms;
    assert.deepEqual(planAfterFailure(listed, runTimeout, NOW), { plan: undefined, retryState: R.RETRY_STATE_NON_RETRYABLE_FAILURE });
    assert.equal(planAfterFailure(run({ retryPolicy: retryPolicy(0) }).ms, runTimeout, NOW).retryState, R.RETRY_STATE_IN_PROGRESS);
  });

  test('retries exhausted with a cron schedule: the next cron run, attempt 1, carrying the failure; the retry state stays MAXIMUM_ATTEMPTS_REACHED', () => {
    const { plan, retryState } = planAfterFailure(run({ retryPolicy: retryPolicy(2), cronSchedule: '0 * * * *' }, { attempt: 2 }).ms, failure, NOW);
    assert.equal(retryState, R.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
    assert.equal(plan?.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
    assert.equal(plan?.attempt, 1);
    assert.equal(plan?.backoffMs, HOUR - 10 * SECOND);
    assert.deepEqual(plan?.continuedFailure, failure);
  });

  test('a non-retryable failure of a cron workflow goes to the next cron run (NON_RETRYABLE_FAILURE)', () => {
    const { plan, retryState } = planAfterFailure(run({ retryPolicy: { nonRetryableErrorTypes: ['Boom'] }, cronSchedule: '0 * * * *' }).ms, failure, NOW);
    assert.equal(retryState, R.RETRY_STATE_NON_RETRYABLE_FAILURE);
    assert.equal(plan?.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
  });

  test('a cron workflow without a retry policy goes to the next cron run (RETRY_POLICY_NOT_SET)', () => {
    const { plan, retryState } = planAfterFailure(run({ cronSchedule: '0 * * * *' }).ms, failure, NOW);
    assert.equal(retryState, R.RETRY_STATE_RETRY_POLICY_NOT_SET);
    assert.equal(plan?.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
    assert.deepEqual(plan?.continuedFailure, failure);
  });

  test("a workflow retry waits the failure's nextRetryDelay, capped at the retry policy's maximum interval (Temporal getBackoffInterval)", () => {
    const { ms } = run({ retryPolicy: { initialInterval: msToDuration(SECOND), maximumInterval: msToDuration(MINUTE) } });
    assert.equal(planAfterFailure(ms, applicationFailure('Later', { nextRetryDelayMs: HOUR }), NOW).plan?.backoffMs, MINUTE);
    assert.equal(planAfterFailure(ms, applicationFailure('Sooner', { nextRetryDelayMs: 5 * SECOND }), NOW).plan?.backoffMs, 5 * SECOND);
  });

  test('a retry that would start after the workflow execution timeout is not made: TIMEOUT', () => {
    const { ms } = run({ retryPolicy: retryPolicy(0, 60), workflowExecutionTimeout: msToDuration(30 * SECOND) });
    assert.deepEqual(planAfterFailure(ms, failure, NOW), { plan: undefined, retryState: R.RETRY_STATE_TIMEOUT });
  });
});

describe('after a completion: cron, else nothing', () => {
  const result = { payloads: [jsonPayload('ok')] };

  test('a completed run without a cron schedule has no next run', () => {
    assert.equal(planAfterCompletion(run().ms, result, NOW), undefined);
  });

  test('a completed cron run is followed by the next cron run, attempt 1, with its result as last completion result', () => {
    const plan = planAfterCompletion(run({ cronSchedule: '*/15 * * * *' }).ms, result, NOW);
    assert.ok(plan);
    assert.equal(plan.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
    assert.equal(plan.attempt, 1);
    assert.deepEqual(plan.lastCompletionResult, result);
    assert.equal(plan.backoffMs, 15 * MINUTE - 10 * SECOND);
  });

  test('a cron run that was a retry (attempt 3) is followed by a cron run at attempt 1', () => {
    const plan = planAfterCompletion(run({ cronSchedule: '*/15 * * * *', retryPolicy: retryPolicy(5) }, { attempt: 3 }).ms, result, NOW);
    assert.equal(plan?.attempt, 1);
  });

  test('@every counts from the run’s scheduled time, not from the epoch', () => {
    const { ms } = run({ cronSchedule: '@every 1h' });
    const scheduled: MutableState = { ...ms, executionTime: T0 + 17 * MINUTE + 30 * SECOND };
    const plan = planAfterCompletion(scheduled, result, T0 + 20 * MINUTE);
    assert.equal(plan?.backoffMs, 57 * MINUTE + 30 * SECOND);
  });
});

describe('continue-as-new', () => {
  test('a continue-as-new starts attempt 1, initiated by the WORKFLOW, after its backoffStartInterval, carrying its last completion result and failure', () => {
    const lastCompletionResult = { payloads: [jsonPayload(1)] };
    const plan = planContinueAsNew({ backoffStartInterval: msToDuration(5 * SECOND), lastCompletionResult, failure });
    assert.equal(plan.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW);
    assert.equal(plan.attempt, 1);
    assert.equal(plan.backoffMs, 5 * SECOND);
    assert.deepEqual(plan.lastCompletionResult, lastCompletionResult);
    assert.deepEqual(plan.continuedFailure, failure);
  });

  test('without a backoffStartInterval the new run starts at once; an explicit initiator is kept', () => {
    const plan = planContinueAsNew({ initiator: Initiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE });
    assert.equal(plan.backoffMs, 0);
    assert.equal(plan.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
  });
});

describe('cronBackoffMs: time to the next instant of the schedule', () => {
  test('a standard five-field schedule waits for its next instant', () => {
    assert.equal(cronBackoffMs('*/15 * * * *', T0 + 7 * MINUTE + 30 * SECOND), 7 * MINUTE + 30 * SECOND);
  });

  test('schedules are read in UTC', () => {
    assert.equal(cronBackoffMs('0 9 * * *', T0), 9 * HOUR);
  });

  test('a run ending exactly on an instant of the schedule waits for the next one', () => {
    assert.equal(cronBackoffMs('0 * * * *', T0), HOUR);
  });

  test('@every takes a Go duration', () => {
    assert.equal(cronBackoffMs('@every 90s', T0), 90 * SECOND);
    assert.equal(cronBackoffMs('@every 1h30m', T0), 90 * MINUTE);
  });

  test('an invalid schedule is an INVALID_ARGUMENT', () => {
    for (const schedule of ['not a cron', '@every 5x', '@every']) {
      assert.throws(
        () => cronBackoffMs(schedule, T0),
        (err: unknown) => err instanceof ServiceError && err.code === 'INVALID_ARGUMENT',
        schedule,
      );
    }
  });
});

describe('successorSpec: what the next run is started with', () => {
  const memo = { fields: { owner: jsonPayload('ops') } };
  const searchAttributes = { indexedFields: { CustomKeywordField: jsonPayload('k') } };
  const request: workflowservice.IStartWorkflowExecutionRequest = {
    input: { payloads: [jsonPayload({ order: 1 })] },
    header: { fields: { trace: jsonPayload('t-1') } },
    workflowExecutionTimeout: msToDuration(HOUR),
    workflowRunTimeout: msToDuration(10 * MINUTE),
    workflowTaskTimeout: msToDuration(5 * SECOND),
    memo,
    searchAttributes,
    retryPolicy: retryPolicy(5, 2),
    cronSchedule: '0 * * * *',
  };
  const parent = { namespaceId: 'parent-ns-id', namespace: 'parent-ns', workflowId: 'parent', runId: 'parent-run', initiatedEventId: 5 };

  function retryPlan(ms: MutableState): SuccessorPlan {
    const { plan } = planAfterFailure(ms, failure, NOW);
    assert.ok(plan);
    return plan;
  }

  test('a retry keeps the workflow, its input, header, timeouts, retry policy and cron schedule, and joins the chain', () => {
    const { ms, started } = run(request, { parent });
    const plan = retryPlan(ms);
    const spec = successorSpec(ms, plan, started);
    assert.equal(spec.namespaceId, ms.namespaceId);
    assert.equal(spec.runId, plan.runId);
    assert.equal(spec.request.workflowId, ms.workflowId);
    assert.equal(spec.request.workflowType?.name, 'MyWorkflow');
    assert.equal(spec.request.taskQueue?.name, ms.taskQueue);
    assert.deepEqual(spec.request.input, request.input);
    assert.deepEqual(spec.request.header, request.header);
    assert.equal(durationToMs(spec.request.workflowExecutionTimeout), HOUR);
    assert.equal(durationToMs(spec.request.workflowRunTimeout), 10 * MINUTE);
    assert.equal(durationToMs(spec.request.workflowTaskTimeout), 5 * SECOND);
    assert.equal(durationToMs(spec.request.retryPolicy?.initialInterval), 2 * SECOND);
    assert.equal(spec.request.retryPolicy?.maximumAttempts, 5);
    assert.equal(spec.request.cronSchedule, '0 * * * *');
    assert.equal(spec.firstExecutionRunId, ms.runId);
    assert.equal(spec.continuedExecutionRunId, ms.runId);
    assert.equal(spec.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_RETRY);
    assert.equal(spec.attempt, 2);
    assert.equal(spec.firstWorkflowTaskBackoffMs, 2 * SECOND);
    assert.deepEqual(spec.continuedFailure, failure);
    assert.equal(spec.executionExpirationTime, T0 + HOUR);
    assert.deepEqual(spec.parent, parent);
  });

  test('the next run records the chain in WorkflowExecutionStarted and waits for its backoff before its first workflow task', () => {
    const { ms, started } = run(request);
    const plan = retryPlan(ms);
    const next = createRun(successorSpec(ms, plan, started), NOW);
    assert.deepEqual(typesOf(next.events), ['WORKFLOW_EXECUTION_STARTED']);
    const attrs = next.events[0]?.workflowExecutionStartedEventAttributes;
    assert.equal(attrs?.continuedExecutionRunId, ms.runId);
    assert.equal(attrs?.firstExecutionRunId, ms.runId);
    assert.equal(attrs?.originalExecutionRunId, plan.runId);
    assert.equal(attrs?.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_RETRY);
    assert.equal(attrs?.attempt, 2);
    assert.equal(durationToMs(attrs?.firstWorkflowTaskBackoff), 2 * SECOND);
    assert.deepEqual(attrs?.continuedFailure, failure);
    assert.equal(timestampToMs(attrs?.workflowExecutionExpirationTime), T0 + HOUR);
    assert.equal(next.ms.workflowTask, undefined);
    assert.equal(next.ms.firstWorkflowTaskBackoffUntil, NOW + 2 * SECOND);
    assert.equal(next.ms.executionTime, NOW + 2 * SECOND);
  });

  test("the first execution run id stays the chain's first run across successors", () => {
    const first = run(request);
    const second = createRun(successorSpec(first.ms, retryPlan(first.ms), first.started), NOW);
    const secondStarted = second.events[0]?.workflowExecutionStartedEventAttributes;
    assert.ok(secondStarted);
    const secondMs = commit(second);
    const third = createRun(successorSpec(secondMs, retryPlan(secondMs), secondStarted), NOW + MINUTE);
    assert.equal(third.ms.firstExecutionRunId, first.ms.runId);
    assert.equal(third.ms.attempt, 3);
  });

  test('a cron run after a completion carries the result as last completion result', () => {
    const { ms, started } = run(request);
    const result = { payloads: [jsonPayload('done')] };
    const plan = planAfterCompletion(ms, result, NOW);
    assert.ok(plan);
    const spec = successorSpec(ms, plan, started);
    assert.deepEqual(spec.lastCompletionResult, result);
    assert.equal(spec.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
    assert.equal(spec.attempt, 1);
  });

  test('a continue-as-new takes workflow type, task queue, input, header, timeouts, memo and search attributes from the command', () => {
    const { ms, started } = run(request);
    const can = {
      workflowType: { name: 'NextWorkflow' },
      taskQueue: { name: 'next-queue' },
      input: { payloads: [jsonPayload('next')] },
      header: { fields: { trace: jsonPayload('t-2') } },
      workflowRunTimeout: msToDuration(20 * MINUTE),
      workflowTaskTimeout: msToDuration(7 * SECOND),
      memo: { fields: { owner: jsonPayload('dev') } },
      searchAttributes: { indexedFields: { CustomKeywordField: jsonPayload('k2') } },
    };
    const spec = successorSpec(ms, planContinueAsNew(can), started);
    assert.equal(spec.request.workflowType?.name, 'NextWorkflow');
    assert.equal(spec.request.taskQueue?.name, 'next-queue');
    assert.deepEqual(spec.request.input, can.input);
    assert.deepEqual(spec.request.header, can.header);
    assert.equal(durationToMs(spec.request.workflowRunTimeout), 20 * MINUTE);
    assert.equal(durationToMs(spec.request.workflowTaskTimeout), 7 * SECOND);
    assert.deepEqual(spec.request.memo, can.memo);
    assert.deepEqual(spec.request.searchAttributes, can.searchAttributes);
    assert.equal(spec.attempt, 1);
    assert.equal(spec.initiator, Initiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW);
    assert.equal(spec.firstExecutionRunId, ms.runId);
    assert.equal(durationToMs(spec.request.workflowExecutionTimeout), HOUR);
  });

  test("a continue-as-new without type, task queue or timeouts keeps the previous run's", () => {
    const { ms, started } = run(request);
    const spec = successorSpec(ms, planContinueAsNew({ input: { payloads: [] } }), started);
    assert.equal(spec.request.workflowType?.name, 'MyWorkflow');
    assert.equal(spec.request.taskQueue?.name, ms.taskQueue);
    assert.equal(durationToMs(spec.request.workflowRunTimeout), 10 * MINUTE);
    assert.equal(durationToMs(spec.request.workflowTaskTimeout), 5 * SECOND);
  });

  test('a retry or cron run starts with the memo and search attributes of the start, not those upserted since', () => {
    const { ms, started } = run(request);
    const upserted: MutableState = {
      ...ms,
      memo: encodeMemo({ owner: jsonPayload('someone-else') }),
      searchAttributes: encodeSearchAttributes({ CustomKeywordField: jsonPayload('upserted') }),
    };
    const spec = successorSpec(upserted, retryPlan(upserted), started);
    assert.deepEqual(decodeMemo(encodeMemo(spec.request.memo?.fields ?? {})), decodeMemo(encodeMemo(memo.fields)));
    assert.deepEqual(
      decodeSearchAttributes(encodeSearchAttributes(spec.request.searchAttributes?.indexedFields ?? {})),
      decodeSearchAttributes(encodeSearchAttributes(searchAttributes.indexedFields)),
    );
  });

  test("a cron run after a failure carries the failed run's last completion result along with the failure", () => {
    const previousResult = { payloads: [jsonPayload('from the last good run')] };
    const { ms, started } = run({ cronSchedule: '0 * * * *' }, { lastCompletionResult: previousResult });
    const { plan } = planAfterFailure(ms, failure, NOW);
    assert.ok(plan);
    const spec = successorSpec(ms, plan, started);
    assert.deepEqual(spec.continuedFailure, failure);
    assert.deepEqual(spec.lastCompletionResult, previousResult);
  });

  test("the successor of a child run keeps the chain's root execution", () => {
    const root = { workflowId: 'root-wf', runId: 'root-run' };
    const { ms, started } = run(request, { parent, rootExecution: root });
    const next = createRun(successorSpec(ms, retryPlan(ms), started), NOW);
    assert.deepEqual(next.events[0]?.workflowExecutionStartedEventAttributes?.rootWorkflowExecution, root);
    assert.deepEqual(next.ms.rootExecution, root);
  });

  test('the successor of a top-level run is its own root, and its started event names none (as in Temporal)', () => {
    const { ms, started } = run(request);
    const next = createRun(successorSpec(ms, retryPlan(ms), started), NOW);
    assert.equal(next.events[0]?.workflowExecutionStartedEventAttributes?.rootWorkflowExecution, null);
    assert.deepEqual(next.ms.rootExecution, { workflowId: next.ms.workflowId, runId: next.ms.runId });
  });
});
