import * as activityControl from './handlers/activity-control';
import * as activityTask from './handlers/activity-task';
import * as multiOperation from './handlers/multi-operation';
import * as namespace from './handlers/namespace';
import * as schedule from './handlers/schedule';
import * as system from './handlers/system';
import * as taskQueue from './handlers/task-queue';
import * as testService from './handlers/test-service';
import * as visibility from './handlers/visibility';
import * as workflowExecution from './handlers/workflow-execution';
import * as workflowTask from './handlers/workflow-task';
import type { HandlerTable } from './handlers/context';

/** RPC name → handler. Anything not listed answers UNIMPLEMENTED. */
export const workflowServiceHandlers: HandlerTable = {
  GetSystemInfo: system.getSystemInfo,
  GetClusterInfo: system.getClusterInfo,
  RegisterNamespace: namespace.registerNamespace,
  DescribeNamespace: namespace.describeNamespace,
  ListNamespaces: namespace.listNamespaces,
  UpdateNamespace: namespace.updateNamespace,
  StartWorkflowExecution: workflowExecution.startWorkflowExecution,
  DescribeWorkflowExecution: workflowExecution.describeWorkflowExecution,
  TerminateWorkflowExecution: workflowExecution.terminateWorkflowExecution,
  SignalWorkflowExecution: workflowExecution.signalWorkflowExecution,
  SignalWithStartWorkflowExecution: workflowExecution.signalWithStartWorkflowExecution,
  RequestCancelWorkflowExecution: workflowExecution.requestCancelWorkflowExecution,
  QueryWorkflow: workflowExecution.queryWorkflow,
  UpdateWorkflowExecution: workflowExecution.updateWorkflowExecution,
  PollWorkflowExecutionUpdate: workflowExecution.pollWorkflowExecutionUpdate,
  ExecuteMultiOperation: multiOperation.executeMultiOperation,
  ResetStickyTaskQueue: workflowExecution.resetStickyTaskQueue,
  ResetWorkflowExecution: workflowExecution.resetWorkflowExecution,
  DeleteWorkflowExecution: workflowExecution.deleteWorkflowExecution,
  ListWorkflowExecutions: visibility.listWorkflowExecutions,
  ScanWorkflowExecutions: visibility.scanWorkflowExecutions,
  CountWorkflowExecutions: visibility.countWorkflowExecutions,
  GetSearchAttributes: visibility.getSearchAttributes,
  GetWorkflowExecutionHistory: workflowExecution.getWorkflowExecutionHistory,
  GetWorkflowExecutionHistoryReverse: workflowExecution.getWorkflowExecutionHistoryReverse,
  PollWorkflowTaskQueue: workflowTask.pollWorkflowTaskQueue,
  RespondWorkflowTaskCompleted: workflowTask.respondWorkflowTaskCompleted,
  RespondWorkflowTaskFailed: workflowTask.respondWorkflowTaskFailed,
  ShutdownWorker: workflowTask.shutdownWorker,
  RespondQueryTaskCompleted: workflowTask.respondQueryTaskCompleted,
  PollActivityTaskQueue: activityTask.pollActivityTaskQueue,
  RespondActivityTaskCompleted: activityTask.respondActivityTaskCompleted,
  RespondActivityTaskFailed: activityTask.respondActivityTaskFailed,
  RespondActivityTaskCanceled: activityTask.respondActivityTaskCanceled,
  RecordActivityTaskHeartbeat: activityTask.recordActivityTaskHeartbeat,
  RespondActivityTaskCompletedById: activityTask.respondActivityTaskCompletedById,
  RespondActivityTaskFailedById: activityTask.respondActivityTaskFailedById,
  RespondActivityTaskCanceledById: activityTask.respondActivityTaskCanceledById,
  RecordActivityTaskHeartbeatById: activityTask.recordActivityTaskHeartbeatById,
  PauseActivity: activityControl.pauseActivity,
  UnpauseActivity: activityControl.unpauseActivity,
  ResetActivity: activityControl.resetActivity,
  UpdateActivityOptions: activityControl.updateActivityOptions,
  DescribeTaskQueue: taskQueue.describeTaskQueue,
  ListTaskQueuePartitions: taskQueue.listTaskQueuePartitions,
  CreateSchedule: schedule.createSchedule,
  DescribeSchedule: schedule.describeSchedule,
  UpdateSchedule: schedule.updateSchedule,
  PatchSchedule: schedule.patchSchedule,
  DeleteSchedule: schedule.deleteSchedule,
  ListSchedules: schedule.listSchedules,
  ListScheduleMatchingTimes: schedule.listScheduleMatchingTimes,
};

export const operatorHandlers: HandlerTable = {
  AddSearchAttributes: visibility.addSearchAttributes,
  RemoveSearchAttributes: visibility.removeSearchAttributes,
  ListSearchAttributes: visibility.listSearchAttributes,
};

export const healthHandlers: HandlerTable = {
  Check: () => Promise.resolve({ status: 1 /* SERVING */ }),
};

export const testServiceHandlers: HandlerTable = {
  LockTimeSkipping: testService.lockTimeSkipping,
  UnlockTimeSkipping: testService.unlockTimeSkipping,
  Sleep: testService.sleep,
  SleepUntil: testService.sleepUntil,
  UnlockTimeSkippingWithSleep: testService.unlockTimeSkippingWithSleep,
  GetCurrentTime: testService.getCurrentTime,
};
