import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enums, type command } from '../../../src/common/proto';
import type { BadCommandError } from '../../../src/engine/state/commands';
import { DEFAULT_RUN_LIMITS } from '../../../src/engine/state/run-limits';
import { jsonPayload, refusalUnder, scheduleActivity } from '../fixtures';

// Command payloads over limit.blobSize.error are rejected with the cause and message Temporal's
// workflow_task_completed_handler.go uses, marked to terminate the run (its terminateWorkflow);
// as in CheckEventBlobSizeLimit, the error limit counts only past the warning limit.

const Cause = enums.WorkflowTaskFailedCause;
const C = enums.CommandType;
const limits = { ...DEFAULT_RUN_LIMITS, blobSize: { warnBytes: 100, errorBytes: 1000 } };

function complete(commands: command.ICommand[], blobSize = limits.blobSize): BadCommandError | undefined {
  return refusalUnder({ ...limits, blobSize }, commands);
}

const big = jsonPayload('x'.repeat(2000));

describe('command payloads over the blob size limit', () => {
  test('an activity input over the error limit terminates the run (BAD_SCHEDULE_ACTIVITY_ATTRIBUTES)', () => {
    const err = complete([scheduleActivity('a', { input: { payloads: [big] } })]);
    assert.equal(err?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES);
    assert.equal(err?.message, 'ScheduleActivityTaskCommandAttributes.Input exceeds size limit.');
    assert.equal(err?.terminatesWorkflow, true);
  });

  test('a workflow result over it is reported with the schedule-activity cause, as Temporal does', () => {
    const err = complete([
      { commandType: C.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: { result: { payloads: [big] } } },
    ]);
    assert.equal(err?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES);
    assert.equal(err?.message, 'CompleteWorkflowExecutionCommandAttributes.Result exceeds size limit.');
  });

  test('a marker, a signal and a search attribute upsert each have their own cause', () => {
    const marker = complete([
      { commandType: C.COMMAND_TYPE_RECORD_MARKER, recordMarkerCommandAttributes: { markerName: 'm', details: { data: { payloads: [big] } } } },
    ]);
    assert.equal(marker?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES);
    const upsert = complete([
      {
        commandType: C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
        upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: { indexedFields: { CustomKeywordField: big } } },
      },
    ]);
    assert.equal(upsert?.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES);
    assert.equal(upsert?.message, 'UpsertWorkflowSearchAttributesCommandAttributes exceeds size limit.');
  });

  test('payloads within the limit, or over an error limit set below the warning limit but not past the warning limit, pass', () => {
    assert.equal(complete([scheduleActivity('a', { input: { payloads: [jsonPayload('small')] } })]), undefined);
    assert.equal(complete([scheduleActivity('a', { input: { payloads: [big] } })], { warnBytes: 10_000, errorBytes: 10 }), undefined);
  });
});
