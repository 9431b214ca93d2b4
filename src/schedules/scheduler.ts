import { ServiceError, scheduleNotFound } from '../common/errors';
import type { Logger } from '../common/logger';
import { enums, type workflowservice } from '../common/proto';
import type { Clock } from '../engine/time/clock';
import { TimerQueue } from '../engine/time/timer-queue';
import type { PendingStart, ScheduleRecord } from '../store/schedule-records';
import type { ScheduleStore } from '../store/store';
import { compile, fromDoc, startRequest, toDoc } from './schedule-doc';
import { confirmStart, dropStart, recordRunClosed, tick, type ClosedRun, type ScheduleDoc } from './schedule-state';
import type { CompiledSpec } from './spec';

/** What schedules need of the workflows they start; implemented by the server with the engine's RPC modules. */
export interface ScheduleActionHost {
  /** Starts the run; undefined when the workflow id is held by another start (Temporal counts no action then). */
  startWorkflow(namespaceId: string, request: workflowservice.IStartWorkflowExecutionRequest): Promise<{ runId: string } | undefined>;
  requestCancel(namespaceId: string, workflowId: string, runId: string): Promise<void>;
  terminate(namespaceId: string, workflowId: string, runId: string, reason: string): Promise<void>;
  /** The run's outcome once closed; undefined while it runs. */
  closedRun(namespaceId: string, workflowId: string, runId: string): Promise<ClosedRun | undefined>;
  namespaceName(namespaceId: string): string;
}

export interface SchedulerHost {
  store: ScheduleStore;
  clock: Clock;
  logger: Logger;
  actions: ScheduleActionHost;
  /** Time-skipping mode: told when the scheduler's work or deadlines change. */
  poke?: () => void;
}

const key = (namespaceId: string, scheduleId: string): string => `${namespaceId}\n${scheduleId}`;

/** After a storage fault (UNAVAILABLE), when the schedule looks again at what it could not record or start. */
const UNAVAILABLE_RETRY_MS = 1000;
const isUnavailable = (err: unknown): boolean => err instanceof ServiceError && err.code === 'UNAVAILABLE';

/**
 * The schedule runner: one wake-up per schedule in a timer queue on the engine's clock, and every change of a
 * schedule as load → decide (schedule-state.ts) → commit → effects, one schedule at a time. A start is recorded
 * as pending in the commit before it is made and confirmed in the commit after, so a crash in between retries
 * it with the same request id (the engine answers with the run it already started) and never starts it twice.
 */
export class Scheduler {
  private readonly timers: TimerQueue;
  private readonly locks = new Map<string, Promise<unknown>>();
  /** namespace + workflow id of each run a schedule started and watches → the schedule's key. */
  private readonly watched = new Map<string, string>();
  private busy = 0;
  private closed = false;

  constructor(private readonly host: SchedulerHost) {
    this.timers = new TimerQueue(host.clock, (k) => this.onDue(k));
  }

  /** Start-up: re-arms every schedule, retries pending starts and looks at runs that closed while it was down. */
  async recover(): Promise<void> {
    for (const record of await this.host.store.listAllSchedules()) {
      const { namespaceId, scheduleId } = record;
      const k = key(namespaceId, scheduleId);
      // Recent actions still open include ALLOW_ALL runs, whose status Describe shows too.
      const open = record.progress.recentActions.filter((a) => a.status === enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
      for (const r of [...record.progress.running, ...record.progress.pendingStarts, ...open]) this.watched.set(key(namespaceId, r.workflowId), k);
      for (const run of record.progress.running) {
        if (!run.runId) continue;
        const closed = await this.host.actions.closedRun(namespaceId, run.workflowId, run.runId);
        if (closed) await this.update(namespaceId, scheduleId, (doc) => recordRunClosed(doc, closed));
      }
      await this.update(namespaceId, scheduleId, () => undefined);
    }
  }

  /** A new schedule: one transaction, then its first decisions (trigger immediately, backfills). */
  async create(record: ScheduleRecord): Promise<void> {
    const k = key(record.namespaceId, record.scheduleId);
    await this.withLock(k, () => this.host.store.createSchedule(record));
    await this.update(record.namespaceId, record.scheduleId, () => undefined);
  }

  async delete(namespaceId: string, scheduleId: string): Promise<void> {
    const k = key(namespaceId, scheduleId);
    await this.withLock(k, async () => {
      if (!(await this.host.store.deleteSchedule(namespaceId, scheduleId))) throw scheduleNotFound();
      this.timers.set(k, undefined);
    });
  }

  /**
   * Applies `change` to the schedule, then lets it act on the time, under its lock and in one transaction; then
   * arms its wake-up and carries out what it decided. NOT_FOUND when there is no such schedule.
   */
  update<T>(namespaceId: string, scheduleId: string, change: (doc: ScheduleDoc, spec: CompiledSpec, now: number) => T): Promise<T> {
    const k = key(namespaceId, scheduleId);
    return this.withLock(k, async () => {
      try {
        return await this.updateLocked(k, namespaceId, scheduleId, change);
      } catch (err) {
        // The wake-up that brought it here is spent and a pending start may be left: look again shortly.
        if (isUnavailable(err) && !this.closed) this.timers.set(k, this.host.clock.now() + UNAVAILABLE_RETRY_MS);
        throw err;
      }
    });
  }

  private async updateLocked<T>(
    k: string,
    namespaceId: string,
    scheduleId: string,
    change: (doc: ScheduleDoc, spec: CompiledSpec, now: number) => T,
  ): Promise<T> {
    let record = await this.host.store.getSchedule(namespaceId, scheduleId);
    if (!record) throw scheduleNotFound();
    const doc = toDoc(record);
    const now = this.host.clock.now();
    const value = change(doc, compile(doc), now);
    const decided = tick(doc, compile(doc), now);
    record = await this.commit(record, doc);
    this.timers.set(k, this.closed ? undefined : decided.nextWakeup);
    for (const run of decided.cancel) await this.quietly(() => this.host.actions.requestCancel(namespaceId, run.workflowId, run.runId));
    const reason = 'terminated by schedule overlap policy';
    for (const run of decided.terminate) await this.quietly(() => this.host.actions.terminate(namespaceId, run.workflowId, run.runId, reason));
    await this.makeStarts(record, doc);
    return value;
  }

  /** A run closed (engine notification): the schedule that started it, if any, takes note and may start the next. */
  onRunClosed(namespaceId: string, workflowId: string, runId: string): void {
    const k = this.watched.get(key(namespaceId, workflowId));
    if (k === undefined || this.closed) return;
    const [, scheduleId = ''] = k.split('\n');
    this.track(async () => {
      const closed = await this.host.actions.closedRun(namespaceId, workflowId, runId);
      if (!closed) return;
      this.watched.delete(key(namespaceId, workflowId));
      try {
        await this.update(namespaceId, scheduleId, (doc) => recordRunClosed(doc, closed));
      } catch (err) {
        if (!(err instanceof ServiceError && err.code === 'NOT_FOUND')) throw err; // the schedule was deleted meanwhile
      }
    });
  }

  /** Time skipping: the earliest wake-up, whether work is under way, and firing what is due. */
  nextDeadline(): number | undefined {
    return this.timers.peek();
  }
  busyUntil(): number {
    return this.busy > 0 ? Infinity : 0;
  }
  fireDue(): void {
    this.timers.fireDue();
  }

  close(): void {
    this.closed = true;
    this.timers.close();
  }

  private onDue(k: string): void {
    const [namespaceId = '', scheduleId = ''] = k.split('\n');
    this.track(() => this.update(namespaceId, scheduleId, () => undefined));
  }

  /** Runs `work` in the background, holding virtual time still until it is done. */
  private track(work: () => Promise<unknown>): void {
    this.busy++;
    work()
      .catch((err: unknown) => {
        if (!this.closed) this.host.logger.warn('schedule processing failed', { error: String(err) });
      })
      .finally(() => {
        this.busy--;
        this.host.poke?.();
      });
  }

  private async makeStarts(record: ScheduleRecord, doc: ScheduleDoc): Promise<void> {
    const { namespaceId } = doc;
    for (const pending of [...doc.progress.pendingStarts]) {
      this.watched.set(key(namespaceId, pending.workflowId), key(namespaceId, doc.scheduleId));
      const started = await this.start(doc, pending);
      if (started) confirmStart(doc, pending, started.runId);
      else dropStart(doc, pending);
      record = await this.commit(record, doc);
    }
  }

  private async start(doc: ScheduleDoc, pending: PendingStart): Promise<{ runId: string } | undefined> {
    const { actions } = this.host;
    try {
      return await actions.startWorkflow(doc.namespaceId, startRequest(doc, pending, actions.namespaceName(doc.namespaceId)));
    } catch (err) {
      // Not the start's answer: it stays pending, and is made again (same request id) once the store is back.
      if (isUnavailable(err)) throw err;
      this.host.logger.warn('schedule failed to start workflow', { scheduleId: doc.scheduleId, workflowId: pending.workflowId, error: String(err) });
      return undefined;
    }
  }

  private async commit(record: ScheduleRecord, doc: ScheduleDoc): Promise<ScheduleRecord> {
    const next = fromDoc(record, doc);
    await this.host.store.updateSchedule(next, record.dbVersion);
    return next;
  }

  private async quietly(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.host.logger.debug('schedule overlap action had no effect', { error: String(err) });
    }
  }

  /** One change at a time per schedule; a failed change does not block the next. */
  private withLock<T>(k: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(k) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.locks.set(k, tail);
    void tail.then(() => {
      if (this.locks.get(k) === tail) this.locks.delete(k);
    });
    return result;
  }
}
