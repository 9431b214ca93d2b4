/**
 * StartChildWorkflowExecution, SignalExternalWorkflowExecution and RequestCancelExternalWorkflowExecution:
 * the Initiated events and the pending children and external requests they record.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enums, toNumber, type command } from '../../../src/common/proto';
import { NAMESPACE, SECOND, T0, TASK_QUEUE, assertRejected, eventOf, respond, runWithStartedTask } from '../fixtures';

const C = enums.CommandType;
const E = enums.EventType;
const Cause = enums.WorkflowTaskFailedCause;
const T1 = T0 + SECOND;

describe('child workflows and external workflows', () => {
  const startChild = (attrs: command.IStartChildWorkflowExecutionCommandAttributes): command.ICommand => ({
    commandType: C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
    startChildWorkflowExecutionCommandAttributes: attrs,
  });
  const signal = (attrs: command.ISignalExternalWorkflowExecutionCommandAttributes): command.ICommand => ({
    commandType: C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
    signalExternalWorkflowExecutionCommandAttributes: attrs,
  });
  const cancelExternal = (attrs: command.IRequestCancelExternalWorkflowExecutionCommandAttributes): command.ICommand => ({
    commandType: C.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
    requestCancelExternalWorkflowExecutionCommandAttributes: attrs,
  });

  test("StartChildWorkflowExecution writes the Initiated event with Temporal's defaults and records the pending child", () => {
    const { m, completedId } = respond(runWithStartedTask(), [startChild({ workflowId: 'child-1', workflowType: { name: 'Child' } })], T1);
    const event = eventOf(m.events, E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
    const attrs = event.startChildWorkflowExecutionInitiatedEventAttributes;
    assert.equal(attrs?.namespace, NAMESPACE);
    assert.equal(attrs?.taskQueue?.name, TASK_QUEUE);
    assert.equal(attrs?.parentClosePolicy, enums.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE);
    assert.equal(attrs?.workflowIdReusePolicy, enums.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE);
    assert.equal(toNumber(attrs?.workflowTaskCompletedEventId), completedId);
    const initiatedEventId = toNumber(event.eventId);
    assert.deepEqual(m.ms.children[String(initiatedEventId)], {
      initiatedEventId,
      namespace: NAMESPACE,
      workflowId: 'child-1',
      workflowType: 'Child',
      parentClosePolicy: enums.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE,
    });
  });

  test('a StartChildWorkflowExecution keeps an explicit parent close policy and task queue', () => {
    const policy = enums.ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON;
    const { m } = respond(
      runWithStartedTask(),
      [startChild({ workflowId: 'c', workflowType: { name: 'Child' }, taskQueue: { name: 'kids' }, parentClosePolicy: policy })],
      T1,
    );
    const attrs = eventOf(m.events, E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED).startChildWorkflowExecutionInitiatedEventAttributes;
    assert.equal(attrs?.taskQueue?.name, 'kids');
    assert.equal(attrs?.parentClosePolicy, policy);
    assert.equal(Object.values(m.ms.children)[0]?.parentClosePolicy, policy);
  });

  test('a StartChildWorkflowExecution without a workflow id fails the task with BAD_START_CHILD_EXECUTION_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [startChild({ workflowType: { name: 'Child' } })],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
      /WorkflowId/,
    );
  });

  test('a StartChildWorkflowExecution without a workflow type fails the task with BAD_START_CHILD_EXECUTION_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [startChild({ workflowId: 'child-1' })],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
      /WorkflowType/,
    );
  });

  test('SignalExternalWorkflowExecution writes the Initiated event and records the request until it is delivered', () => {
    const { m } = respond(runWithStartedTask(), [signal({ execution: { workflowId: 'other', runId: 'r' }, signalName: 'go', childWorkflowOnly: true })], T1);
    const event = eventOf(m.events, E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
    assert.equal(event.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName, 'go');
    assert.equal(event.signalExternalWorkflowExecutionInitiatedEventAttributes?.namespace, NAMESPACE);
    const id = toNumber(event.eventId);
    assert.deepEqual(m.ms.externalRequests[String(id)], {
      kind: 'signal',
      initiatedEventId: id,
      namespace: NAMESPACE,
      workflowId: 'other',
      runId: 'r',
      childWorkflowOnly: true,
    });
  });

  test('a SignalExternalWorkflowExecution without a target or a signal name fails the task with BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES', () => {
    const cause = Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES;
    assertRejected(runWithStartedTask(), [signal({ signalName: 'go' })], cause, /Execution/);
    assertRejected(runWithStartedTask(), [signal({ execution: { runId: 'r' }, signalName: 'go' })], cause, /Execution/);
    assertRejected(runWithStartedTask(), [signal({ execution: { workflowId: 'other' } })], cause, /SignalName/);
  });

  test('RequestCancelExternalWorkflowExecution writes the Initiated event and records the request until it is delivered', () => {
    const { m } = respond(runWithStartedTask(), [cancelExternal({ workflowId: 'other', reason: 'enough' })], T1);
    const event = eventOf(m.events, E.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
    const attrs = event.requestCancelExternalWorkflowExecutionInitiatedEventAttributes;
    assert.equal(attrs?.workflowExecution?.workflowId, 'other');
    assert.equal(attrs?.reason, 'enough');
    assert.equal(m.ms.externalRequests[String(toNumber(event.eventId))]?.kind, 'cancel');
  });

  test('a RequestCancelExternalWorkflowExecution without a workflow id fails the task with BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [cancelExternal({ runId: 'r' })],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
    );
  });
});
