import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enums, type command, type IPayload } from '../../../src/common/proto';
import { decodeSearchAttributes } from '../../../src/common/proto';
import { BadCommandError, applyCommands } from '../../../src/engine/state/commands';
import { completeWorkflowTask } from '../../../src/engine/state/workflow-task-state';
import type { MutableState } from '../../../src/store/records';
import type { SearchAttributeType } from '../../../src/visibility/search-attribute-type';
import { validateSearchAttributes } from '../../../src/visibility/search-attribute-values';
import { SECOND, T0, change, eventOf, jsonPayload, runWithStartedTask } from '../fixtures';

// The commands that set search attributes check them with the checker RespondWorkflowTaskCompleted
// passes in (the namespace's registered types) and fail the task with BAD_SEARCH_ATTRIBUTES, with
// Temporal's messages (service/history/api/command_attr_validator.go).

const C = enums.CommandType;
const E = enums.EventType;
const Cause = enums.WorkflowTaskFailedCause;
const types = { settable: new Map<string, SearchAttributeType>([['CustomIntField', 'Int']]), system: new Set<string>(['WorkflowId']) };
const check = (fields: Record<string, IPayload> | null | undefined): Record<string, IPayload> => validateSearchAttributes(fields, types);

function respondChecked(ms: MutableState, commands: command.ICommand[]): ReturnType<typeof change> {
  const m = change(ms, T0 + SECOND);
  const completedId = completeWorkflowTask(m, { identity: 'worker' });
  applyCommands(m, commands, completedId, () => undefined, check);
  return m;
}

function rejected(commands: command.ICommand[]): BadCommandError {
  try {
    respondChecked(runWithStartedTask(), commands);
  } catch (err) {
    assert.ok(err instanceof BadCommandError, `expected a BadCommandError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the completion to be rejected');
}

const typeOf = (p: IPayload | undefined): string | undefined => (p?.metadata?.type ? Buffer.from(p.metadata.type).toString() : undefined);
const upsert = (indexedFields: Record<string, IPayload>): command.ICommand => ({
  commandType: C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
  upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: { indexedFields } },
});

describe('search attributes set by commands are checked against the registered types', () => {
  test('an upsert of a valid value is written typed, in its event and in the run', () => {
    const m = respondChecked(runWithStartedTask(), [upsert({ CustomIntField: jsonPayload(3) })]);
    const event = eventOf(m.events, E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).upsertWorkflowSearchAttributesEventAttributes;
    assert.equal(typeOf(event?.searchAttributes?.indexedFields?.CustomIntField), 'Int');
    assert.equal(typeOf(decodeSearchAttributes(m.ms.searchAttributes).CustomIntField), 'Int');
  });

  test('an upsert of a wrong-typed or unknown attribute fails the task with BAD_SEARCH_ATTRIBUTES', () => {
    const wrong = rejected([upsert({ CustomIntField: jsonPayload('abc') })]);
    assert.equal(wrong.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES);
    assert.equal(wrong.message, 'invalid value for search attribute CustomIntField of type Int: abc');
    const unknown = rejected([upsert({ Nope: jsonPayload('x') })]);
    assert.equal(unknown.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES);
    assert.equal(unknown.message, 'search attribute Nope is not defined');
  });

  test('a child start with a bad value: BAD_SEARCH_ATTRIBUTES with the StartChildWorkflowCommand context', () => {
    const err = rejected([
      {
        commandType: C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
        startChildWorkflowExecutionCommandAttributes: {
          workflowId: 'kid',
          workflowType: { name: 'Kid' },
          searchAttributes: { indexedFields: { CustomIntField: jsonPayload('abc') } },
        },
      },
    ]);
    assert.equal(err.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES);
    assert.match(
      err.message,
      /^invalid SearchAttributes on StartChildWorkflowCommand: invalid value for search attribute CustomIntField of type Int: abc\. WorkflowId=kid WorkflowType=Kid Namespace=/,
    );
  });

  test('a child start and a continue-as-new with valid values write them typed', () => {
    const m = respondChecked(runWithStartedTask(), [
      {
        commandType: C.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
        startChildWorkflowExecutionCommandAttributes: {
          workflowId: 'kid',
          workflowType: { name: 'Kid' },
          searchAttributes: { indexedFields: { CustomIntField: jsonPayload(1) } },
        },
      },
      {
        commandType: C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
        continueAsNewWorkflowExecutionCommandAttributes: { searchAttributes: { indexedFields: { CustomIntField: jsonPayload(2) } } },
      },
    ]);
    const child = eventOf(m.events, E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED).startChildWorkflowExecutionInitiatedEventAttributes;
    assert.equal(typeOf(child?.searchAttributes?.indexedFields?.CustomIntField), 'Int');
    const can = eventOf(m.events, E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW).workflowExecutionContinuedAsNewEventAttributes;
    assert.equal(typeOf(can?.searchAttributes?.indexedFields?.CustomIntField), 'Int');
  });

  test('a continue-as-new with a bad value: BAD_SEARCH_ATTRIBUTES with the ContinueAsNewWorkflowExecutionCommand context', () => {
    const err = rejected([
      {
        commandType: C.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
        continueAsNewWorkflowExecutionCommandAttributes: { searchAttributes: { indexedFields: { CustomIntField: jsonPayload(true) } } },
      },
    ]);
    assert.equal(err.failedCause, Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES);
    assert.match(
      err.message,
      /^invalid SearchAttributes on ContinueAsNewWorkflowExecutionCommand: invalid value for search attribute CustomIntField of type Int: true\. WorkflowType=\S+ TaskQueue=\S+$/,
    );
  });
});
