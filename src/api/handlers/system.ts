import type { workflowservice } from '../../common/proto';
import { temporalServerVersion } from '../../version';

/**
 * What the server implements. serverVersion names the Temporal release whose API and behaviour we
 * implement, as tools gate features on it (Hourglass's own version is `hourglass --version`). SDKs
 * gate features on the capability flags, so each is true only when the code behind it exists.
 * (Update support is advertised per namespace, in DescribeNamespace's NamespaceInfo.Capabilities,
 * not here.)
 */
export function getSystemInfo(): Promise<workflowservice.IGetSystemInfoResponse> {
  return Promise.resolve({
    serverVersion: temporalServerVersion,
    capabilities: {
      // Signal headers land in WorkflowExecutionSignaled; a query's header travels with the query to the worker.
      signalAndQueryHeader: true,
      // INTERNAL only ever means an unexpected exception; expected conditions have their own status, and
      // optimistic-concurrency conflicts are retried inside the engine.
      internalErrorDifferentiation: true,
      // RespondActivityTaskFailed's lastHeartbeatDetails are kept for the next attempt.
      activityFailureIncludeHeartbeat: true,
      // The ScheduleService RPCs (CreateSchedule, ListSchedules, ...) are served.
      supportsSchedules: true,
      // Failures are stored and returned as sent, encodedAttributes included.
      encodedFailureAttributes: true,
      // False: no worker-versioning RPCs and no build-ID-based dispatch; workers send a binary checksum instead.
      buildIdBasedVersioning: false,
      // The ModifyWorkflowProperties command merges upsertedMemo into the run's memo.
      upsertMemo: true,
      // StartWorkflowExecution with requestEagerExecution starts the first workflow task in the start's transaction and
      // returns it (not for a cron or delayed start, nor when an existing run is used).
      eagerWorkflowStart: true,
      // WorkflowTaskCompleted records the request's sdkMetadata, so core can keep its flags in history.
      sdkMetadata: true,
      // CountWorkflowExecutions accepts `GROUP BY ExecutionStatus` and answers with groups.
      countGroupByExecutionStatus: true,
      // False: no Nexus endpoints, operations or task handling.
      nexus: false,
      // False: no worker deployments, so nothing for the server to scale.
      serverScaledDeployments: false,
      serverScaledProviderCloudRun: false,
    },
  });
}

export function getClusterInfo(): Promise<workflowservice.IGetClusterInfoResponse> {
  return Promise.resolve({
    supportedClients: {},
    // Temporal's GetClusterInfo reports the same headers.ServerVersion as GetSystemInfo.
    serverVersion: temporalServerVersion,
    clusterId: 'hourglass',
    clusterName: 'active',
    historyShardCount: 1,
    persistenceStore: 'sqlite',
    visibilityStore: 'sqlite',
  });
}
