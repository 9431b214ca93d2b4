import { decodeMemo, decodeSearchAttributes, int64, msToDuration, msToTimestamp, workflow } from '../common/proto';
import { rootOf, type MutableState, type ResetPointRecord, type VisibilityRecord } from '../store/records';
import type { SearchAttributeType } from './search-attribute-type';
import { applySearchAttributeTypes } from './search-attribute-values';
import { searchAttributesToJson } from './search-attributes';

/**
 * The run as Describe and List show it; given the namespace's types, each search attribute carries
 * its registered type (as Temporal's visibility encodes what List returns).
 */
export function executionInfo(ms: MutableState, types?: ReadonlyMap<string, SearchAttributeType>): workflow.IWorkflowExecutionInfo {
  const searchAttributes = decodeSearchAttributes(ms.searchAttributes);
  return {
    execution: { workflowId: ms.workflowId, runId: ms.runId },
    type: { name: ms.workflowType },
    startTime: msToTimestamp(ms.startTime),
    closeTime: ms.closeTime ? msToTimestamp(ms.closeTime) : null,
    executionTime: msToTimestamp(ms.executionTime),
    status: ms.status,
    historyLength: int64(ms.nextEventId - 1),
    historySizeBytes: int64(ms.historySizeBytes),
    taskQueue: ms.taskQueue,
    memo: { fields: decodeMemo(ms.memo) },
    searchAttributes: { indexedFields: types ? applySearchAttributeTypes(searchAttributes, types) : searchAttributes },
    parentExecution: ms.parent ? { workflowId: ms.parent.workflowId, runId: ms.parent.runId } : null,
    rootExecution: rootOf(ms),
    firstRunId: ms.firstExecutionRunId,
    stateTransitionCount: int64(ms.dbVersion),
    executionDuration: ms.closeTime ? msToDuration(ms.closeTime - ms.executionTime) : null,
    autoResetPoints: ms.autoResetPoints ? { points: ms.autoResetPoints.map(resetPointInfo) } : null,
  };
}

function resetPointInfo(p: ResetPointRecord): workflow.IResetPointInfo {
  return {
    binaryChecksum: p.binaryChecksum,
    buildId: p.buildId,
    runId: p.runId,
    firstWorkflowTaskCompletedId: int64(p.firstWorkflowTaskCompletedId),
    createTime: msToTimestamp(p.createTime),
    resettable: p.resettable,
  };
}

/** The visibility row of a run, written with every change of it (so a list right after a start sees it). */
export function visibilityRecord(ms: MutableState, types: ReadonlyMap<string, SearchAttributeType>): VisibilityRecord {
  return {
    namespaceId: ms.namespaceId,
    runId: ms.runId,
    workflowId: ms.workflowId,
    workflowType: ms.workflowType,
    status: ms.status,
    taskQueue: ms.taskQueue,
    startTime: ms.startTime,
    executionTime: ms.executionTime,
    closeTime: ms.closeTime,
    executionDurationMs: ms.closeTime ? ms.closeTime - ms.executionTime : undefined,
    historyLength: ms.nextEventId - 1,
    historySizeBytes: ms.historySizeBytes,
    stateTransitionCount: ms.dbVersion,
    parentWorkflowId: ms.parent?.workflowId,
    parentRunId: ms.parent?.runId,
    rootWorkflowId: rootOf(ms).workflowId,
    rootRunId: rootOf(ms).runId,
    searchAttributes: searchAttributesToJson(decodeSearchAttributes(ms.searchAttributes), types),
    info: workflow.WorkflowExecutionInfo.encode(executionInfo(ms, types)).finish(),
  };
}
