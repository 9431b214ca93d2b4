import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { enums, type command } from '../../../src/common/proto';
import type { RunRef } from '../../../src/store/records';
import { C, TransferHarness, touches, until } from './transfer-harness';

const SignalCause = enums.SignalExternalWorkflowExecutionFailedCause;
const CancelCause = enums.CancelExternalWorkflowExecutionFailedCause;
const ChildCause = enums.StartChildWorkflowExecutionFailedCause;

function signal(workflowId: string, options: { namespace?: string; childWorkflowOnly?: boolean } = {}): command.ICommand {
  return {
    commandType: C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
    signalExternalWorkflowExecutionCommandAttributes: { execution: { workflowId }, signalName: 'ping', ...options },
  };
}

function cancel(workflowId: string): command.ICommand {
  return { commandType: C.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION, requestCancelExternalWorkflowExecutionCommandAttributes: { workflowId } };
}

function startChild(workflowId: string, options: { namespace?: string; parentClosePolicy?: enums.ParentClosePolicy } = {}): command.ICommand {
  return {
    commandType: C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
    startChildWorkflowExecutionCommandAttributes: { workflowId, workflowType: { name: 'Child' }, ...options },
  };
}

let h: TransferHarness;
beforeEach(async () => {
  h = await new TransferHarness().init();
});
afterEach(async () => {
  await h.quiet();
  await h.close();
});

/** Runs the tasks the run's state still owes again, as the run's next commit would. */
async function redispatch(ref: RunRef): Promise<void> {
  h.transfers.dispatch(await h.state(ref));
  await h.quiet();
}

describe('transfer tasks: only a real not-found writes a failure event', () => {
  test('signalling a workflow ID that does not exist writes SignalExternalWorkflowExecutionFailed (EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND)', async () => {
    const sender = await h.startRun('sender');
    await h.command(sender, signal('nobody'));
    await h.quiet();
    const failed = (await h.events(sender)).find((e) => e.signalExternalWorkflowExecutionFailedEventAttributes);
    assert.equal(
      failed?.signalExternalWorkflowExecutionFailedEventAttributes?.cause,
      SignalCause.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
    );
    assert.deepEqual((await h.state(sender)).externalRequests, {});
    assert.deepEqual(h.errors, []);
  });

  test('signalling in a namespace that does not exist, or a run that is not the initiator’s child (childWorkflowOnly), is not found', async () => {
    const sender = await h.startRun('sender');
    const stranger = await h.startRun('stranger');
    await h.command(sender, signal('stranger', { namespace: 'no-such-namespace' }));
    await h.command(sender, signal('stranger', { childWorkflowOnly: true }));
    await h.quiet();
    const causes = (await h.events(sender)).flatMap((e) => e.signalExternalWorkflowExecutionFailedEventAttributes?.cause ?? []);
    assert.deepEqual(causes, [
      SignalCause.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
      SignalCause.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
    ]);
    assert.ok(!(await h.eventNames(stranger)).includes('WORKFLOW_EXECUTION_SIGNALED'), 'the stranger is not signalled');
  });

  test('cancelling a workflow that already closed writes RequestCancelExternalWorkflowExecutionFailed (EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND)', async () => {
    const sender = await h.startRun('sender');
    const target = await h.startRun('target');
    await h.terminate(target);
    await h.command(sender, cancel('target'));
    await h.quiet();
    const failed = (await h.events(sender)).find((e) => e.requestCancelExternalWorkflowExecutionFailedEventAttributes);
    assert.equal(
      failed?.requestCancelExternalWorkflowExecutionFailedEventAttributes?.cause,
      CancelCause.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
    );
  });

  test('a child in a namespace that does not exist fails to start with NAMESPACE_NOT_FOUND', async () => {
    const parent = await h.startRun('parent');
    await h.command(parent, startChild('child', { namespace: 'no-such-namespace' }));
    await h.quiet();
    const failed = (await h.events(parent)).find((e) => e.startChildWorkflowExecutionFailedEventAttributes);
    assert.equal(failed?.startChildWorkflowExecutionFailedEventAttributes?.cause, ChildCause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND);
    assert.deepEqual((await h.state(parent)).children, {});
  });

  test('a signal whose delivery hits a store error writes no failure event; the request stays owed and is delivered later', async () => {
    const sender = await h.startRun('sender');
    const target = await h.startRun('target');
    h.failStore('commit', 1, touches('target'));
    await h.command(sender, signal('target'));
    await h.quiet();
    assert.equal(h.injected, 1);
    assert.deepEqual(await h.eventNames(sender), ['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED', 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED']);
    assert.equal(Object.keys((await h.state(sender)).externalRequests).length, 1, 'the request is still owed');
    assert.match(String(h.errors[0]?.fields?.error), /disk I\/O error/);

    await redispatch(sender);
    assert.deepEqual((await h.eventNames(sender)).slice(3), ['EXTERNAL_WORKFLOW_EXECUTION_SIGNALED']);
    assert.equal((await h.eventNames(target)).filter((n) => n === 'WORKFLOW_EXECUTION_SIGNALED').length, 1);
  });

  test('a cancel request whose target cannot be read writes no failure event and is delivered later', async () => {
    const sender = await h.startRun('sender');
    const target = await h.startRun('target');
    h.failStore('getCurrentExecution', 1, touches('target'));
    h.failStore('getMutableState', 1, touches('target'));
    await h.command(sender, cancel('target'));
    await h.quiet();
    await redispatch(sender);
    assert.equal(h.injected, 2);
    assert.deepEqual((await h.eventNames(sender)).slice(2), ['REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED']);
    await redispatch(sender);
    assert.deepEqual((await h.eventNames(sender)).slice(2), [
      'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
      'EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
    ]);
    assert.ok((await h.state(target)).cancelRequested);
  });

  test('a child start whose namespace lookup fails (not NOT_FOUND) writes no StartChildWorkflowExecutionFailed and starts later', async () => {
    const parent = await h.startRun('parent');
    h.failNamespaceLookups(1);
    await h.command(parent, startChild('child'));
    await h.quiet();
    assert.equal(h.injected, 1);
    assert.ok(!(await h.eventNames(parent)).includes('START_CHILD_WORKFLOW_EXECUTION_FAILED'));
    assert.equal(await h.current('child'), undefined);

    await redispatch(parent);
    const child = await h.current('child');
    assert.equal(child?.parent?.runId, parent.runId);
    assert.equal((await h.state(parent)).children[String(child.parent.initiatedEventId)]?.runId, child.runId);
    assert.ok((await h.eventNames(parent)).includes('CHILD_WORKFLOW_EXECUTION_STARTED'));
  });

  test('a parent close policy whose namespace lookup or child read fails is not silently dropped: the child is terminated later', async () => {
    const parent = await h.startRun('parent');
    await h.command(parent, startChild('child'));
    await h.quiet();
    const child = await h.current('child');
    assert.ok(child);
    h.failNamespaceLookups(1);
    await h.terminate(parent);
    await h.quiet();
    assert.equal(h.injected, 1);
    assert.equal(h.errors.length, 1, 'the failure is reported, not taken for a missing namespace');
    assert.equal((await h.current('child'))?.status, enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);

    h.failStore('getMutableState', 1, touches('child'));
    h.transfers.afterClose(await h.state(parent));
    await h.quiet();
    assert.equal(h.injected, 2);
    assert.equal((await h.current('child'))?.status, enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);

    h.transfers.afterClose(await h.state(parent));
    await h.quiet();
    assert.equal((await h.current('child'))?.status, enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED);
  });

  test('recovering children at start-up does not abort on a store error', async () => {
    const parent = await h.startRun('parent');
    await h.command(parent, startChild('child'));
    await h.quiet();
    h.failStore('getCurrentExecution', 1, touches('child'));
    await h.transfers.recoverChildren(await h.state(parent));
    await until('the failure to be logged', () => h.errors.length === 1);
    assert.equal(h.injected, 1);
  });
});
