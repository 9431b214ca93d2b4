import type { Matching } from './matching';
import type { DispatchTask } from './task-generator';

/**
 * A long poll on a task queue: waits for a task, records it as started (`start`), and answers
 * empty when the poll period ends. A task whose start turns out stale is skipped; a task taken
 * by a poller that has just gone away, or whose start failed, is offered again, never lost.
 */
export class TaskPoller {
  constructor(
    private readonly matching: Matching,
    private readonly now: () => number,
    /** How long an empty task poll is held (Temporal: ~60 s). */
    private readonly longPollTimeoutMs: number,
  ) {}

  async poll<R extends object>(
    namespaceId: string,
    kind: DispatchTask['kind'],
    queue: string,
    identity: string,
    signal: AbortSignal | undefined,
    start: (task: DispatchTask) => Promise<R | undefined>,
  ): Promise<R | Record<string, never>> {
    const deadline = this.now() + this.longPollTimeoutMs;
    for (;;) {
      const task = await this.matching.poll(namespaceId, kind, queue, Math.max(0, deadline - this.now()), signal, identity);
      if (!task) return {};
      // A task started for this poller in its scheduling transaction cannot go back: if the poller
      // left meanwhile, the task's start-to-close timeout brings it back, as for a lost response.
      if (signal?.aborted && !task.startedRequestId) {
        this.matching.offer(task);
        return {};
      }
      let response: R | undefined;
      try {
        response = await start(task);
      } catch (err) {
        // Its start was not recorded (e.g. a storage fault answered UNAVAILABLE): the task is still the queue's, for
        // the next poll. One started in its scheduling transaction is past that, as above.
        if (!task.startedRequestId && !task.queryId) this.matching.offer(task);
        throw err;
      }
      if (response) return response;
    }
  }
}
