import { invalidArgument, workflowAlreadyCompleted, workflowNotFound } from '../../common/errors';
import { durationToMs, type activity, type common, type IDuration, type workflowservice } from '../../common/proto';
import type { ActivityInfo, NamespaceRecord } from '../../store/records';
import { readEvent, type HistoryStore } from '../history-reader';
import { applyActivityOptions, currentActivityOptions, mergeActivityOptions, originalActivityOptions, parseUpdateMask } from '../state/activity-options';
import { pauseActivity, resetActivity, targetedActivities, unpauseActivity, type ActivityTarget } from '../state/activity-pause';
import type { RunMutator } from '../state/mutator';
import type { RunTransactions } from '../transactions';

export interface ActivityControlHost {
  transactions: RunTransactions;
  store: HistoryStore;
  /** A number in [0, 1): where within a request's jitter the next attempt is dispatched. */
  random(): number;
}

/**
 * PauseActivity, UnpauseActivity, ResetActivity and UpdateActivityOptions (Temporal's
 * service/history/api/pauseactivity, unpauseactivity, resetactivity, updateactivityoptions): each
 * changes the addressed pending activities of one running workflow in one transaction.
 */
export class ActivityControls {
  constructor(private readonly host: ActivityControlHost) {}

  async pauseActivity(ns: NamespaceRecord, req: workflowservice.IPauseActivityRequest, target: ActivityTarget): Promise<void> {
    await this.updateActivities(ns, req.execution, target, (m, a) =>
      pauseActivity(a, { pauseTime: m.now, identity: req.identity ?? '', reason: req.reason ?? '', requestId: req.requestId ?? '' }),
    );
  }

  async unpauseActivity(ns: NamespaceRecord, req: workflowservice.IUnpauseActivityRequest, target: ActivityTarget): Promise<void> {
    await this.updateActivities(ns, req.execution, target, (m, a) =>
      unpauseActivity(a, m.now, { resetAttempts: req.resetAttempts === true, resetHeartbeat: req.resetHeartbeat === true, delayMs: this.jitter(req.jitter) }),
    );
  }

  async resetActivity(ns: NamespaceRecord, req: workflowservice.IResetActivityRequest, target: ActivityTarget): Promise<void> {
    await this.updateActivities(ns, req.execution, target, async (m, a) => {
      const originalOptions = req.restoreOriginalOptions ? await this.originalOptions(m, a) : undefined;
      resetActivity(a, m.now, {
        resetHeartbeat: req.resetHeartbeat === true,
        keepPaused: req.keepPaused === true,
        delayMs: this.jitter(req.jitter),
        originalOptions,
        workflowTaskQueue: m.ms.taskQueue,
        runTimeoutMs: m.ms.workflowRunTimeoutMs,
      });
    });
  }

  /** Returns the options the (last) addressed activity runs with now. */
  async updateActivityOptions(
    ns: NamespaceRecord,
    req: workflowservice.IUpdateActivityOptionsRequest,
    target: ActivityTarget,
  ): Promise<activity.IActivityOptions> {
    const mask = parseUpdateMask(req.updateMask?.paths ?? []);
    if (req.restoreOriginal && req.updateMask && mask.size > 0) throw invalidArgument('Both UpdateMask and RestoreOriginal are provided');
    let applied: activity.IActivityOptions = {};
    await this.updateActivities(
      ns,
      req.execution,
      target,
      async (m, a) => {
        const options = req.restoreOriginal
          ? await this.originalOptions(m, a)
          : mergeActivityOptions(currentActivityOptions(a), req.activityOptions ?? {}, mask);
        applied = applyActivityOptions(a, options, m.ms.taskQueue, m.ms.workflowRunTimeoutMs);
      },
      () => {
        if (req.restoreOriginal) return;
        if (!req.activityOptions) throw invalidArgument('ActivityOptions are not provided');
      },
      () => {
        if (!req.restoreOriginal && !req.updateMask) throw invalidArgument('UpdateMask is not provided');
      },
    );
    return applied;
  }

  /**
   * Applies `fn` to a private copy of each addressed activity, in one transaction. A closed run answers
   * NOT_FOUND ("workflow execution already completed"), an address that names no pending activity
   * Temporal's ErrActivityNotFound; `beforeTarget` / `afterTarget` are request checks Temporal makes
   * around that lookup, so a request with several faults is refused for the same one.
   */
  private async updateActivities(
    ns: NamespaceRecord,
    execution: common.IWorkflowExecution | null | undefined,
    target: ActivityTarget,
    fn: (m: RunMutator, a: ActivityInfo) => void | Promise<void>,
    beforeTarget?: () => void,
    afterTarget?: () => void,
  ): Promise<void> {
    const { transactions } = this.host;
    const ms = await transactions.load(ns.id, execution?.workflowId ?? '', execution?.runId ?? '');
    const result = await transactions.tryUpdate(
      ms,
      async (m) => {
        if (!m.isRunning()) throw workflowAlreadyCompleted();
        beforeTarget?.();
        const ids = targetedActivities(m.ms, target);
        afterTarget?.();
        for (const id of ids) {
          const a = m.activity(id);
          if (a) await fn(m, a);
        }
        return true;
      },
      true,
    );
    if (!result) throw workflowNotFound(ms.workflowId, ms.runId);
  }

  private async originalOptions(m: RunMutator, a: ActivityInfo): Promise<activity.IActivityOptions> {
    const scheduled = (await readEvent(this.host.store, m.ms.runId, a.scheduledEventId))?.activityTaskScheduledEventAttributes;
    if (!scheduled) throw invalidArgument('ActivityTaskScheduledEvent is invalid');
    return originalActivityOptions(scheduled);
  }

  /** Temporal's jitter: a random offset in [0, jitter). */
  private jitter(jitter: IDuration | null | undefined): number {
    const ms = durationToMs(jitter);
    return ms > 0 ? Math.floor(this.host.random() * ms) : 0;
  }
}
