import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompiledCalendar } from '../../../src/schedules/spec/calendar';
import { parseCalendarToStructured, parseCronString } from '../../../src/schedules/spec/cron';
import { TimeZone } from '../../../src/schedules/spec/timezone';

// When a structured calendar matches, and the search for its next time, in a time zone, through DST transitions, as
// Temporal's compiledCalendar (service/worker/scheduler/calendar_test.go: TestCalendarMatch, TestCalendarNextBasic,
// TestGoDSTBehavior, TestCalendarNextDST, TestCalendarDSTStartInRepeatedHourButNotEnd). The New York and London
// sequences were checked against Temporal's own search run under Go.

type Fields = Parameters<typeof parseCalendarToStructured>[0];
const pacific = TimeZone.load('US/Pacific');
const utc = TimeZone.UTC;
const calendar = (fields: Fields, zone: TimeZone): CompiledCalendar => new CompiledCalendar(parseCalendarToStructured(fields), zone);
const sec = (iso: string): number => Date.parse(iso) / 1000;
/** A wall clock in a zone as unix seconds, resolved as Go's time.Date (and so as Temporal) resolves it. */
const wall = (zone: TimeZone, y: number, mo: number, d: number, h = 0, m = 0, s = 0): number => zone.instantOf(y, mo, d, h, m, s);

describe('a calendar matches a time by its wall clock in the calendar zone', () => {
  test('the default calendar is midnight every day', () => {
    const cc = calendar({}, utc);
    assert.equal(cc.matches(sec('2022-03-17T00:00:00Z')), true);
    assert.equal(cc.matches(sec('2022-03-18T00:00:00Z')), true);
    assert.equal(cc.matches(sec('2022-03-18T05:15:00Z')), false);
    assert.equal(cc.matches(wall(pacific, 2022, 3, 17)), false);
    assert.equal(cc.matches(wall(pacific, 2022, 3, 17, 17)), true);
  });

  test('minutes 5 and 9 of every second hour', () => {
    const cc = calendar({ minute: '5,9', hour: '*/2' }, utc);
    assert.equal(cc.matches(sec('2022-03-17T14:05:00Z')), true);
    assert.equal(cc.matches(sec('2022-03-17T14:05:33Z')), false);
    assert.equal(cc.matches(sec('2022-03-17T14:15:00Z')), false);
    assert.equal(cc.matches(wall(pacific, 2022, 3, 18, 3, 9)), true);
    assert.equal(cc.matches(sec('2022-03-18T03:09:00Z')), false);
  });

  test('day of week and day of month must both match, in the zone (whose offset changes with DST)', () => {
    const cc = calendar({ second: '55', minute: '55', hour: '5', dayOfWeek: 'wed-thurs', dayOfMonth: '2/2' }, pacific);
    assert.equal(cc.matches(wall(pacific, 2022, 3, 9, 5, 55, 55)), false);
    assert.equal(cc.matches(wall(pacific, 2022, 3, 10, 5, 55, 55)), true);
    assert.equal(cc.matches(wall(pacific, 2022, 3, 14, 5, 55, 55)), false);
    assert.equal(cc.matches(wall(pacific, 2022, 3, 16, 5, 55, 55)), true);
    assert.equal(cc.matches(wall(pacific, 2022, 2, 9, 5, 55, 55)), false);
    assert.equal(cc.matches(wall(pacific, 2022, 2, 10, 5, 55, 55)), true);
    assert.equal(cc.matches(wall(pacific, 2022, 2, 10, 1, 55, 55)), false);
    assert.equal(cc.matches(sec('2022-03-10T13:55:55Z')), true);
    assert.equal(cc.matches(sec('2022-03-16T13:55:55Z')), false);
    assert.equal(cc.matches(sec('2022-03-16T12:55:55Z')), true);
  });

  test('Sunday spelled 0, 7, sun or inside a range', () => {
    const sunday = sec('2022-03-06T00:00:00Z');
    const saturday = sec('2022-03-05T00:00:00Z');
    const monday = sec('2022-03-07T00:00:00Z');
    for (const dow of ['0', '7', 'sun', '*', '0-3', '5-7', '5-7/2', '6-7', '2-7/5', '0-7/7', '0/7']) {
      assert.ok(calendar({ dayOfWeek: dow }, utc).matches(sunday), dow);
    }
    for (const dow of ['*', '5-7', '6-7', '2/4', '2-7/4']) assert.ok(calendar({ dayOfWeek: dow }, utc).matches(saturday), dow);
    for (const dow of ['0', '7', 'sun', '5-7', '5-7/2', '6-7', '2-7/5', '0-7/7', '0/7']) assert.ok(!calendar({ dayOfWeek: dow }, utc).matches(monday), dow);
  });
});

describe('the next matching time', () => {
  test('carries from second to minute, hour and day, and skips days that do not match', () => {
    const cc = calendar({ second: '55', minute: '55', hour: '5', dayOfWeek: 'wed-thurs', dayOfMonth: '2/2' }, pacific);
    const target = wall(pacific, 2022, 3, 2, 5, 55, 55);
    assert.equal(cc.next(wall(pacific, 2022, 3, 2, 5, 55, 33)), target);
    assert.equal(cc.next(wall(pacific, 2022, 3, 2, 5, 33, 33)), target);
    assert.equal(cc.next(wall(pacific, 2022, 3, 2, 3, 33, 33)), target);
    assert.equal(cc.next(wall(pacific, 2022, 3, 1, 1, 11, 11)), target);
    assert.equal(cc.next(target), wall(pacific, 2022, 3, 10, 5, 55, 55));
    assert.equal(cc.next(wall(pacific, 2022, 3, 10, 5, 55, 55)), wall(pacific, 2022, 3, 16, 5, 55, 55));
  });

  test('a wall clock skipped by spring-forward resolves an hour early, as Go does', () => {
    assert.equal(wall(pacific, 2022, 3, 13, 2, 33, 33), wall(pacific, 2022, 3, 13, 1, 33, 33));
  });

  test('day 31 matches only the months that have one, and 29 February only leap years', () => {
    const cc = calendar({ dayOfMonth: '31', hour: '9' }, utc);
    assert.equal(cc.next(sec('2024-04-01T00:00:00Z')), sec('2024-05-31T09:00:00Z'));
    const feb29 = calendar({ dayOfMonth: '29', month: 'feb' }, utc);
    assert.equal(feb29.next(sec('2025-01-01T00:00:00Z')), sec('2028-02-29T00:00:00Z'));
  });

  test('nothing after 2100', () => {
    assert.equal(calendar({ year: '2100', month: '12', dayOfMonth: '31' }, utc).next(sec('2100-12-31T00:00:00Z')), undefined);
    assert.equal(calendar({ dayOfMonth: '30', month: 'feb' }, utc).next(sec('2022-01-01T00:00:00Z')), undefined);
  });
});

describe('DST as Temporal handles it', () => {
  /** Follows the sequence and, when `dense`, checks that every few seconds before each time also lead to it. */
  const sequence = (cron: string, start: number, expected: number[], dense = true): void => {
    const parsed = parseCronString(cron);
    assert.ok(parsed.calendar);
    const cc = new CompiledCalendar(parsed.calendar, TimeZone.load(parsed.timezone));
    let from = start;
    for (const exp of expected) {
      const next = cc.next(from);
      assert.equal(next, exp, `after ${new Date(from * 1000).toISOString()}`);
      for (let t = from; dense && t < exp; t += 97) assert.equal(cc.next(t), exp, `from ${new Date(t * 1000).toISOString()}`);
      from = exp;
    }
  };

  test('spring forward in US/Pacific: a day without 02:33:33 is skipped', () => {
    sequence('CRON_TZ=US/Pacific 33 33 2 * * * *', wall(pacific, 2022, 3, 11, 20), [
      wall(pacific, 2022, 3, 12, 2, 33, 33),
      wall(pacific, 2022, 3, 14, 2, 33, 33),
    ]);
  });

  test('fall back in US/Pacific: the repeated 01:33:33 and 01:44:33 each match twice', () => {
    sequence('CRON_TZ=US/Pacific 33 33,44 1 * * * *', wall(pacific, 2021, 11, 7, 0, 15, 15), [
      wall(pacific, 2021, 11, 7, 1, 33, 33),
      wall(pacific, 2021, 11, 7, 1, 44, 33),
      wall(pacific, 2021, 11, 7, 1, 33, 33) + 3600,
      wall(pacific, 2021, 11, 7, 1, 44, 33) + 3600,
      wall(pacific, 2021, 11, 8, 1, 33, 33),
    ]);
  });

  test('spring forward in America/New_York: 02:30 does not happen on 10 March 2024', () => {
    sequence('CRON_TZ=America/New_York 30 2 * * *', sec('2024-03-09T00:00:00Z'), [
      sec('2024-03-09T07:30:00Z'), // 02:30 EST
      sec('2024-03-11T06:30:00Z'), // 02:30 EDT
    ]);
  });

  test('fall back in America/New_York: an hourly schedule fires at both 01:00s', () => {
    sequence('CRON_TZ=America/New_York @hourly', sec('2024-11-03T03:00:00Z'), [
      sec('2024-11-03T04:00:00Z'), // 00:00 EDT
      sec('2024-11-03T05:00:00Z'), // 01:00 EDT
      sec('2024-11-03T06:00:00Z'), // 01:00 EST
      sec('2024-11-03T07:00:00Z'), // 02:00 EST
    ]);
    sequence('CRON_TZ=America/New_York 30 1 * * *', sec('2024-11-02T00:00:00Z'), [
      sec('2024-11-02T05:30:00Z'),
      sec('2024-11-03T05:30:00Z'), // 01:30 EDT
      sec('2024-11-03T06:30:00Z'), // 01:30 EST
      sec('2024-11-04T06:30:00Z'),
    ]);
  });

  test('Europe/London: 01:30 is skipped at spring forward, and at fall back only its second (GMT) copy matches', () => {
    sequence('CRON_TZ=Europe/London 30 1 * * *', sec('2024-03-30T00:00:00Z'), [sec('2024-03-30T01:30:00Z'), sec('2024-04-01T00:30:00Z')]);
    // Go resolves London's repeated wall clock to the GMT copy, so Temporal's search from the previous match never
    // lands on the BST one. Searches starting inside the repeated hour show the same Go arithmetic: from after 01:30
    // BST the next day's 01:30 comes next, and from inside the GMT copy the walk (shifted an hour) ends at 02:30 GMT.
    const fallBack = [sec('2024-10-26T00:30:00Z'), sec('2024-10-27T01:30:00Z'), sec('2024-10-28T01:30:00Z')];
    sequence('CRON_TZ=Europe/London 30 1 * * *', sec('2024-10-26T00:00:00Z'), fallBack, false);
    sequence('CRON_TZ=Europe/London 30 1 * * *', sec('2024-10-27T00:30:27Z'), [sec('2024-10-28T01:30:00Z')], false);
    sequence('CRON_TZ=Europe/London 30 1 * * *', sec('2024-10-27T01:01:10Z'), [sec('2024-10-27T02:30:00Z')], false);
    sequence(
      'CRON_TZ=Europe/London @hourly',
      sec('2024-10-26T22:00:00Z'),
      [
        sec('2024-10-26T23:00:00Z'), // 00:00 BST
        sec('2024-10-27T00:00:00Z'), // 01:00 BST
        sec('2024-10-27T02:00:00Z'), // 02:00 GMT: Temporal has no action at 01:00 GMT
      ],
      false,
    );
  });

  test('a search starting in a repeated hour that ends in another year', () => {
    const london = TimeZone.load('Europe/London');
    const cc = calendar({ second: '0', minute: '1', hour: '0', dayOfMonth: '2', month: 'Jan', dayOfWeek: 'Sun' }, london);
    assert.equal(cc.next(wall(london, 2004, 1, 1, 0, 0, 5)), wall(london, 2005, 1, 2, 0, 1, 0));
    assert.equal(cc.next(wall(london, 2004, 10, 31, 1, 7, 3)), wall(london, 2005, 1, 2, 0, 1, 0));
  });
});

describe('time zones by name', () => {
  test('"" and UTC are UTC; an unknown name is rejected as Go rejects it', () => {
    assert.equal(TimeZone.load(''), TimeZone.UTC);
    assert.equal(TimeZone.load('UTC'), TimeZone.UTC);
    assert.throws(() => TimeZone.load('Mars/Olympus_Mons'), { message: 'unknown time zone Mars/Olympus_Mons' });
  });
});

describe('properties Temporal fuzzes the calendar search for (FuzzCalendar)', () => {
  // Temporal's zone selection, including zones whose DST changes at midnight.
  const zones = [
    'UTC',
    'US/Pacific',
    'America/Montreal',
    'Asia/Urumqi',
    'Asia/Beirut',
    'America/Indiana/Knox',
    'Africa/Kinshasa',
    'America/Asuncion',
    'Europe/London',
    'Asia/Vientiane',
    'Cuba',
  ];
  let seed = 20240310;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = (options: string[]): string => options[random(options.length)] ?? '*';

  test('the next time is after the start, and a search from any later point before five hours on finds a later one', () => {
    for (let i = 0; i < 40; i++) {
      const zone = TimeZone.load(pick(zones));
      const fields = {
        second: pick(['0', '*', '0,30', '15']),
        minute: pick(['0', '*', '0,30', '59', '15-45']),
        hour: pick(['*', '0', '1', '2', '0-3', '23']),
        dayOfMonth: pick(['*', '1', '31', '15-20']),
        month: pick(['*', '3', '10,11']),
        dayOfWeek: pick(['*', '0', '1-5', '6']),
      };
      const cc = calendar(fields, zone);
      const now = sec('2020-01-01T00:00:00Z') + random(5 * 365 * 86400);
      const next = cc.next(now);
      if (next === undefined) continue;
      assert.ok(next > now, `${zone.name} ${JSON.stringify(fields)}`);
      for (let t = next; t - next < 5 * 3600; t += 1234) assert.ok((cc.next(t) ?? Infinity) > next, `${zone.name} ${JSON.stringify(fields)} from ${t}`);
    }
  });
});
