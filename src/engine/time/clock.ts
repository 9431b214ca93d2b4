/** Engine time: the real clock, or a virtual one that the time-skipping mode moves forward. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Virtual time: real time plus an offset. It flows at real speed and only ever jumps forward, so
 * timestamps stay monotonic across skips.
 */
export class VirtualClock implements Clock {
  private offset: number;

  constructor(initialTime?: number) {
    this.offset = initialTime === undefined ? 0 : initialTime - Date.now();
  }

  now(): number {
    return Date.now() + this.offset;
  }

  advanceTo(time: number): void {
    const now = this.now();
    if (time > now) this.offset += time - now;
  }
}
