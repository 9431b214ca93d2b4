import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { enums, type command } from '../../../src/common/proto';
import type { Transaction } from '../../../src/store/records';
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
  await h.close();
});

const TERMINATED = enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED;

/** The retry delays the failures were logged with. */
function retryDelays(): unknown[] {
  return h.errors.map((e) => e.fields?.retryInMs);
}

describe('transfer tasks: only a real not-found writes a failure event', () => {
  test('signalling a workflow ID that does not exist writes SignalExternalWorkflowExecutionFailed (EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND)', async () => {
    const sender = await h.startRun('sender');
    await h.command(sender, signal('nobody'));
    await h.settled();
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
    await h.settled();
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
    await h.settled();
    const failed = (await h.events(sender)).find((e) => e.requestCancelExternalWorkflowExecutionFailedEventAttributes);
    assert.equal(
      failed?.requestCancelExternalWorkflowExecutionFailedEventAttributes?.cause,
      CancelCause.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
    );
  });

  test('a child in a namespace that does not exist fails to start with NAMESPACE_NOT_FOUND', async () => {
    const parent = await h.startRun('parent');
    await h.command(parent, startChild('child', { namespace: 'no-such-namespace' }));
    await h.settled();
    const failed = (await h.events(parent)).find((e) => e.startChildWorkflowExecutionFailedEventAttributes);
    assert.equal(failed?.startChildWorkflowExecutionFailedEventAttributes?.cause, ChildCause.START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND);
    assert.deepEqual((await h.state(parent)).children, {});
  });

  test('a signal whose delivery hits store errors writes no failure event and is delivered on a retry', async () => {
    const sender = await h.startRun('sender');
    const target = await h.startRun('target');
    h.failStore('commit', 3, touches('target'));
    await h.command(sender, signal('target'));
    await h.settled();
    assert.equal(h.injected, 3);
    assert.deepEqual((await h.eventNames(sender)).slice(2), ['SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED', 'EXTERNAL_WORKFLOW_EXECUTION_SIGNALED']);
    assert.deepEqual((await h.state(sender)).externalRequests, {});
    assert.equal((await h.eventNames(target)).filter((n) => n === 'WORKFLOW_EXECUTION_SIGNALED').length, 1, 'delivered once');
    assert.deepEqual(retryDelays(), [10, 20, 40], 'each failure is logged with its backoff, doubling up to the cap');
    assert.match(String(h.errors[0]?.fields?.error), /disk I\/O error/);
  });

  test('a signal delivered whose initiator update failed is not delivered twice on the retry', async () => {
    const sender = await h.startRun('sender');
    const target = await h.startRun('target');
    // Only the commit that settles the request, not the one that makes it.
    const settlesRequest = ([txn]: unknown[]): boolean =>
      (txn as Transaction).runs.some((r) => r.mutableState.workflowId === 'sender' && Object.keys(r.mutableState.externalRequests).length === 0);
    h.failStore('commit', 1, settlesRequest);
    await h.command(sender, signal('target'));
    await h.settled();
    assert.equal(h.injected, 1);
    assert.deepEqual((await h.eventNames(sender)).slice(3), ['EXTERNAL_WORKFLOW_EXECUTION_SIGNALED']);
    assert.equal((await h.eventNames(target)).filter((n) => n === 'WORKFLOW_EXECUTION_SIGNALED').length, 1);
  });

  test('a cancel request whose target cannot be read writes no failure event and is delivered on a retry', async () => {
    const sender = await h.startRun('sender');
    const target = await h.startRun('target');
    h.failStore('getCurrentExecution', 1, touches('target'));
    h.failStore('getMutableState', 1, touches('target'));
    await h.command(sender, cancel('target'));
    await h.settled();
    assert.equal(h.injected, 2);
    assert.deepEqual((await h.eventNames(sender)).slice(2), [
      'REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
      'EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
    ]);
    assert.ok((await h.state(target)).cancelRequested);
  });

  test('a child start whose namespace lookup fails (not NOT_FOUND) writes no StartChildWorkflowExecutionFailed and starts on a retry', async () => {
    const parent = await h.startRun('parent');
    h.failNamespaceLookups(2);
    await h.command(parent, startChild('child'));
    await h.settled();
    assert.equal(h.injected, 2);
    const child = await h.current('child');
    assert.equal(child?.parent?.runId, parent.runId);
    assert.equal((await h.state(parent)).children[String(child.parent.initiatedEventId)]?.runId, child.runId);
    assert.deepEqual((await h.eventNames(parent)).slice(2), ['START_CHILD_WORKFLOW_EXECUTION_INITIATED', 'CHILD_WORKFLOW_EXECUTION_STARTED']);
  });

  test('a child start whose commit fails starts exactly one child on a retry', async () => {
    const parent = await h.startRun('parent');
    h.failStore('commit', 1, touches('child'));
    await h.command(parent, startChild('child'));
    await h.settled();
    assert.equal(h.injected, 1);
    const started = (await h.events(parent)).filter((e) => e.childWorkflowExecutionStartedEventAttributes);
    assert.equal(started.length, 1);
    assert.equal(started[0]?.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.runId, (await h.current('child'))?.runId);
  });

  test('a parent close policy whose namespace lookup or child read fails is retried until the child is terminated', async () => {
    const parent = await h.startRun('parent');
    await h.command(parent, startChild('child'));
    await h.settled();
    h.failNamespaceLookups(1);
    h.failStore('getMutableState', 1, touches('child'));
    await h.terminate(parent);
    await h.settled();
    assert.equal(h.injected, 2);
    assert.equal(h.errors.length, 2, 'each failure is reported, not taken for a missing namespace or child');
    assert.equal((await h.current('child'))?.status, TERMINATED);
  });

  test("a child's close report to its parent is retried after a failed commit", async () => {
    const parent = await h.startRun('parent');
    await h.command(parent, startChild('child'));
    await h.settled();
    const child = await h.current('child');
    assert.ok(child);
    h.failStore('commit', 1, touches('parent'));
    await h.terminate(child);
    await h.settled();
    assert.equal(h.injected, 1);
    assert.equal((await h.eventNames(parent)).at(-1), 'CHILD_WORKFLOW_EXECUTION_TERMINATED');
    assert.equal((await h.state(child)).parentNotified, true);
  });

  test('a task waiting for its retry does not count as busy (time may skip) but still runs', async () => {
    await h.close();
    h = await new TransferHarness({ initialMs: 200, maxMs: 200 }).init();
    const sender = await h.startRun('sender');
    await h.startRun('target');
    h.failStore('commit', 1, touches('target'));
    await h.command(sender, signal('target'));
    await until('the delivery to fail', () => h.injected === 1 && !h.transfers.busy);
    assert.equal(h.transfers.retrying, 1);
    await h.settled();
    assert.deepEqual((await h.eventNames(sender)).slice(3), ['EXTERNAL_WORKFLOW_EXECUTION_SIGNALED']);
  });

  test('close() cancels pending retries; start-up recovery, even past a store error, reports a child that closed meanwhile', async () => {
    const parent = await h.startRun('parent');
    await h.command(parent, startChild('child'));
    await h.settled();
    const child = await h.current('child');
    assert.ok(child);
    h.failStore('commit', 1, touches('parent'));
    await h.terminate(child);
    await until('the close report to fail', () => h.injected === 1 && !h.transfers.busy);
    h.transfers.close();
    assert.equal(h.transfers.retrying, 0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal((await h.state(child)).parentNotified, undefined, 'no retry ran after close()');
    assert.notEqual((await h.eventNames(parent)).at(-1), 'CHILD_WORKFLOW_EXECUTION_TERMINATED');

    const restarted = await new TransferHarness(undefined, h.raw).init();
    restarted.failStore('getCurrentExecution', 1, touches('child'));
    await restarted.transfers.recoverChildren(await restarted.state(parent));
    await restarted.settled();
    assert.equal(restarted.injected, 1);
    assert.equal((await restarted.eventNames(parent)).at(-1), 'CHILD_WORKFLOW_EXECUTION_TERMINATED');
    assert.equal((await restarted.state(child)).parentNotified, true);
    await restarted.close();
  });
});
