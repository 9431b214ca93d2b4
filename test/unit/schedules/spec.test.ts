import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { msToDuration, msToTimestamp, type temporal } from '../../../src/common/proto';
import { canonicalize, futureActionTimes, matchingTimes, nextTime, type CompiledSpec } from '../../../src/schedules/spec';

// A schedule spec's matching times, as Temporal's CompiledSpec.GetNextTime (service/worker/scheduler/spec_test.go,
// whose cases and jittered times are ported here), ListScheduleMatchingTimes and Describe's future action times
// (chasm/lib/scheduler/scheduler.go, generator.go).

type IScheduleSpec = temporal.api.schedule.v1.IScheduleSpec;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const every = (ms: number, phaseMs?: number): temporal.api.schedule.v1.IIntervalSpec =>
  phaseMs === undefined ? { interval: msToDuration(ms) } : { interval: msToDuration(ms), phase: msToDuration(phaseMs) };

/** Follows nextTime from `start`, each search from the previous (jittered) time, as Temporal's scheduler does. */
function sequence(spec: IScheduleSpec | CompiledSpec, start: string, count: number, jitterSeed = ''): string[] {
  const compiled = 'canonical' in spec ? spec : canonicalize(spec);
  const times: string[] = [];
  let after = at(start);
  for (let i = 0; i < count; i++) {
    const next = nextTime(compiled, after, { jitterSeed });
    if (!next) break;
    times.push(iso(next.nextMs));
    after = next.nextMs;
  }
  return times;
}

describe('intervals', () => {
  test('every 90 minutes, counted from the unix epoch', () => {
    assert.deepEqual(sequence({ interval: [every(90 * MINUTE)] }, '2022-03-23T12:53:02.000Z', 4), [
      '2022-03-23T13:30:00.000Z',
      '2022-03-23T15:00:00.000Z',
      '2022-03-23T16:30:00.000Z',
      '2022-03-23T18:00:00.000Z',
    ]);
  });

  test('with a phase', () => {
    assert.deepEqual(sequence({ interval: [every(90 * MINUTE, 5 * MINUTE + 44_000)] }, '2022-03-23T12:53:02.000Z', 2), [
      '2022-03-23T13:35:44.000Z',
      '2022-03-23T15:05:44.000Z',
    ]);
  });

  test('@every 1h30m/5m as a cron string is the same interval with a phase', () => {
    assert.deepEqual(sequence({ cronString: ['@every 1h30m/5m'] }, '2022-03-23T12:53:02.000Z', 2), ['2022-03-23T13:35:00.000Z', '2022-03-23T15:05:00.000Z']);
  });

  test('several intervals give the union of their times', () => {
    const spec = { interval: [every(90 * MINUTE, 5 * MINUTE + 44_000), every(157 * MINUTE, 22 * MINUTE + 11_000)] };
    assert.deepEqual(sequence(spec, '2022-03-23T12:53:02.000Z', 7), [
      '2022-03-23T13:35:44.000Z',
      '2022-03-23T15:05:44.000Z',
      '2022-03-23T15:26:11.000Z',
      '2022-03-23T16:35:44.000Z',
      '2022-03-23T18:03:11.000Z',
      '2022-03-23T18:05:44.000Z',
      '2022-03-23T19:35:44.000Z',
    ]);
  });
});

describe('calendars and cron strings', () => {
  const fiveAndSeven = ['2022-03-23T05:23:00.000Z', '2022-03-23T07:23:00.000Z', '2022-03-24T05:23:00.000Z', '2022-03-24T07:23:00.000Z'];

  test('a calendar', () => {
    assert.deepEqual(sequence({ calendar: [{ hour: '5,7', minute: '23' }] }, '2022-03-23T03:00:00Z', 4), fiveAndSeven);
  });

  test('several calendars, and calendars with cron strings, give the union of their times', () => {
    const union = ['2022-03-23T05:23:00.000Z', '2022-03-23T07:23:00.000Z', '2022-03-23T11:55:00.000Z', '2022-03-23T13:55:00.000Z', '2022-03-24T05:23:00.000Z'];
    assert.deepEqual(
      sequence(
        {
          calendar: [
            { hour: '5,7', minute: '23' },
            { hour: '11,13', minute: '55' },
          ],
        },
        '2022-03-23T03:00:00Z',
        5,
      ),
      union,
    );
    assert.deepEqual(sequence({ calendar: [{ hour: '5,7', minute: '23' }], cronString: ['55 11,13 * * *'] }, '2022-03-23T03:00:00Z', 5), union);
  });

  test('calendars with intervals', () => {
    const spec = { calendar: [{ hour: '11,13', minute: '55' }], interval: [every(90 * MINUTE, 7 * MINUTE)] };
    assert.deepEqual(sequence(spec, '2022-03-23T10:00:00Z', 6), [
      '2022-03-23T10:37:00.000Z',
      '2022-03-23T11:55:00.000Z',
      '2022-03-23T12:07:00.000Z',
      '2022-03-23T13:37:00.000Z',
      '2022-03-23T13:55:00.000Z',
      '2022-03-23T15:07:00.000Z',
    ]);
  });

  test('0 12 * * MON-FRI is noon on weekdays, in the time zone named', () => {
    assert.deepEqual(sequence({ cronString: ['0 12 * * MON-FRI'], timezoneName: 'America/New_York' }, '2024-03-08T00:00:00Z', 3), [
      '2024-03-08T17:00:00.000Z', // Friday, EST
      '2024-03-11T16:00:00.000Z', // Monday, EDT
      '2024-03-12T16:00:00.000Z',
    ]);
  });

  test('*/15 in the minute field is every quarter hour', () => {
    assert.deepEqual(sequence({ cronString: ['*/15 * * * *'] }, '2024-01-01T10:07:00Z', 4), [
      '2024-01-01T10:15:00.000Z',
      '2024-01-01T10:30:00.000Z',
      '2024-01-01T10:45:00.000Z',
      '2024-01-01T11:00:00.000Z',
    ]);
  });

  test('the last day of every month, as a calendar per month length (Temporal has no "L")', () => {
    const spec = {
      structuredCalendar: [
        { month: [{ start: 1 }, { start: 3 }, { start: 5 }, { start: 7, end: 8 }, { start: 10 }, { start: 12 }], dayOfMonth: [{ start: 31 }] },
        { month: [{ start: 4 }, { start: 6 }, { start: 9 }, { start: 11 }], dayOfMonth: [{ start: 30 }] },
        { month: [{ start: 2 }], dayOfMonth: [{ start: 29 }], year: [{ start: 2000, end: 2100, step: 4 }] },
        {
          month: [{ start: 2 }],
          dayOfMonth: [{ start: 28 }],
          year: [
            { start: 2001, end: 2003 },
            { start: 2005, end: 2007 },
            { start: 2025, end: 2027 },
          ],
        },
      ].map((cal) => ({ second: [{ start: 0 }], minute: [{ start: 0 }], hour: [{ start: 0 }], dayOfWeek: [{ start: 0, end: 6 }], ...cal })),
    };
    assert.deepEqual(sequence(spec, '2024-01-15T00:00:00Z', 4), [
      '2024-01-31T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
      '2024-03-31T00:00:00.000Z',
      '2024-04-30T00:00:00.000Z',
    ]);
    assert.deepEqual(sequence(spec, '2025-02-01T00:00:00Z', 1), ['2025-02-28T00:00:00.000Z']);
  });
});

describe('exclusions, start and end', () => {
  test('excluded times are skipped (jittered times from Temporal)', () => {
    const spec = { interval: [every(90 * MINUTE)], excludeCalendar: [{ hour: '12-14', minute: '*', second: '*' }], jitter: msToDuration(1000) };
    assert.deepEqual(sequence(spec, '2022-03-23T08:00:00Z', 4), [
      '2022-03-23T09:00:00.235Z',
      '2022-03-23T10:30:00.139Z',
      '2022-03-23T15:00:00.089Z',
      '2022-03-23T16:30:00.687Z',
    ]);
  });

  test('a spec whose every time is excluded has no next time', () => {
    const spec = canonicalize({ interval: [every(7 * 24 * HOUR)], excludeCalendar: [{ second: '*', minute: '*', hour: '*' }] });
    assert.equal(nextTime(spec, at('2022-03-23T12:53:02.009Z')), undefined);
  });

  test('the search gives up after too many excluded candidates; ListScheduleMatchingTimes says so', () => {
    const spec = canonicalize({ calendar: [{ second: '*', minute: '*', hour: '*' }], excludeCalendar: [{ second: '*', minute: '*', hour: '*' }] });
    assert.throws(() => nextTime(spec, at('2022-03-23T12:00:00Z'), { maxIterations: 10_000 }), { name: 'SpecComputeLimitExceeded' });
    assert.throws(() => matchingTimes(spec, at('2022-03-23T12:00:00Z'), at('2022-03-24T12:00:00Z'), { maxIterations: 10_000 }), {
      code: 'INVALID_ARGUMENT',
      message: 'the schedule calendar specification has too many exclusions. Please modify the specification.',
    });
    assert.deepEqual(futureActionTimes(spec, at('2022-03-23T12:00:00Z'), 10, { maxIterations: 10_000 }), []);
  });

  test('an exclusion leaving only second 59 is searched through', () => {
    const spec = canonicalize({ calendar: [{ second: '*', minute: '*', hour: '*' }], excludeCalendar: [{ second: '0-58', minute: '*', hour: '*' }] });
    assert.equal(iso(nextTime(spec, at('2022-03-23T12:00:00Z'))?.nominalMs ?? 0), '2022-03-23T12:00:59.000Z');
  });

  test('nothing before the start time, which itself can match', () => {
    const spec = { interval: [every(90 * MINUTE)], startTime: msToTimestamp(at('2022-03-23T12:00:00Z')), jitter: msToDuration(1000) };
    assert.deepEqual(sequence(spec, '2022-03-23T08:00:00Z', 3), ['2022-03-23T12:00:00.162Z', '2022-03-23T13:30:00.587Z', '2022-03-23T15:00:00.089Z']);
  });

  test('a start time with a fraction of a second does not bring back the second it starts in', () => {
    const spec = { interval: [every(HOUR)], startTime: msToTimestamp(at('2022-03-23T12:00:00.456Z')) };
    assert.deepEqual(sequence(spec, '2022-03-23T12:00:00.123Z', 1), ['2022-03-23T13:00:00.000Z']);
  });

  test('nothing after the end time', () => {
    const spec = { interval: [every(90 * MINUTE)], endTime: msToTimestamp(at('2022-03-23T14:00:00Z')), jitter: msToDuration(1000) };
    assert.deepEqual(sequence(spec, '2022-03-23T11:00:00Z', 5), ['2022-03-23T12:00:00.162Z', '2022-03-23T13:30:00.587Z']);
  });
});

describe('jitter', () => {
  test('is capped by the gap to the following nominal time', () => {
    assert.deepEqual(sequence({ interval: [every(90 * MINUTE)], jitter: msToDuration(24 * HOUR) }, '2022-03-23T11:00:00Z', 3), [
      '2022-03-23T12:14:36.524Z',
      '2022-03-23T14:22:54.562Z',
      '2022-03-23T15:08:03.724Z',
    ]);
  });

  test('applies to a single run, and none without jitter', () => {
    const calendar = [{ hour: '13', minute: '55', dayOfMonth: '7', month: '4', year: '2022' }];
    assert.deepEqual(sequence({ calendar }, '2022-03-23T11:00:00Z', 2), ['2022-04-07T13:55:00.000Z']);
    assert.deepEqual(sequence({ calendar, jitter: msToDuration(HOUR) }, '2022-03-23T11:00:00Z', 1), ['2022-04-07T13:57:26.927Z']);
  });

  test('depends on the seed, the same on every call', () => {
    const spec = canonicalize({ interval: [every(24 * HOUR)], jitter: msToDuration(HOUR) });
    assert.deepEqual(sequence(spec, '2022-03-23T11:00:00Z', 1), ['2022-03-24T00:35:24.276Z']);
    assert.deepEqual(sequence(spec, '2022-03-23T11:00:00Z', 1, 'seed-1'), ['2022-03-24T00:06:12.519Z']);
    assert.deepEqual(sequence(spec, '2022-03-23T11:00:00Z', 1, 'seed-2'), ['2022-03-24T00:39:16.922Z']);
    assert.deepEqual(sequence(spec, '2022-03-23T11:00:00Z', 1, 'seed-2'), ['2022-03-24T00:39:16.922Z']);
  });

  test('stays within [nominal, nominal + jitter)', () => {
    const spec = canonicalize({ cronString: ['@hourly'], jitter: msToDuration(10 * MINUTE) });
    let after = at('2024-01-01T00:00:00Z');
    for (let i = 0; i < 200; i++) {
      const next = nextTime(spec, after, { jitterSeed: 'ns-id-schedule-id' });
      assert.ok(next && next.nextMs >= next.nominalMs && next.nextMs < next.nominalMs + 10 * MINUTE);
      after = next.nextMs;
    }
  });
});

describe('ListScheduleMatchingTimes and future action times', () => {
  const spec = canonicalize({ interval: [every(HOUR)], jitter: msToDuration(MINUTE) });

  test('matching times are the jittered times within the range', () => {
    const times = matchingTimes(spec, at('2024-01-01T00:00:00Z'), at('2024-01-01T03:30:00Z'), { jitterSeed: 's' });
    assert.deepEqual(times, sequence(spec, '2024-01-01T00:00:00Z', 3, 's').map(at));
    assert.equal(matchingTimes(canonicalize({ cronString: ['* * * * *'] }), 0, at('2024-01-01T00:00:00Z')).length, 1000);
  });

  test('future action times are the next ones from the same search, as many as asked for', () => {
    assert.deepEqual(futureActionTimes(spec, at('2024-01-01T00:00:00Z'), 5, { jitterSeed: 's' }), sequence(spec, '2024-01-01T00:00:00Z', 5, 's').map(at));
    const ending = canonicalize({ interval: [every(HOUR)], endTime: msToTimestamp(at('2024-01-01T02:30:00Z')) });
    assert.equal(futureActionTimes(ending, at('2024-01-01T00:00:00Z'), 10).length, 2);
  });
});
