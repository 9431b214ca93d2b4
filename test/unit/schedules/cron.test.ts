import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toNumber } from '../../../src/common/proto';
import { parseCalendarToStructured, parseCronString } from '../../../src/schedules/spec/cron';
import { parseGoDuration } from '../../../src/schedules/spec/go-duration';

// Cron strings and CalendarSpec strings as Temporal reads them (service/worker/scheduler/calendar_test.go:
// TestParseCronString; calendar.go: parseCronString, handlePredefinedCronStrings, parseCronStringInterval).

const seconds = (d: { seconds?: unknown } | null | undefined): number => toNumber(d?.seconds as number | undefined);

describe('cron strings become structured calendars', () => {
  test('five fields: minute hour day-of-month month day-of-week, seconds default to 0 and years to every year', () => {
    const { calendar, interval, timezone } = parseCronString('5,9 */2 * * *');
    assert.deepEqual(calendar, {
      second: [{ start: 0 }],
      minute: [{ start: 5 }, { start: 9 }],
      hour: [{ start: 0, end: 23, step: 2 }],
      dayOfMonth: [{ start: 1, end: 31 }],
      month: [{ start: 1, end: 12 }],
      year: [],
      dayOfWeek: [{ start: 0, end: 6 }],
    });
    assert.equal(interval, undefined);
    assert.equal(timezone, '');
  });

  test('seven fields with a CRON_TZ prefix and a comment', () => {
    const { calendar, timezone } = parseCronString('CRON_TZ=US/Pacific 55 55,57 5 2/2 * wed-thurs *  # explanation');
    assert.deepEqual(calendar, {
      second: [{ start: 55 }],
      minute: [{ start: 55 }, { start: 57 }],
      hour: [{ start: 5 }],
      dayOfMonth: [{ start: 2, end: 31, step: 2 }],
      month: [{ start: 1, end: 12 }],
      year: [],
      dayOfWeek: [{ start: 3, end: 4 }],
      comment: 'explanation',
    });
    assert.equal(timezone, 'US/Pacific');
    assert.equal(parseCronString('TZ=Europe/London 0 12 * * *').timezone, 'Europe/London');
  });

  test('six fields end with the year, which must be in [2000-2100]', () => {
    assert.deepEqual(parseCronString('0 12 * * * 2030').calendar?.year, [{ start: 2030 }]);
    assert.throws(() => parseCronString('0 1 2 3 4 1999'), /Year is not in range/);
  });

  test('@monthly and the other aliases', () => {
    assert.deepEqual(parseCronString('@monthly').calendar, {
      second: [{ start: 0 }],
      minute: [{ start: 0 }],
      hour: [{ start: 0 }],
      dayOfMonth: [{ start: 1 }],
      month: [{ start: 1, end: 12 }],
      year: [],
      dayOfWeek: [{ start: 0, end: 6 }],
    });
    assert.deepEqual(parseCronString('@hourly').calendar?.minute, [{ start: 0 }]);
    assert.deepEqual(parseCronString('@hourly').calendar?.hour, [{ start: 0, end: 23 }]);
    assert.deepEqual(parseCronString('@weekly').calendar?.dayOfWeek, [{ start: 0 }]);
    assert.deepEqual(parseCronString('@yearly'), parseCronString('@annually'));
    assert.deepEqual(parseCronString('@daily'), parseCronString('@midnight'));
  });

  test('weekday names: 0 12 * * MON-FRI is noon on weekdays', () => {
    assert.deepEqual(parseCronString('0 12 * * MON-FRI').calendar?.dayOfWeek, [{ start: 1, end: 5 }]);
  });

  test('@every becomes an interval, with an optional phase and a d unit of 24 hours', () => {
    const every = parseCronString('@every 5d');
    assert.equal(every.calendar, undefined);
    assert.equal(seconds(every.interval?.interval), 5 * 86400);
    assert.equal(every.interval?.phase, undefined);
    const phased = parseCronString('@every 5h/45m').interval;
    assert.equal(seconds(phased?.interval), 5 * 3600);
    assert.equal(seconds(phased?.phase), 45 * 60);
    assert.equal(seconds(parseCronString('@every 1h30m').interval?.interval), 5400);
  });

  test('malformed cron strings are rejected with Temporal messages', () => {
    assert.throws(() => parseCronString('CRON_TZ=Europe/London'), { message: 'CronString has time zone but missing fields' });
    assert.throws(() => parseCronString('* * * *'), { message: 'CronString does not have 5-7 fields' });
    assert.throws(() => parseCronString('* * * * * * * *'), { message: 'CronString does not have 5-7 fields' });
    assert.throws(() => parseCronString('@every'), { message: 'CronString does not have interval after @every' });
    assert.throws(() => parseCronString('@every 5x'), { message: 'time: unknown unit "x" in duration "5x"' });
    assert.throws(() => parseCronString('61 * * * *'), { message: 'Minute is not in range [0-59]' });
  });
});

describe('calendar specs default their empty fields', () => {
  test('an empty CalendarSpec is midnight every day', () => {
    assert.deepEqual(parseCalendarToStructured({}), {
      second: [{ start: 0 }],
      minute: [{ start: 0 }],
      hour: [{ start: 0 }],
      dayOfMonth: [{ start: 1, end: 31 }],
      month: [{ start: 1, end: 12 }],
      year: [],
      dayOfWeek: [{ start: 0, end: 6 }],
    });
  });

  test('every bad field is reported, comma separated', () => {
    assert.throws(() => parseCalendarToStructured({ second: '60', hour: '25' }), { message: 'Second is not in range [0-59], Hour is not in range [0-23]' });
  });
});

describe('durations as Go parses them', () => {
  test('units, fractions and days', () => {
    assert.equal(parseGoDuration('1h30m'), 5_400_000_000_000n);
    assert.equal(parseGoDuration('1.5h'), 5_400_000_000_000n);
    assert.equal(parseGoDuration('300ms'), 300_000_000n);
    assert.equal(parseGoDuration('2d'), 172_800_000_000_000n);
    assert.equal(parseGoDuration('0'), 0n);
  });

  test('Go error texts', () => {
    assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
    assert.throws(() => parseGoDuration('5'), { message: 'time: missing unit in duration "5"' });
    assert.throws(() => parseGoDuration('x'), { message: 'time: invalid duration "x"' });
  });
});
