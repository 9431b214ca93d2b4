import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceError } from '../../../src/common/errors';
import { msToDuration, msToTimestamp, toNumber, type temporal } from '../../../src/common/proto';
import { canonicalize, cleanSpec } from '../../../src/schedules/spec';
import { fingerprint32 } from '../../../src/schedules/spec/jitter';

// The canonical form of a schedule spec (what CreateSchedule stores and DescribeSchedule shows) and the
// INVALID_ARGUMENT answers to bad specs, as Temporal's frontend canonicalizeScheduleSpec and the scheduler's
// canonicalizeSpec (service/worker/scheduler/spec_test.go: TestCanonicalize).

type IScheduleSpec = temporal.api.schedule.v1.IScheduleSpec;
const HOUR = 3_600_000;

function rejected(spec: IScheduleSpec): string {
  try {
    canonicalize(spec);
  } catch (err) {
    assert.ok(err instanceof ServiceError, String(err));
    assert.equal(err.code, 'INVALID_ARGUMENT');
    return err.message;
  }
  assert.fail('expected the spec to be rejected');
}

const fiveAndSeven = {
  second: [{ start: 0 }],
  minute: [{ start: 23 }],
  hour: [{ start: 5 }, { start: 7 }],
  dayOfMonth: [{ start: 1, end: 31 }],
  month: [{ start: 1, end: 12 }],
  year: [],
  dayOfWeek: [{ start: 0, end: 6 }],
};

describe('the canonical form of a spec', () => {
  test('an empty spec stays empty', () => {
    assert.deepEqual(canonicalize({}).canonical, {});
  });

  test('@every becomes an interval', () => {
    const { canonical } = canonicalize({ cronString: ['@every 43h'] });
    assert.equal(canonical.interval?.length, 1);
    assert.equal(toNumber(canonical.interval?.[0]?.interval?.seconds), 43 * 3600);
    assert.equal(canonical.cronString, undefined);
  });

  test('calendars become structured calendars, their empty fields defaulted', () => {
    assert.deepEqual(canonicalize({ calendar: [{ hour: '5,7', minute: '23' }] }).canonical, { structuredCalendar: [fiveAndSeven] });
  });

  test('a cron string without a zone keeps the spec zone, and jitter and start time are kept', () => {
    const spec = {
      cronString: ['23 5,7 * * *'],
      jitter: msToDuration(5 * 60_000),
      startTime: msToTimestamp(Date.parse('2022-03-23T00:00:00Z')),
      timezoneName: 'Europe/London',
    };
    assert.deepEqual(canonicalize(spec).canonical, {
      structuredCalendar: [fiveAndSeven],
      jitter: spec.jitter,
      startTime: spec.startTime,
      timezoneName: 'Europe/London',
    });
  });

  test('a cron string zone becomes the spec zone, or agrees with it', () => {
    assert.equal(canonicalize({ cronString: ['CRON_TZ=Europe/London 23 5,7 * * *'] }).canonical.timezoneName, 'Europe/London');
    assert.deepEqual(canonicalize({ cronString: ['CRON_TZ=Europe/London 23 5,7 * * *'], timezoneName: 'Europe/London' }).canonical, {
      structuredCalendar: [fiveAndSeven],
      timezoneName: 'Europe/London',
    });
  });

  test('canonicalizing a canonical form changes nothing', () => {
    const once = canonicalize({
      cronString: ['CRON_TZ=America/New_York 0 12 * * MON-FRI'],
      interval: [{ interval: msToDuration(90 * 60_000) }],
      excludeCalendar: [{ dayOfMonth: '25', month: 'dec' }],
    });
    assert.deepEqual(canonicalize(once.canonical).canonical, once.canonical);
  });

  test('Describe shows each range with its end and step spelled out', () => {
    const shown = cleanSpec(canonicalize({ calendar: [{ hour: '5,7', minute: '23' }] }).canonical);
    assert.deepEqual(shown.structuredCalendar?.[0]?.hour, [
      { start: 5, end: 5, step: 1 },
      { start: 7, end: 7, step: 1 },
    ]);
    assert.deepEqual(shown.structuredCalendar?.[0]?.dayOfMonth, [{ start: 1, end: 31, step: 1 }]);
  });
});

describe('bad specs are INVALID_ARGUMENT with Temporal messages', () => {
  test('intervals', () => {
    assert.equal(rejected({ interval: [{ interval: msToDuration(-43 * HOUR) }] }), 'Invalid schedule spec: interval is too small');
    assert.equal(rejected({ interval: [{ interval: msToDuration(500) }] }), 'Invalid schedule spec: interval is too small');
    assert.equal(
      rejected({ interval: [{ interval: msToDuration(3 * HOUR), phase: msToDuration(4 * HOUR) }] }),
      'Invalid schedule spec: phase cannot be greater than Interval',
    );
    assert.equal(rejected({ interval: [{ interval: msToDuration(3 * HOUR), phase: msToDuration(-1000) }] }), 'Invalid schedule spec: phase is negative');
    assert.match(
      rejected({ interval: [{ interval: { seconds: msToDuration(HOUR).seconds, nanos: -5 } }] }),
      /^Invalid schedule spec: interval is not a valid duration: proto: duration .* has seconds and nanos with different signs$/,
    );
  });

  test('structured calendar ranges out of range', () => {
    const bad: temporal.api.schedule.v1.IStructuredCalendarSpec[] = [
      { second: [{ start: 100 }] },
      { second: [{ start: -3 }] },
      { second: [{ start: 30, end: 60 }] },
      { second: [{ start: 30, end: 40, step: -3 }] },
      { minute: [{ start: 60 }] },
      { hour: [{ start: 0, end: 24 }] },
      { hour: [{ start: 24, end: 26 }] },
      { hour: [{ start: 16, end: 12 }] },
      { dayOfMonth: [{ start: 0 }] },
      { dayOfMonth: [{ end: 33 }] },
      { month: [{ start: 0 }] },
      { month: [{ end: 13 }] },
      { dayOfWeek: [{ start: 7 }] },
      { dayOfWeek: [{ start: 6, end: 7 }] },
      { year: [{ start: 1999 }] },
      { year: [{ start: 2112 }] },
    ];
    for (const cal of bad) assert.match(rejected({ structuredCalendar: [cal] }), /^Invalid schedule spec: invalid calendar spec: /, JSON.stringify(cal));
    assert.equal(
      rejected({ structuredCalendar: [{ hour: [{ start: 16, end: 12 }], second: [{ start: 30, end: 40, step: -3 }] }] }),
      'Invalid schedule spec: invalid calendar spec: Second has invalid Step, Hour End is before Start or not in range [0-23]',
    );
    assert.equal(rejected({ structuredCalendar: [{ comment: 'x'.repeat(201) }] }), 'Invalid schedule spec: invalid calendar spec: comment is too long');
  });

  test('calendar and cron string fields', () => {
    assert.equal(rejected({ calendar: [{ hour: '25' }] }), 'Invalid schedule spec: Hour is not in range [0-23]');
    assert.equal(rejected({ cronString: ['0 12 * *'] }), 'Invalid schedule spec: CronString does not have 5-7 fields');
    assert.equal(rejected({ excludeCalendar: [{ month: 'smarch' }] }), 'Invalid schedule spec: Month is not in range [1-12]');
  });

  test('time zones: conflicting cron string zones, and unknown names', () => {
    const conflicting = 'Invalid schedule spec: conflicting timezone names';
    assert.equal(rejected({ cronString: ['CRON_TZ=America/New_York 23 5,7 * * *'], timezoneName: 'Europe/London' }), conflicting);
    assert.equal(rejected({ cronString: ['CRON_TZ=Europe/London 23 5,7 * * *', 'CRON_TZ=America/New_York 23 5,7 * * *'] }), conflicting);
    assert.equal(rejected({ cronString: ['CRON_TZ=Europe/London 23 5,7 * * *', '23 5,7 * * *'] }), conflicting);
    assert.equal(rejected({ cronString: ['23 5,7 * * *', 'CRON_TZ=Europe/London 23 5,7 * * *'] }), conflicting);
    // @every drops its zone prefix, so it disagrees with a cron string that has one.
    assert.equal(rejected({ cronString: ['CRON_TZ=America/New_York 0 12 * * *', '@every 90m'] }), conflicting);
    assert.equal(rejected({ timezoneName: 'Nowhere/Special' }), 'Invalid schedule spec: unknown time zone Nowhere/Special');
  });
});

describe('the jitter fingerprint is FarmHash Fingerprint32, as Temporal uses it', () => {
  test('go-farm test vectors for every length class', () => {
    const vectors: [string, number][] = [
      ['', 0xdc56d17a],
      ['abcd', 0x98b51e95],
      ['abcdefgh', 0xfd7ec8b9],
      ['0123456789~01', 0x0d92cafb],
      ['0123456789$0123456789!0', 0xfa88d020],
      ['Discard medicine more than two years old.', 0xe273108f],
      ['How can you write a big system without C++?  -Paul Glick', 0x0819a4e8],
    ];
    for (const [text, expected] of vectors) assert.equal(fingerprint32(new TextEncoder().encode(text)), expected, text);
  });
});
