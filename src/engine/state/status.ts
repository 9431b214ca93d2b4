import { enums } from '../../common/proto';

/** A run is open while RUNNING; every other status is a close (completed, failed, timed out, …). */
export function isRunning(status: enums.WorkflowExecutionStatus): boolean {
  return status === enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
}
