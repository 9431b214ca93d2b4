import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enums } from '../../../src/common/proto';
import { DEFAULT_RUN_LIMITS, historyLimitExceeded } from '../../../src/engine/state/run-limits';
import { T0, change, commit, newRun, runWithStartedTask } from '../fixtures';

// Temporal's enforceHistorySizeCheck / enforceHistoryCountCheck (service/history/workflow/context.go): before a change
// to a running run is persisted, the persisted history size and the event count with the change's events are compared
// with limit.historySize.error and limit.historyCount.error; past either, the run is terminated with Temporal's reason.

const limits = { sizeErrorBytes: 1000, countError: 3 };
const signal = { workflowExecutionSignaledEventAttributes: { signalName: 'tick' } };

describe('history limits', () => {
  test('Temporal defaults: 50 MiB, 51,200 events', () => {
    assert.deepEqual(DEFAULT_RUN_LIMITS.history, { sizeErrorBytes: 50 * 1024 * 1024, countError: 50 * 1024 });
  });

  test('an event count past the limit, counting events buffered while no task is started, terminates', () => {
    const m = change(commit(newRun()), T0); // WorkflowExecutionStarted, WorkflowTaskScheduled
    assert.equal(historyLimitExceeded(m.ms, m.historyLengthAfterFlush(), limits), undefined);
    m.add(signal);
    assert.equal(m.historyLengthAfterFlush(), 3);
    assert.equal(historyLimitExceeded(m.ms, m.historyLengthAfterFlush(), limits), undefined);
    m.add(signal);
    assert.equal(historyLimitExceeded(m.ms, m.historyLengthAfterFlush(), limits), 'Workflow history count exceeds limit.');
  });

  test('events buffered behind a started workflow task have no ids yet and do not count', () => {
    const m = change(runWithStartedTask(), T0); // + WorkflowTaskStarted
    m.add(signal);
    m.add(signal);
    assert.equal(m.historyLengthAfterFlush(), 3);
    assert.equal(historyLimitExceeded(m.ms, m.historyLengthAfterFlush(), limits), undefined);
  });

  test('the persisted history size past the limit terminates; a closed run is left alone', () => {
    const ms = commit(newRun());
    ms.historySizeBytes = 1001;
    assert.equal(historyLimitExceeded(ms, 2, limits), 'Workflow history size exceeds limit.');
    ms.status = enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
    assert.equal(historyLimitExceeded(ms, 100, limits), undefined);
  });
});
