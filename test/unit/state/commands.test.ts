/**
 * Workflow task completion: each command becomes its history event (after WorkflowTaskCompleted, in
 * command order) and changes mutable state; an invalid command fails the whole task with the
 * WorkflowTaskFailedCause Temporal gives it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enums, toNumber } from '../../../src/common/proto';
import { SECOND, T0, assertRejected, respond, runWithStartedTask, scheduleActivity, startTimer, typesOf } from '../fixtures';

const C = enums.CommandType;
const Cause = enums.WorkflowTaskFailedCause;
const T1 = T0 + SECOND;

describe('command events', () => {
  test('command events follow WorkflowTaskCompleted in command order and point back at it', () => {
    const ms = runWithStartedTask();
    const { m, completedId } = respond(
      ms,
      [
        startTimer('t1', 5 * SECOND),
        scheduleActivity('a1'),
        { commandType: C.COMMAND_TYPE_RECORD_MARKER, recordMarkerCommandAttributes: { markerName: 'Version' } },
      ],
      T1,
    );
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'TIMER_STARTED', 'ACTIVITY_TASK_SCHEDULED', 'MARKER_RECORDED']);
    assert.equal(toNumber(m.events[0]?.eventId), completedId);
    assert.deepEqual(
      m.events.slice(1).map((e) => toNumber(e.eventId)),
      [completedId + 1, completedId + 2, completedId + 3],
    );
    assert.equal(toNumber(m.events[1]?.timerStartedEventAttributes?.workflowTaskCompletedEventId), completedId);
    assert.equal(toNumber(m.events[2]?.activityTaskScheduledEventAttributes?.workflowTaskCompletedEventId), completedId);
    assert.equal(toNumber(m.events[3]?.markerRecordedEventAttributes?.workflowTaskCompletedEventId), completedId);
  });

  test('a completion without commands writes only WorkflowTaskCompleted and asks for no new task', () => {
    const { m, outcome } = respond(runWithStartedTask(), [], T1);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED']);
    assert.equal(outcome.needsWorkflowTask, false);
    assert.equal(m.ms.workflowTask, undefined);
  });

  test('a command of a type this server does not handle fails the task with UNHANDLED_COMMAND', () => {
    assertRejected(runWithStartedTask(), [{ commandType: C.COMMAND_TYPE_UNSPECIFIED }], Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND);
    assertRejected(runWithStartedTask(), [{}], Cause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND);
  });
});

describe('protocol messages', () => {
  test('a ProtocolMessage command applies its message at its position among the commands', () => {
    const { m, messages } = respond(
      runWithStartedTask(),
      [
        { commandType: C.COMMAND_TYPE_PROTOCOL_MESSAGE, protocolMessageCommandAttributes: { messageId: 'update-1/accept' } },
        startTimer('t1', SECOND),
        { commandType: C.COMMAND_TYPE_PROTOCOL_MESSAGE, protocolMessageCommandAttributes: { messageId: 'update-1/complete' } },
      ],
      T1,
    );
    assert.deepEqual(messages, ['update-1/accept', 'update-1/complete']);
    assert.deepEqual(typesOf(m.events), ['WORKFLOW_TASK_COMPLETED', 'TIMER_STARTED']);
  });

  test('a ProtocolMessage command without a message id fails the task with BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', () => {
    assertRejected(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_PROTOCOL_MESSAGE, protocolMessageCommandAttributes: {} }],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
    );
  });
});
