/**
 * The time skipper below the SDK: Temporal's test-server lock counter, sleepers racing the engine's deadlines, and what
 * holds the clock still (work in flight, and an activity resuming from its own env.sleep).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { VirtualClock } from '../../../src/engine/time/clock';
import { TimeSkipper, type SkippableWork } from '../../../src/engine/time/time-skipping';
import { WorkInFlight } from '../../../src/engine/time/work-in-flight';

const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/**
 * An engine stand-in: deadlines that fire (recording the virtual time they fired at) and a busy-until answer. Like the
 * engine, it asks the skipper to look again once what fired has been processed.
 */
class FakeWork implements SkippableWork {
  readonly deadlines: number[] = [];
  readonly fired: number[] = [];
  busy: (resumedAt: number) => number = () => 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly skipper: TimeSkipper,
  ) {}

  nextDeadline(): number | undefined {
    return this.deadlines.length === 0 ? undefined : Math.min(...this.deadlines);
  }

  busyUntil(resumedAt: number): number {
    return this.busy(resumedAt);
  }

  fireDue(): void {
    const now = this.clock.now();
    for (const at of this.deadlines.filter((d) => d <= now)) {
      this.deadlines.splice(this.deadlines.indexOf(at), 1);
      this.fired.push(at);
    }
    setImmediate(() => this.skipper.poke());
  }
}

function fixture(): { skipper: TimeSkipper; clock: VirtualClock; work: FakeWork } {
  const clock = new VirtualClock(T0);
  const skipper = new TimeSkipper(clock);
  const work = new FakeWork(clock, skipper);
  skipper.attach(work);
  return { skipper, clock, work };
}

function turns(n = 5): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number): void => void (left === 0 ? resolve() : setImmediate(() => step(left - 1)));
    step(n);
  });
}

function isSettled(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void p.then(() => (settled = true));
  return turns().then(() => settled);
}

/** The clock is at `expected` plus at most the real time the test took (`slackMs`). */
function assertNear(actual: number, expected: number, slackMs = 1000): void {
  assert.ok(actual >= expected && actual <= expected + slackMs, `clock at ${actual - T0} ms past T0, expected ${expected - T0} ms`);
}

describe('time skipper: the lock counter', () => {
  test('it starts locked, as the test server does: a sleep waits in real time', async () => {
    const { skipper, clock } = fixture();
    assert.equal(await isSettled(skipper.sleepUntil(clock.now() + HOUR)), false);
    assertNear(clock.now(), T0);
    skipper.close();
  });

  test('unlockAndSleepUntil (env.sleep) with nothing else to do moves the clock by exactly what was asked, then locks again', async () => {
    const { skipper, clock } = fixture();
    await skipper.unlockAndSleepUntil(T0 + DAY);
    assertNear(clock.now(), T0 + DAY);
    assert.equal(await isSettled(skipper.sleepUntil(clock.now() + HOUR)), false, 'locked again');
    skipper.close();
  });

  test('two concurrent env.sleep calls both return and the counter balances back to locked', async () => {
    const { skipper, clock } = fixture();
    await Promise.all([skipper.unlockAndSleepUntil(T0 + HOUR), skipper.unlockAndSleepUntil(T0 + 2 * HOUR)]);
    assertNear(clock.now(), T0 + 2 * HOUR);
    assert.equal(await isSettled(skipper.sleepUntil(clock.now() + HOUR)), false, 'locked again');
    skipper.close();
  });

  test('unlocked with no deadline and no sleeper, the clock only flows in real time', async () => {
    const { skipper, clock } = fixture();
    skipper.unlock();
    await turns();
    assertNear(clock.now(), T0);
    skipper.close();
  });
});

describe('time skipper: deadlines and sleepers', () => {
  test('a workflow deadline before the sleeper fires first, at its own time; the sleeper returns at its own', async () => {
    const { skipper, clock, work } = fixture();
    work.deadlines.push(T0 + 2 * HOUR);
    await skipper.unlockAndSleepUntil(T0 + 3 * HOUR);
    assert.equal(work.fired.length, 1);
    assertNear(work.fired[0] ?? 0, T0 + 2 * HOUR, 0);
    assertNear(clock.now(), T0 + 3 * HOUR);
    skipper.close();
  });

  test('a deadline after the sleeper is left for later: the clock stops at the sleeper', async () => {
    const { skipper, clock, work } = fixture();
    work.deadlines.push(T0 + 5 * HOUR);
    await skipper.unlockAndSleepUntil(T0 + 3 * HOUR);
    assert.deepEqual(work.fired, []);
    assertNear(clock.now(), T0 + 3 * HOUR);
    skipper.close();
  });

  test('work in flight holds the clock until it settles', async () => {
    const { skipper, clock, work } = fixture();
    work.busy = () => Infinity;
    const sleeping = skipper.unlockAndSleepUntil(T0 + HOUR);
    assert.equal(await isSettled(sleeping), false);
    assertNear(clock.now(), T0);
    work.busy = () => 0;
    skipper.poke();
    await sleeping;
    assertNear(clock.now(), T0 + HOUR);
    skipper.close();
  });

  test('after a sleeper wakes, the engine is told when, so a running activity that slept can finish before the next skip', async () => {
    const { skipper, clock, work } = fixture();
    const graceMs = 200;
    let activityRunning = true;
    work.busy = (resumedAt) => (activityRunning ? resumedAt + graceMs : 0);
    work.deadlines.push(T0 + 30 * DAY); // the activity's start-to-close timeout
    skipper.unlock(); // the test awaits the workflow's result
    // The activity's own env.sleep: its grace from the start has long passed (resumedAt is still -Infinity).
    await skipper.unlockAndSleepUntil(T0 + DAY);
    const wokeAt = clock.now();
    assertNear(wokeAt, T0 + DAY);
    await turns();
    assert.deepEqual(work.fired, [], 'the timeout was not skipped to while the activity resumes');
    assertNear(clock.now(), wokeAt, graceMs);
    activityRunning = false; // its completion arrives
    skipper.poke();
    await turns();
    assert.deepEqual(work.fired, [T0 + 30 * DAY]);
    skipper.close();
  });
});

describe('work in flight', () => {
  function inFlight(graceMs = 1000): { flight: WorkInFlight; skipper: TimeSkipper; other: { busy: boolean } } {
    const skipper = new TimeSkipper(new VirtualClock(T0));
    const other = { busy: false };
    return { flight: new WorkInFlight(skipper, () => other.busy, graceMs), skipper, other };
  }

  test('idle runs hold nothing; the latest hold of any run wins', () => {
    const { flight, skipper } = inFlight();
    assert.equal(flight.busyUntil(-Infinity), 0);
    flight.track('a', { until: T0 + 500, activityStarted: false });
    flight.track('b', { until: T0 + 900, activityStarted: false });
    assert.equal(flight.busyUntil(-Infinity), T0 + 900);
    flight.track('b', undefined);
    assert.equal(flight.busyUntil(-Infinity), T0 + 500);
    skipper.close();
  });

  test('a started activity holds the clock for its grace period after a sleeper wakes', () => {
    const { flight, skipper } = inFlight(1000);
    flight.track('a', { until: T0 + 1000, activityStarted: true });
    assert.equal(flight.busyUntil(-Infinity), T0 + 1000);
    assert.equal(flight.busyUntil(T0 + DAY), T0 + DAY + 1000);
    flight.track('a', { until: 0, activityStarted: false });
    assert.equal(flight.busyUntil(T0 + DAY), 0, 'without a started activity a wake holds nothing');
    skipper.close();
  });

  test('deliveries under way and other work hold it without end', async () => {
    const { flight, skipper, other } = inFlight();
    let release = (): void => undefined;
    const delivery = flight.during(() => new Promise<void>((resolve) => (release = resolve)));
    assert.equal(flight.busyUntil(-Infinity), Infinity);
    release();
    await delivery;
    assert.equal(flight.busyUntil(-Infinity), 0);
    other.busy = true;
    assert.equal(flight.busyUntil(-Infinity), Infinity);
    skipper.close();
  });

  test('without a skipper (real time) nothing is tracked', () => {
    const flight = new WorkInFlight(undefined, () => false, 1000);
    flight.track('a', { until: Infinity, activityStarted: true });
    assert.equal(flight.enabled, false);
    assert.equal(flight.busyUntil(T0), 0);
  });
});
