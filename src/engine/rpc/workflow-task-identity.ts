import { enums, int64, type workflowservice } from '../../common/proto';
import type { MutableState } from '../../store/records';

/** The fields a workflow task and a query task share. */
export function workflowTaskIdentity(ms: MutableState): workflowservice.IPollWorkflowTaskQueueResponse {
  return {
    workflowExecution: { workflowId: ms.workflowId, runId: ms.runId },
    workflowType: { name: ms.workflowType },
    previousStartedEventId: int64(ms.lastCompletedWorkflowTaskStartedEventId),
    backlogCountHint: int64(0),
    nextPageToken: new Uint8Array(),
    workflowExecutionTaskQueue: { name: ms.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
  };
}
