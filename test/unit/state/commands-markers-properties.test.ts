/**
 * RecordMarker, UpsertWorkflowSearchAttributes and ModifyWorkflowProperties: events that change no
 * pending work, only the run's markers, search attributes and memo.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeMemo, decodeSearchAttributes, enums } from '../../../src/common/proto';
import { SECOND, T0, assertRejected, eventOf, jsonPayload, respond, runWithStartedTask } from '../fixtures';

const C = enums.CommandType;
const E = enums.EventType;
const Cause = enums.WorkflowTaskFailedCause;
const T1 = T0 + SECOND;

describe('RecordMarker, UpsertWorkflowSearchAttributes, ModifyWorkflowProperties', () => {
  test('RecordMarker writes MarkerRecorded with its name and details', () => {
    const details = { data: { payloads: [jsonPayload(1)] } };
    const { m } = respond(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_RECORD_MARKER, recordMarkerCommandAttributes: { markerName: 'core_patch', details } }],
      T1,
    );
    const marker = eventOf(m.events, E.EVENT_TYPE_MARKER_RECORDED).markerRecordedEventAttributes;
    assert.equal(marker?.markerName, 'core_patch');
    assert.deepEqual(marker?.details, details);
  });

  test('a RecordMarker without a marker name fails the task with BAD_RECORD_MARKER_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [{ commandType: C.COMMAND_TYPE_RECORD_MARKER, recordMarkerCommandAttributes: {} }],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
    );
  });

  test("UpsertWorkflowSearchAttributes writes its event and merges into the run's search attributes; an empty or null payload removes a key", () => {
    const ms = runWithStartedTask({ searchAttributes: { indexedFields: { CustomKeywordField: jsonPayload('a'), CustomIntField: jsonPayload(1) } } });
    const upsert = { indexedFields: { CustomKeywordField: jsonPayload('b'), CustomIntField: jsonPayload(null), CustomBoolField: jsonPayload(true) } };
    const { m } = respond(
      ms,
      [{ commandType: C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: upsert } }],
      T1,
    );
    assert.deepEqual(eventOf(m.events, E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES).upsertWorkflowSearchAttributesEventAttributes?.searchAttributes, upsert);
    const stored = decodeSearchAttributes(m.ms.searchAttributes);
    assert.deepEqual(Object.keys(stored).sort(), ['CustomBoolField', 'CustomKeywordField']);
    assert.equal(Buffer.from(stored.CustomKeywordField?.data ?? []).toString(), '"b"');
  });

  test("ModifyWorkflowProperties writes WorkflowPropertiesModified and merges the upserted memo into the run's memo", () => {
    const ms = runWithStartedTask({ memo: { fields: { keep: jsonPayload(1), drop: jsonPayload(2) } } });
    const upsertedMemo = { fields: { drop: jsonPayload(null), added: jsonPayload('x') } };
    const { m } = respond(ms, [{ commandType: C.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES, modifyWorkflowPropertiesCommandAttributes: { upsertedMemo } }], T1);
    assert.deepEqual(eventOf(m.events, E.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED).workflowPropertiesModifiedEventAttributes?.upsertedMemo, upsertedMemo);
    assert.deepEqual(Object.keys(decodeMemo(m.ms.memo)).sort(), ['added', 'keep']);
  });

  test('an UpsertWorkflowSearchAttributes without indexed fields fails the task with BAD_SEARCH_ATTRIBUTES', () => {
    assertRejected(
      runWithStartedTask(),
      [
        {
          commandType: C.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
          upsertWorkflowSearchAttributesCommandAttributes: { searchAttributes: { indexedFields: {} } },
        },
      ],
      Cause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
    );
  });
});
