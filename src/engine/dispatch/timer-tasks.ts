import { ServiceError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { RunRef } from '../../store/records';
import { fireDueTimeouts } from '../state/timeouts';
import type { Clock } from '../time/clock';
import { TimerQueue } from '../time/timer-queue';
import type { WorkInFlight } from '../time/work-in-flight';
import type { RunTransactions } from '../transactions';
import type { Matching } from './matching';

export interface TimerTaskHost {
  transactions: RunTransactions;
  matching: Pick<Matching, 'isLive'>;
  logger: Logger;
  clock: Clock;
  inFlight: WorkInFlight;
  /** A started workflow task timed out: what rode on it waits for the next attempt. */
  onWorkflowTaskFailure(runId: string): void;
}

/**
 * Temporal's timer tasks: each open run's earliest deadline (user timers, timeouts, backoffs) in
 * one queue; when it comes, the run is re-read and everything due fires in one transaction.
 */
export class TimerTasks {
  private readonly runs = new Map<string, RunRef>();
  readonly queue: TimerQueue;

  constructor(private readonly host: TimerTaskHost) {
    this.queue = new TimerQueue(host.clock, (runId) => void this.fire(runId));
  }

  /** Arms the run's next deadline; undefined disarms it and forgets the run. */
  schedule(ref: RunRef, at: number | undefined): void {
    if (at === undefined) this.runs.delete(ref.runId);
    else this.runs.set(ref.runId, { namespaceId: ref.namespaceId, workflowId: ref.workflowId, runId: ref.runId });
    this.queue.set(ref.runId, at);
  }

  close(): void {
    this.queue.close();
  }

  private async fire(runId: string): Promise<void> {
    const ref = this.runs.get(runId);
    if (!ref) return;
    const { host } = this;
    await host.inFlight.during(async () => {
      try {
        const timedOutTask = await host.transactions.update(ref, (m) => {
          const before = m.ms.workflowTask;
          fireDueTimeouts(m, (queue) => host.matching.isLive(m.ms.namespaceId, 'workflow', queue));
          return before?.startedEventId !== undefined && m.ms.workflowTask !== before;
        });
        if (timedOutTask) host.onWorkflowTaskFailure(runId);
      } catch (err) {
        if (err instanceof ServiceError && err.code === 'NOT_FOUND') return;
        host.logger.error('timer processing failed', { runId, error: String(err) });
        // Try again shortly rather than lose the deadline.
        this.queue.set(runId, host.clock.now() + 1000);
      }
    });
  }
}
