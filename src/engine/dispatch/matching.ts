import { dispatchKey, type DispatchTask } from './task-generator';

/**
 * Matching: task queues with long-poll waiters. A task offered while a poller waits is handed over
 * at once (sync match); otherwise it waits in the queue's in-memory backlog. Nothing here is
 * persisted: the backlog is rebuilt from mutable state at start-up (`task-generator.ts`).
 */

/** A poller waiting on a task queue. */
export interface Waiter {
  /** The poller's identity (from its poll request). */
  readonly identity: string;
  resolve(task: DispatchTask | undefined): void;
}

interface TaskQueue {
  backlog: DispatchTask[];
  waiters: Waiter[];
  /** When a poller last left this queue (wall clock); with waiters present the queue is live anyway. */
  lastPollEnd: number;
  /** Poller history: identity → when it last polled (wall clock), oldest first. */
  pollers: Map<string, number>;
}

/** A poller seen on a queue within `POLLER_HISTORY_TTL_MS`. */
export interface PollerRecord {
  identity: string;
  /** When it last started or ended a poll (wall clock, ms). */
  lastAccessTime: number;
}

/** What `describe` sees of one queue: recent pollers and the in-memory backlog (query tasks excluded). */
export interface TaskQueueSnapshot {
  pollers: PollerRecord[];
  backlogCount: number;
  /** When the oldest backlogged task entered the backlog (wall clock, ms); undefined when it is empty. */
  oldestBacklogTime?: number;
}

/** A sticky queue nobody polled for this long is treated as gone, as Temporal's matching does. */
const POLLER_LIVENESS_MS = 10_000;
/** Pollers stay listed this long after their last poll (Temporal's `matching.PollerHistoryTTL`). */
export const POLLER_HISTORY_TTL_MS = 5 * 60_000;
/** At most this many pollers are remembered per queue (Temporal's poller history cache size). */
const POLLER_HISTORY_MAX = 1000;
/** At most this many retired sticky queues are remembered (a late task for an older one times out as before). */
const RETIRED_STICKY_MAX = 10_000;

export class Matching {
  private readonly queues = new Map<string, TaskQueue>();
  /** Keys of tasks in a backlog, so re-offering the same task is a no-op, with when each entered it. */
  private readonly queued = new Map<string, number>();
  /**
   * Sticky queues whose worker shut down → the normal queue that worker polled. A task for one of them
   * (the next workflow task of a run the worker had cached) goes to that normal queue instead, as
   * Temporal's history falls back to the normal queue when matching reports the sticky worker unavailable.
   */
  private readonly retired = new Map<string, string>();
  private closed = false;

  /** `wallClock`: real time for poller history and liveness (not the engine's skippable clock). */
  constructor(private readonly wallClock: () => number = Date.now) {}

  /** Offers a task; returns false if the same task is already queued. */
  offer(task: DispatchTask): boolean {
    const key = dispatchKey(task);
    if (this.queued.has(key)) return false;
    const queue = this.queue(task.namespaceId, task.kind, this.route(task.namespaceId, task.kind, task.taskQueue));
    const waiter = queue.waiters.shift();
    if (waiter) {
      waiter.resolve(task);
    } else {
      queue.backlog.push(task);
      this.queued.set(key, this.wallClock());
    }
    return true;
  }

  /**
   * Sync match inside a transaction: takes a waiting poller of the queue, if any, so the caller can
   * start the task in the same commit that schedules it and then hand it over with `resolve`.
   */
  claim(namespaceId: string, kind: DispatchTask['kind'], taskQueue: string): Waiter | undefined {
    // A retired sticky queue's task is started by a normal poller (which clears the run's stickiness), not here.
    if (this.retired.has(queueKey(namespaceId, kind, taskQueue))) return undefined;
    return this.queues.get(queueKey(namespaceId, kind, taskQueue))?.waiters.shift();
  }

  /** Waits up to `timeoutMs` for a task; resolves undefined on timeout, abort or close. */
  poll(
    namespaceId: string,
    kind: DispatchTask['kind'],
    taskQueue: string,
    timeoutMs: number,
    signal?: AbortSignal,
    identity = '',
  ): Promise<DispatchTask | undefined> {
    // Shutting down: no task is handed out that its worker could not complete; the backlog is rebuilt at the next start.
    if (this.closed) return Promise.resolve(undefined);
    const queue = this.queue(namespaceId, kind, taskQueue);
    this.recordPoller(queue, identity);
    const ready = queue.backlog.shift();
    if (ready) {
      // Served at once, this poller never waits: its poll still shows the worker alive. A busy sticky worker whose
      // pollers always find a backlog would otherwise look gone after 10 s, and its runs fall back to the normal queue.
      queue.lastPollEnd = this.wallClock();
      this.queued.delete(dispatchKey(ready));
      return Promise.resolve(ready);
    }
    if (signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        identity,
        resolve: (task) => {
          queue.lastPollEnd = this.wallClock();
          // As in Temporal, a poll's end counts as an access too, unless the poller went away.
          if (!signal?.aborted) this.recordPoller(queue, identity);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(task);
        },
      };
      const leave = (): void => {
        const i = queue.waiters.indexOf(waiter);
        if (i >= 0) queue.waiters.splice(i, 1);
        waiter.resolve(undefined);
      };
      const onAbort = (): void => leave();
      const timer = setTimeout(leave, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.waiters.push(waiter);
    });
  }

  /** Whether a worker is polling this queue now or did so recently, and has not shut down. */
  isLive(namespaceId: string, kind: DispatchTask['kind'], taskQueue: string): boolean {
    // A retired sticky queue is served by its normal queue; the sticky schedule-to-start timeout still bounds the wait.
    if (this.retired.has(queueKey(namespaceId, kind, taskQueue))) return true;
    const queue = this.queues.get(queueKey(namespaceId, kind, taskQueue));
    if (!queue) return false;
    return queue.waiters.length > 0 || this.wallClock() - queue.lastPollEnd < POLLER_LIVENESS_MS;
  }

  /**
   * Pollers seen on the queue in the last `POLLER_HISTORY_TTL_MS` (most recent first) and its backlog.
   * A queue never polled nor offered to, or a retired sticky queue, is empty.
   */
  describe(namespaceId: string, kind: DispatchTask['kind'], taskQueue: string): TaskQueueSnapshot {
    const queue = this.queues.get(queueKey(namespaceId, kind, taskQueue));
    if (!queue) return { pollers: [], backlogCount: 0 };
    const horizon = this.wallClock() - POLLER_HISTORY_TTL_MS;
    const pollers: PollerRecord[] = [];
    for (const [identity, lastAccessTime] of queue.pollers) {
      if (lastAccessTime > horizon) pollers.push({ identity, lastAccessTime });
      else queue.pollers.delete(identity);
    }
    pollers.reverse();
    const tasks = queue.backlog.filter((t) => !t.queryId);
    const oldest = tasks.reduce<number | undefined>((min, t) => {
      const at = this.queued.get(dispatchKey(t));
      return at !== undefined && (min === undefined || at < min) ? at : min;
    }, undefined);
    return { pollers, backlogCount: tasks.length, ...(oldest !== undefined && { oldestBacklogTime: oldest }) };
  }

  /**
   * A worker shut down: its (sticky) queue is forgotten; returns the tasks that were waiting in it. With
   * `normalQueue` (the queue the worker polled), tasks offered to the sticky queue from now on go there.
   */
  retire(namespaceId: string, kind: DispatchTask['kind'], taskQueue: string, normalQueue = ''): DispatchTask[] {
    const key = queueKey(namespaceId, kind, taskQueue);
    if (normalQueue && normalQueue !== taskQueue) {
      this.retired.set(key, normalQueue);
      if (this.retired.size > RETIRED_STICKY_MAX) this.retired.delete(this.retired.keys().next().value as string);
    }
    const queue = this.queues.get(key);
    if (!queue) return [];
    this.queues.delete(key);
    for (const waiter of queue.waiters.splice(0)) waiter.resolve(undefined);
    const orphaned = queue.backlog.splice(0);
    for (const task of orphaned) this.queued.delete(dispatchKey(task));
    return orphaned;
  }

  /** Ends every waiting poll with an empty result. */
  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) {
      for (const waiter of queue.waiters.splice(0)) waiter.resolve(undefined);
    }
  }

  /** The queue that serves tasks for `taskQueue`: itself, or the normal queue of a retired sticky queue. */
  private route(namespaceId: string, kind: DispatchTask['kind'], taskQueue: string): string {
    return this.retired.get(queueKey(namespaceId, kind, taskQueue)) ?? taskQueue;
  }

  private queue(namespaceId: string, kind: DispatchTask['kind'], name: string): TaskQueue {
    const key = queueKey(namespaceId, kind, name);
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { backlog: [], waiters: [], lastPollEnd: 0, pollers: new Map() };
      this.queues.set(key, queue);
    }
    return queue;
  }

  /** Poller history, as Temporal keeps it: by identity (an empty identity is not recorded), bounded. */
  private recordPoller(queue: TaskQueue, identity: string): void {
    if (!identity) return;
    queue.pollers.delete(identity);
    queue.pollers.set(identity, this.wallClock());
    if (queue.pollers.size > POLLER_HISTORY_MAX) queue.pollers.delete(queue.pollers.keys().next().value as string);
  }
}

function queueKey(namespaceId: string, kind: DispatchTask['kind'], name: string): string {
  return `${namespaceId}/${kind}/${name}`;
}
