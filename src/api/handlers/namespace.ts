import { durationToMs, enums, msToDuration, type workflowservice } from '../../common/proto';
import type { NamespaceRecord } from '../../store/records';
import { requireField, requireNonNegativeDuration } from '../validation';
import type { HandlerContext } from './context';
import { DEV_SERVER_ATTRIBUTES } from '../../visibility/search-attributes';

export async function registerNamespace(
  ctx: HandlerContext,
  req: workflowservice.IRegisterNamespaceRequest,
): Promise<workflowservice.IRegisterNamespaceResponse> {
  requireField(req.namespace, 'Namespace is not set on request.');
  requireNonNegativeDuration(req.workflowExecutionRetentionPeriod, 'WorkflowExecutionRetentionPeriod');
  const ns = await ctx.namespaces.register({
    name: req.namespace ?? '',
    description: req.description ?? '',
    ownerEmail: req.ownerEmail ?? '',
    retentionMs: durationToMs(req.workflowExecutionRetentionPeriod),
    data: { ...(req.data ?? {}) },
  });
  await ctx.searchAttributes.add(ns.id, new Map(DEV_SERVER_ATTRIBUTES));
  return {};
}

export async function describeNamespace(
  ctx: HandlerContext,
  req: workflowservice.IDescribeNamespaceRequest,
): Promise<workflowservice.IDescribeNamespaceResponse> {
  const ns = req.id ? (await ctx.namespaces.list()).find((n) => n.id === req.id) : undefined;
  return namespaceResponse(ns ?? (await ctx.namespaces.resolve(req.namespace)));
}

export async function listNamespaces(ctx: HandlerContext): Promise<workflowservice.IListNamespacesResponse> {
  const all = await ctx.namespaces.list();
  return { namespaces: all.map(namespaceResponse), nextPageToken: new Uint8Array() };
}

export async function updateNamespace(ctx: HandlerContext, req: workflowservice.IUpdateNamespaceRequest): Promise<workflowservice.IUpdateNamespaceResponse> {
  const ns = { ...(await ctx.namespaces.resolve(req.namespace)) };
  const info = req.updateInfo;
  if (info) {
    if (info.description) ns.description = info.description;
    if (info.ownerEmail) ns.ownerEmail = info.ownerEmail;
    if (info.data) ns.data = { ...ns.data, ...info.data };
  }
  if (req.config?.workflowExecutionRetentionTtl) {
    requireNonNegativeDuration(req.config.workflowExecutionRetentionTtl, 'WorkflowExecutionRetentionTtl');
    ns.retentionMs = durationToMs(req.config.workflowExecutionRetentionTtl);
  }
  await ctx.namespaces.update(ns);
  return { ...namespaceResponse(ns), isGlobalNamespace: false };
}

function namespaceResponse(ns: NamespaceRecord): workflowservice.IDescribeNamespaceResponse {
  return {
    namespaceInfo: {
      name: ns.name,
      id: ns.id,
      state: ns.state,
      description: ns.description,
      ownerEmail: ns.ownerEmail,
      data: ns.data,
      // Clients gate features on these: updates are served (waiting for COMPLETED and for ACCEPTED),
      // and so is eager workflow start (Temporal's system.enableEagerWorkflowStart, on by default). Worker behaviour switches
      // (graceful poll shutdown, heartbeats, autoscaling) stay off until implemented.
      capabilities: { eagerWorkflowStart: true, syncUpdate: true, asyncUpdate: true },
      supportsSchedules: true,
    },
    config: {
      workflowExecutionRetentionTtl: msToDuration(ns.retentionMs),
      historyArchivalState: enums.ArchivalState.ARCHIVAL_STATE_DISABLED,
      visibilityArchivalState: enums.ArchivalState.ARCHIVAL_STATE_DISABLED,
    },
    replicationConfig: { activeClusterName: 'active', clusters: [{ clusterName: 'active' }], state: enums.ReplicationState.REPLICATION_STATE_NORMAL },
    isGlobalNamespace: false,
    failoverHistory: [],
  };
}
