import type { workflowservice } from '../../common/proto';
import type { HandlerContext } from './context';

/**
 * Capabilities we actually honour. `sdkMetadata` is stored in WorkflowTaskCompleted, so core may
 * record its flags; build-id versioning is off, so workers send a binary checksum instead.
 */
export function getSystemInfo(ctx: HandlerContext): Promise<workflowservice.IGetSystemInfoResponse> {
  return Promise.resolve({
    serverVersion: ctx.serverVersion,
    capabilities: {
      signalAndQueryHeader: true,
      internalErrorDifferentiation: true,
      activityFailureIncludeHeartbeat: true,
      supportsSchedules: false,
      encodedFailureAttributes: true,
      buildIdBasedVersioning: false,
      upsertMemo: true,
      eagerWorkflowStart: false,
      sdkMetadata: true,
      countGroupByExecutionStatus: false,
      nexus: false,
    },
  });
}

export function getClusterInfo(ctx: HandlerContext): Promise<workflowservice.IGetClusterInfoResponse> {
  return Promise.resolve({
    supportedClients: {},
    serverVersion: ctx.serverVersion,
    clusterId: 'hourglass',
    clusterName: 'active',
    historyShardCount: 1,
    persistenceStore: 'sqlite',
    visibilityStore: 'sqlite',
  });
}
