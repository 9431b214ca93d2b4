import { hostname } from 'node:os';
import { invalidArgument } from '../../common/errors';
import { enums, int64, msToDuration, msToTimestamp, type taskqueue, type workflowservice } from '../../common/proto';
import type { NamespaceRecord } from '../../store/records';
import type { Matching, TaskQueueSnapshot } from '../dispatch/matching';

export interface TaskQueuesHost {
  matching: Pick<Matching, 'describe'>;
  /** Wall clock (ms): backlog ages are measured against it, as matching records them. */
  wallClock?: () => number;
  /** Owner of every partition in ListTaskQueuePartitions (default: this machine's host name). */
  hostName?: string;
}

/** Temporal's default task dispatch rate (`defaultTaskDispatchRPS`): what a poller without `maxTasksPerSecond` reports. */
const DEFAULT_TASK_DISPATCH_RPS = 100_000;
/** Temporal's default priority key ((5 priority levels + 1) / 2): where all of our backlog is counted. */
const DEFAULT_PRIORITY_KEY = 3;
/** Temporal's task-id block for range id 1 and the default range size, as a freshly loaded queue reports. */
const TASK_ID_BLOCK = { startId: int64(1), endId: int64(100_000) };

const stickyInEnhancedMode = 'Enhanced DescribeTaskQueue is not valid for a sticky queue, use api_mode=UNSPECIFIED or a normal queue.';

/**
 * DescribeTaskQueue and ListTaskQueuePartitions: what matching knows of a queue, read from memory.
 * One node, one partition per queue type; pollers and backlog are matching's (`describe`).
 */
export class TaskQueues {
  constructor(private readonly host: TaskQueuesHost) {}

  /**
   * The request is validated (task queue name set). Default (legacy) mode answers `pollers` for the one
   * `taskQueueType` asked (workflow when unspecified), `stats` with `reportStats` and `taskQueueStatus`
   * with `includeTaskQueueStatus`. The deprecated ENHANCED mode answers `versionsInfo` for the
   * unversioned queue (key ""), per type asked, as Temporal does.
   */
  describeTaskQueue(ns: NamespaceRecord, req: workflowservice.IDescribeTaskQueueRequest): workflowservice.IDescribeTaskQueueResponse {
    const name = req.taskQueue?.name ?? '';
    if (req.apiMode === enums.DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED) {
      if (req.taskQueue?.kind === enums.TaskQueueKind.TASK_QUEUE_KIND_STICKY) throw invalidArgument(stickyInEnhancedMode);
      return { versionsInfo: this.versionsInfo(ns, name, req) };
    }
    const type = req.taskQueueType || enums.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW;
    const snapshot = this.snapshot(ns, name, type);
    const res: workflowservice.IDescribeTaskQueueResponse = { pollers: pollerInfos(snapshot) };
    if (req.reportStats) {
      const stats = this.stats(snapshot);
      res.stats = stats;
      res.statsByPriorityKey = { [DEFAULT_PRIORITY_KEY]: stats };
    }
    if (req.includeTaskQueueStatus) {
      res.taskQueueStatus = {
        backlogCountHint: int64(snapshot.backlogCount),
        readLevel: int64(0),
        ackLevel: int64(0),
        ratePerSecond: DEFAULT_TASK_DISPATCH_RPS,
        taskIdBlock: TASK_ID_BLOCK,
      };
    }
    return res;
  }

  /** One partition per type, keyed by the queue's own name (the root partition), owned by this node. */
  listTaskQueuePartitions(req: workflowservice.IListTaskQueuePartitionsRequest): workflowservice.IListTaskQueuePartitionsResponse {
    const partition = { key: req.taskQueue?.name ?? '', ownerHostName: this.host.hostName ?? hostname() };
    return { activityTaskQueuePartitions: [partition], workflowTaskQueuePartitions: [{ ...partition }] };
  }

  private versionsInfo(ns: NamespaceRecord, name: string, req: workflowservice.IDescribeTaskQueueRequest): Record<string, taskqueue.ITaskQueueVersionInfo> {
    const types = req.taskQueueTypes?.length
      ? req.taskQueueTypes
      : [enums.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, enums.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY];
    // No versions: the default build id, which is the unversioned queue here (no assignment rules).
    const versions = req.versions;
    const buildIds = versions ? [...(versions.buildIds ?? []), ...(versions.unversioned || versions.allActive ? [''] : [])] : [''];
    const out: Record<string, taskqueue.ITaskQueueVersionInfo> = {};
    for (const buildId of new Set(buildIds)) {
      const typesInfo: Record<number, taskqueue.ITaskQueueTypeInfo> = {};
      for (const type of types) {
        // No worker is versioned here: a build id's queues are empty.
        const snapshot = buildId === '' ? this.snapshot(ns, name, type) : { pollers: [], backlogCount: 0 };
        typesInfo[type] = {
          pollers: req.reportPollers ? pollerInfos(snapshot) : [],
          ...(req.reportStats && { stats: this.stats(snapshot) }),
        };
      }
      out[buildId] = { typesInfo, taskReachability: enums.BuildIdTaskReachability.BUILD_ID_TASK_REACHABILITY_UNSPECIFIED };
    }
    return out;
  }

  private snapshot(ns: NamespaceRecord, name: string, type: enums.TaskQueueType): TaskQueueSnapshot {
    if (type === enums.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW) return this.host.matching.describe(ns.id, 'workflow', name);
    if (type === enums.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY) return this.host.matching.describe(ns.id, 'activity', name);
    return { pollers: [], backlogCount: 0 }; // Nexus: no Nexus tasks here.
  }

  /** Backlog count and age from matching's in-memory backlog; rates are not tracked (0). */
  private stats(snapshot: TaskQueueSnapshot): taskqueue.ITaskQueueStats {
    const now = (this.host.wallClock ?? Date.now)();
    const age = snapshot.oldestBacklogTime === undefined ? 0 : Math.max(0, now - snapshot.oldestBacklogTime);
    return {
      approximateBacklogCount: int64(snapshot.backlogCount),
      approximateBacklogAge: msToDuration(age),
      tasksAddRate: 0,
      tasksDispatchRate: 0,
    };
  }
}

function pollerInfos(snapshot: TaskQueueSnapshot): taskqueue.IPollerInfo[] {
  return snapshot.pollers.map((p) => ({
    identity: p.identity,
    lastAccessTime: msToTimestamp(p.lastAccessTime),
    ratePerSecond: DEFAULT_TASK_DISPATCH_RPS,
  }));
}
