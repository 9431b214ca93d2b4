/** Engine time. The real clock now; the time-skipping mode will provide a virtual one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
