import type { Clock } from './clock';

/**
 * The in-memory timer queue: for each run, only its earliest deadline. When it comes, the engine
 * re-reads the run and fires everything due (`engine/state/timeouts.ts`), then sets the run's next deadline.
 * One Node timer is armed, for the earliest deadline of all.
 */
export class TimerQueue {
  private readonly deadlines = new Map<string, number>();
  private heap: { at: number; key: string }[] = [];
  private armed: { at: number; handle: NodeJS.Timeout } | undefined;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (key: string) => void,
  ) {}

  /** Sets (or with `undefined` clears) the run's next deadline. */
  set(key: string, at: number | undefined): void {
    if (at === undefined) {
      this.deadlines.delete(key);
      return;
    }
    if (this.deadlines.get(key) === at) return;
    this.deadlines.set(key, at);
    this.push({ at, key });
    this.arm();
  }

  /** The earliest live deadline, if any. */
  peek(): number | undefined {
    for (let top = this.heap[0]; top; top = this.heap[0]) {
      if (this.deadlines.get(top.key) === top.at) return top.at;
      this.pop(); // superseded entry
    }
    return undefined;
  }

  /** Fires what is due now; used after the virtual clock jumped past the armed Node timer. */
  fireDue(): void {
    if (this.armed) clearTimeout(this.armed.handle);
    this.fire();
  }

  close(): void {
    this.closed = true;
    if (this.armed) clearTimeout(this.armed.handle);
    this.armed = undefined;
  }

  private arm(): void {
    if (this.closed) return;
    const top = this.heap[0];
    if (!top) return;
    if (this.armed && this.armed.at <= top.at) return;
    if (this.armed) clearTimeout(this.armed.handle);
    const delay = Math.min(Math.max(0, top.at - this.clock.now()), 2 ** 31 - 1);
    const handle = setTimeout(() => this.fire(), delay);
    handle.unref();
    this.armed = { at: top.at, handle };
  }

  private fire(): void {
    this.armed = undefined;
    const now = this.clock.now();
    for (let top = this.heap[0]; top && top.at <= now; top = this.heap[0]) {
      this.pop();
      if (this.deadlines.get(top.key) !== top.at) continue; // superseded entry
      this.deadlines.delete(top.key);
      this.onDue(top.key);
    }
    this.arm();
  }

  private push(item: { at: number; key: string }): void {
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent];
      if (!p || p.at <= item.at) break;
      h[i] = p;
      i = parent;
    }
    h[i] = item;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (!last || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      let smallestAt = last.at;
      const left = h[l];
      const right = h[r];
      if (left && left.at < smallestAt) {
        smallest = l;
        smallestAt = left.at;
      }
      if (right && right.at < smallestAt) smallest = r;
      if (smallest === i) break;
      h[i] = h[smallest] as { at: number; key: string };
      i = smallest;
    }
    h[i] = last;
  }
}
