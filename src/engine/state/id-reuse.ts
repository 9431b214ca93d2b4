import { enums, type workflowservice } from '../../common/proto';
import type { CurrentExecution } from '../../store/records';
import { isRunning } from './status';

const S = enums.WorkflowExecutionStatus;

export type ReuseDecision = 'start' | 'reject' | 'use-existing' | 'terminate';

/** Workflow ID conflict policy (current run open) and reuse policy (current run closed). */
export function reuseDecision(current: CurrentExecution, req: workflowservice.IStartWorkflowExecutionRequest): ReuseDecision {
  const Reuse = enums.WorkflowIdReusePolicy;
  const Conflict = enums.WorkflowIdConflictPolicy;
  const reuse = req.workflowIdReusePolicy ?? Reuse.WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED;
  if (isRunning(current.status)) {
    const conflict = req.workflowIdConflictPolicy ?? Conflict.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED;
    if (conflict === Conflict.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING) return 'use-existing';
    if (conflict === Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING) return 'terminate';
    if (reuse === Reuse.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING) return 'terminate';
    return 'reject';
  }
  switch (reuse) {
    case Reuse.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE:
      return 'reject';
    case Reuse.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY:
      return current.status === S.WORKFLOW_EXECUTION_STATUS_COMPLETED ? 'reject' : 'start';
    default:
      return 'start';
  }
}
