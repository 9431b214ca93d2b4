import { proxyActivities } from '@temporalio/workflow';

export interface ControlledActivityOptions {
  /** The activity id the tests address it by. */
  activityId: string;
  /** Absent: the workflow's own queue. */
  taskQueue?: string;
  startToCloseTimeout?: string;
  initialInterval?: string;
  maximumAttempts?: number;
}

/** Runs the activity `controlled(key)` (defined by the activity-controls spec) once and returns its result. */
export async function controlledActivity(key: string, options: ControlledActivityOptions): Promise<string> {
  const { controlled } = proxyActivities<{ controlled(key: string): Promise<string> }>({
    activityId: options.activityId,
    taskQueue: options.taskQueue,
    startToCloseTimeout: options.startToCloseTimeout ?? '30s',
    retry: { initialInterval: options.initialInterval ?? '100ms', backoffCoefficient: 1, maximumAttempts: options.maximumAttempts },
  });
  return controlled(key);
}
