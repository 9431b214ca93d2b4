/**
 * The close commands (CompleteWorkflowExecution, FailWorkflowExecution, CancelWorkflowExecution,
 * ContinueAsNewWorkflowExecution): the closing event, the run's final status, and the next run
 * planned by cron, a retry policy or continue-as-new.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enums, toNumber } from '../../../src/common/proto';
import {
  MINUTE,
  SECOND,
  T0,
  TASK_QUEUE,
  applicationFailure,
  assertRejected,
  eventOf,
  jsonPayload,
  respond,
  respondAndCommit,
  runWithStartedTask,
  scheduleActivity,
  seconds,
  signalled,
  startTask,
  startTimer,
  typesOf,
} from '../fixtures';

const C = enums.CommandType;
const E = enums.EventType;
const Cause = enums.WorkflowTaskFailedCause;
const S = enums.WorkflowExecutionStatus;
const T1 = T0 + SECOND;

describe('closing the run', () => {
  test('CompleteWorkflowExecution writes WorkflowExecutionCompleted with the result and closes the run with nothing left pending', () => {
    const withWork = respondAndCommit(runWithStartedTask(), [startTimer('t1', MINUTE), scheduleActivity('a1')], T0);
    const result = { payloads: [jsonPayload('done')] };
    const { m, completedId } = respond(
      startTask(signalled(withWork, T0), T0),
      [{ commandType: C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: { result } }],
      T1,
    );
    const completed = eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED).workflowExecutionCompletedEventAttributes;
    assert.deepEqual(completed?.result, result);
    assert.equal(toNumber(completed?.workflowTaskCompletedEventId), completedId);
    assert.equal(completed?.newExecutionRunId, '');
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    assert.equal(m.ms.closeTime, T1);
    assert.deepEqual(m.ms.activities, {});
    assert.deepEqual(m.ms.timers, {});
    assert.equal(m.ms.workflowTask, undefined);
    assert.equal(m.successor, undefined);
  });

  test('commands after the first close command are ignored', () => {
    const { m } = respond(
      runWithStartedTask(),
      [
        { commandType: C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} },
        { commandType: C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, failWorkflowExecutionCommandAttributes: { failure: applicationFailure() } },
        startTimer('t1', SECOND),
      ],
      T1,
    );
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'WORKFLOW_EXECUTION_COMPLETED']);
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  });

  test('completing a cron workflow names the next run in WorkflowExecutionCompleted and plans it with the result as last completion result', () => {
    const result = { payloads: [jsonPayload(7)] };
    const { m } = respond(
      runWithStartedTask({ cronSchedule: '*/5 * * * *' }),
      [{ commandType: C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: { result } }],
      T1,
    );
    const plan = m.successor;
    assert.ok(plan);
    assert.equal(eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED).workflowExecutionCompletedEventAttributes?.newExecutionRunId, plan.runId);
    assert.equal(plan.initiator, enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE);
    assert.deepEqual(plan.lastCompletionResult, result);
    assert.equal(plan.backoffMs, 5 * MINUTE - SECOND);
  });

  test('FailWorkflowExecution without a retry policy writes WorkflowExecutionFailed with RETRY_POLICY_NOT_SET and no next run', () => {
    const failure = applicationFailure('Boom');
    const { m } = respond(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, failWorkflowExecutionCommandAttributes: { failure } }],
      T1,
    );
    const failed = eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED).workflowExecutionFailedEventAttributes;
    assert.deepEqual(failed?.failure, failure);
    assert.equal(failed?.retryState, enums.RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET);
    assert.equal(failed?.newExecutionRunId, '');
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_FAILED);
    assert.equal(m.successor, undefined);
  });

  test('FailWorkflowExecution with a retry policy left: IN_PROGRESS, and the next attempt named and planned after the backoff', () => {
    const ms = runWithStartedTask({ retryPolicy: { initialInterval: seconds(3), maximumAttempts: 3 } });
    const failure = applicationFailure('Boom');
    const { m } = respond(ms, [{ commandType: C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, failWorkflowExecutionCommandAttributes: { failure } }], T1);
    const failed = eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED).workflowExecutionFailedEventAttributes;
    assert.equal(failed?.retryState, enums.RetryState.RETRY_STATE_IN_PROGRESS);
    assert.ok(m.successor);
    assert.equal(failed?.newExecutionRunId, m.successor.runId);
    assert.equal(m.successor.initiator, enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY);
    assert.equal(m.successor.attempt, 2);
    assert.equal(m.successor.backoffMs, 3 * SECOND);
    assert.deepEqual(m.successor.continuedFailure, failure);
  });

  test('a FailWorkflowExecution without a failure fails the task with BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, failWorkflowExecutionCommandAttributes: {} }],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
    );
  });

  test('CancelWorkflowExecution writes WorkflowExecutionCanceled with its details and closes the run as CANCELED', () => {
    const details = { payloads: [jsonPayload('bye')] };
    const { m } = respond(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION, cancelWorkflowExecutionCommandAttributes: { details } }],
      T1,
    );
    assert.deepEqual(eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED).workflowExecutionCanceledEventAttributes?.details, details);
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_CANCELED);
  });

  test('ContinueAsNew writes WorkflowExecutionContinuedAsNew naming the new run, inherits type and task queue, and plans the new run', () => {
    const input = { payloads: [jsonPayload({ n: 2 })] };
    const attrs = { input, backoffStartInterval: seconds(30) };
    const { m } = respond(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION, continueAsNewWorkflowExecutionCommandAttributes: attrs }],
      T1,
    );
    const can = eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW).workflowExecutionContinuedAsNewEventAttributes;
    const plan = m.successor;
    assert.ok(plan);
    assert.equal(can?.newExecutionRunId, plan.runId);
    assert.equal(can?.workflowType?.name, 'MyWorkflow');
    assert.equal(can?.taskQueue?.name, TASK_QUEUE);
    assert.deepEqual(can?.input, input);
    assert.equal(can?.initiator, enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW);
    assert.equal(m.ms.status, S.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
    assert.equal(plan.attempt, 1);
    assert.equal(plan.backoffMs, 30 * SECOND);
    assert.equal(plan.continueAsNew, attrs);
  });
});
