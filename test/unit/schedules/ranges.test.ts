import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { daysInMonth, makeMatcher, makeRange, makeYearMatcher, parseValue, type IRange, type ParseMode } from '../../../src/schedules/spec/ranges';

// Calendar fields as Temporal parses and matches them (service/worker/scheduler/calendar_test.go: TestMakeRange,
// TestMakeMatcher, TestParseValue, TestDaysInMonth).

const range = (text: string, min: number, max: number, mode: ParseMode = 'int'): IRange[] => makeRange(text, 'Test', '', min, max, mode);
const rangeError = (text: string, min: number, max: number, mode: ParseMode, message: string): void =>
  assert.throws(
    () => range(text, min, max, mode),
    (err: Error) => err.message.includes(message),
  );

describe('a calendar field parses into ranges', () => {
  test('single values, lists, ranges and steps; a step after a single value runs to the maximum', () => {
    assert.deepEqual(range('13', 0, 59), [{ start: 13 }]);
    assert.deepEqual(range('Sept', 1, 12, 'month'), [{ start: 9 }]);
    assert.deepEqual(range('13,18,44', 0, 59), [{ start: 13 }, { start: 18 }, { start: 44 }]);
    assert.deepEqual(range('13-18', 0, 59), [{ start: 13, end: 18 }]);
    assert.deepEqual(range('2-5,7-9,11', 0, 59), [{ start: 2, end: 5 }, { start: 7, end: 9 }, { start: 11 }]);
    assert.deepEqual(range('*', 5, 9), [{ start: 5, end: 9 }]);
    assert.deepEqual(range('*/3', 5, 9), [{ start: 5, end: 9, step: 3 }]);
    assert.deepEqual(range('2/3', 0, 10), [{ start: 2, end: 10, step: 3 }]);
    assert.deepEqual(range('2-6/3', 0, 10), [{ start: 2, end: 6, step: 3 }]);
    assert.deepEqual(range('2-6/4,7-8', 0, 10), [
      { start: 2, end: 6, step: 4 },
      { start: 7, end: 8 },
    ]);
    assert.deepEqual(range('mon-Friday', 0, 7, 'dayOfWeek'), [{ start: 1, end: 5 }]);
  });

  test('a star year is the empty list, which means every year', () => {
    assert.deepEqual(makeRange('*', 'Year', '*', 2000, 2100, 'year'), []);
    assert.equal(makeYearMatcher([])(2077), true);
  });

  test('bad fields are rejected with the field named, in Temporal words', () => {
    rangeError('133', 0, 59, 'int', 'Test is not in range [0-59]');
    rangeError('13,18,44,', 0, 59, 'int', 'Test is not in range');
    rangeError('18-13', 0, 59, 'int', 'End is before Start');
    rangeError('1,3,18-13', 0, 59, 'int', 'End is before Start');
    rangeError('2/3/5', 0, 10, 'int', 'Test has too many slashes');
    rangeError('1-5-7', 0, 7, 'dayOfWeek', 'Test has too many dashes');
    rangeError('Fri-Tues', 0, 7, 'dayOfWeek', 'End is before Start');
    rangeError('monday-', 0, 7, 'dayOfWeek', 'End is before Start');
    rangeError('-5', 0, 7, 'int', 'Test Start is not in range [0-7]');
    rangeError('5/', 0, 59, 'int', 'Test missing step value');
    rangeError('5/0', 0, 59, 'int', 'Test has invalid Step');
    rangeError('5/x', 0, 59, 'int', 'strconv.Atoi: parsing "x": invalid syntax');
  });
});

describe('a calendar field matches the values its ranges name', () => {
  const matches = (text: string, min: number, max: number, mode: ParseMode, ...expected: number[]): void => {
    const ranges = makeRange(text, 'Test', text, min, max, mode);
    const matcher = max < 63 ? makeMatcher(ranges) : makeYearMatcher(ranges);
    for (const e of expected) assert.equal(matcher(Math.abs(e)), e >= 0, `${text}: ${Math.abs(e)}`);
  };

  test('lists, ranges and steps', () => {
    matches('1,3,5-7', 0, 10, 'int', 1, -2, 3, -4, 5, 6, 7, -8, -9, -10);
    matches('2-4,8,1-5/2', 1, 15, 'int', 1, 2, 3, 4, 5, -6, -7, 8, -9, -10, -11, -12, -13, -14, -15);
    matches('February/5', 1, 12, 'month', -1, 2, -3, -4, -5, -6, 7, -8, -9, -10, -11, 12);
    matches('2020-2022,2024,2026/3', 2000, 2100, 'int', -2019, 2020, 2021, 2022, -2023, 2024, -2025, 2026, -2027, -2028, 2029, -2030, 2032, 2098, -2101);
  });

  test('day of week: 7 is Sunday, as 0 is', () => {
    matches('*', 0, 7, 'dayOfWeek', 0, 1, 2, 3, 4, 5, 6);
    matches('0', 0, 7, 'dayOfWeek', 0, -1, -2, -3, -4, -5, -6);
    matches('6,7', 0, 7, 'dayOfWeek', 0, -1, -2, -3, -4, -5, 6);
    matches('1-7/2', 0, 7, 'dayOfWeek', 0, 1, -2, 3, -4, 5, -6);
    matches('3-7/3', 0, 7, 'dayOfWeek', 3, -4, -5, 6);
    assert.equal(makeMatcher(makeRange('3-7/3', 'Test', '', 0, 7, 'dayOfWeek'))(0), false, '7 is not a value of 3-7/3');
  });
});

describe('values and months', () => {
  test('a value is an integer in range, or a name prefix of at least three letters (months) or two (weekdays)', () => {
    assert.equal(parseValue('1', 1, 10, 'int'), 1);
    assert.equal(parseValue('29', 1, 30, 'int'), 29);
    assert.throws(() => parseValue('29', 1, 12, 'int'));
    assert.throws(() => parseValue('random text', 1, 31, 'int'));
    assert.equal(parseValue('fri', 0, 7, 'dayOfWeek'), 5);
    assert.equal(parseValue('Tu', 0, 7, 'dayOfWeek'), 2);
    assert.equal(parseValue('August', 1, 12, 'month'), 8);
    assert.throws(() => parseValue('Au', 1, 12, 'month'));
  });

  test('days in each month, leap years included', () => {
    const days2022 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    days2022.forEach((days, i) => assert.equal(daysInMonth(i + 1, 2022), days));
    assert.equal(daysInMonth(2, 2024), 29);
    assert.equal(daysInMonth(2, 2000), 29);
    assert.equal(daysInMonth(2, 2100), 28);
  });
});
