import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enums, type command } from '../../../src/common/proto';
import type { BadCommandError } from '../../../src/engine/state/commands';
import { DEFAULT_RUN_LIMITS, type RunLimits } from '../../../src/engine/state/run-limits';
import { jsonPayload, refusalUnder, scheduleActivity } from '../fixtures';

// Temporal's command limits beyond payload sizes: pending counts per run fail the task (the run goes on), memo and
// search attribute sizes terminate it, ids over limit.maxIDLength fail it with the command's BAD_* cause.

const Cause = enums.WorkflowTaskFailedCause;
const C = enums.CommandType;

function complete(commands: command.ICommand[], overrides: Partial<RunLimits>): BadCommandError | undefined {
  return refusalUnder({ ...DEFAULT_RUN_LIMITS, ...overrides }, commands);
}

const pending = (n: number): RunLimits['pending'] => ({ activities: n, childExecutions: n, signals: n, cancelRequests: n });
const signal = (i: number): command.ICommand => ({
  commandType: C.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
  signalExternalWorkflowExecutionCommandAttributes: { execution: { workflowId: `target-${i}` }, signalName: 'poke' },
});

describe('pending counts per run (limit.numPending*.error)', () => {
  test('the command that would add one past the limit fails the task with PENDING_ACTIVITIES_LIMIT_EXCEEDED, without terminating', () => {
    assert.equal(complete([scheduleActivity('a'), scheduleActivity('b')], { pending: pending(2) }), undefined);
    const err = complete([scheduleActivity('a'), scheduleActivity('b'), scheduleActivity('c')], { pending: pending(2) });
    assert.equal(err?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_ACTIVITIES_LIMIT_EXCEEDED);
    assert.equal(err?.message, 'the number of pending activities, 2, has reached the per-workflow limit of 2');
    assert.equal(err?.terminatesWorkflow, false);
  });

  test('signals to other workflows count separately from cancel requests; 0 means no limit', () => {
    const cancel: command.ICommand = {
      commandType: C.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
      requestCancelExternalWorkflowExecutionCommandAttributes: { workflowId: 'target' },
    };
    assert.equal(complete([signal(1), cancel, signal(2)], { pending: pending(2) }), undefined);
    const err = complete([signal(1), signal(2), signal(3)], { pending: pending(2) });
    assert.equal(err?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_PENDING_SIGNALS_LIMIT_EXCEEDED);
    assert.equal(complete([signal(1), signal(2), signal(3)], { pending: pending(0) }), undefined);
  });

  test('an invalid command reports its own cause first', () => {
    const err = complete([scheduleActivity('a'), scheduleActivity('a')], { pending: pending(1) });
    assert.equal(err?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_SCHEDULE_ACTIVITY_DUPLICATE_ID);
  });
});

describe('memo and search attribute sizes on commands', () => {
  test('a modify-properties memo, merged with the run’s, over limit.memoSize.error terminates the run', () => {
    const modify: command.ICommand = {
      commandType: C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES,
      modifyWorkflowPropertiesCommandAttributes: { upsertedMemo: { fields: { note: jsonPayload('m'.repeat(2000)) } } },
    };
    const err = complete([modify], { memoSize: { warnBytes: 100, errorBytes: 1000 } });
    assert.equal(err?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES);
    assert.equal(err?.message, 'ModifyWorkflowPropertiesCommandAttributes. Memo exceeds size limit.');
    assert.equal(err?.terminatesWorkflow, true);
  });

  test('an upsert whose merged search attributes are over the total size limit terminates the run with BAD_SEARCH_ATTRIBUTES', () => {
    const upsert: command.ICommand = {
      commandType: C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
      upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: { indexedFields: { CustomKeywordField: jsonPayload('k'.repeat(100)) } } },
    };
    const err = complete([upsert], { searchAttributes: { numberOfKeys: 100, sizeOfValue: 2048, totalSize: 50 } });
    assert.equal(err?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES);
    assert.match(err?.message ?? '', /^total size of search attributes \d+ exceeds size limit 50$/);
    assert.equal(err?.terminatesWorkflow, true);
  });
});

describe('ids over limit.maxIDLength on commands', () => {
  test('a timer id over it fails the task with BAD_START_TIMER_ATTRIBUTES and Temporal’s message', () => {
    const timer: command.ICommand = { commandType: C.COMMAND_TYPE_START_TIMER, startTimerCommandAttributes: { timerId: 't'.repeat(11) } };
    const err = complete([timer], { maxIdLength: 10 });
    assert.equal(err?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES);
    assert.equal(err?.message, `TimerId on StartTimerCommand exceeds length limit. TimerId=${'t'.repeat(11)} Length=11 Limit=10`);
    assert.equal(err?.terminatesWorkflow, false);
  });

  test('lengths are UTF-8 bytes, as Temporal’s Go len: 5 two-byte characters are 10', () => {
    const err = complete(
      [signal(0), { ...signal(0), signalExternalWorkflowExecutionCommandAttributes: { execution: { workflowId: 'ééééé' }, signalName: 'x' } }],
      {
        maxIdLength: 8,
      },
    );
    assert.equal(err?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES);
    assert.match(err?.message ?? '', /^WorkflowId on SignalExternalWorkflowExecutionCommand exceeds length limit\. WorkflowId=ééééé Length=10 Limit=8/);
  });
});
