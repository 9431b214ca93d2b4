import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ServiceError } from '../../../src/common/errors';
import type { IPayload } from '../../../src/common/proto';
import type { SearchAttributeType } from '../../../src/visibility/search-attribute-type';
import { applySearchAttributeTypes, fitsType, goFormat, validateSearchAttributes, type ValidationTypes } from '../../../src/visibility/search-attribute-values';

// Temporal: common/searchattribute/validator.go (messages), sadefs/encode_value.go (DecodeValue with
// the default allow-list of values), search_attirbute.go ApplyTypeMap and encode.go Encode (type metadata).

const TYPES: ValidationTypes = {
  settable: new Map<string, SearchAttributeType>([
    ['Kw', 'Keyword'],
    ['Txt', 'Text'],
    ['Num', 'Int'],
    ['Dbl', 'Double'],
    ['Flag', 'Bool'],
    ['When', 'Datetime'],
    ['Tags', 'KeywordList'],
  ]),
  system: new Set(['WorkflowId', 'StartTime']),
};

function json(value: unknown, metadata: Record<string, string> = {}): IPayload {
  const meta: Record<string, Uint8Array> = { encoding: Buffer.from('json/plain') };
  for (const [k, v] of Object.entries(metadata)) meta[k] = Buffer.from(v);
  return { metadata: meta, data: Buffer.from(JSON.stringify(value)) };
}

function typeOf(payload: IPayload | undefined): string | undefined {
  const raw = payload?.metadata?.type;
  return raw ? Buffer.from(raw).toString('utf8') : undefined;
}

function rejection(fields: Record<string, IPayload>): string {
  try {
    validateSearchAttributes(fields, TYPES);
  } catch (err) {
    assert.ok(err instanceof ServiceError, `expected a ServiceError, got ${String(err)}`);
    assert.equal(err.code, 'INVALID_ARGUMENT');
    return err.message;
  }
  assert.fail('expected the values to be rejected');
}

describe('fitsType (sadefs.DecodeValue, allow-list on)', () => {
  const cases: [SearchAttributeType, unknown, boolean][] = [
    ['Keyword', 'a', true],
    ['Keyword', ['a'], true],
    ['Keyword', ['a', 'b'], true],
    ['Keyword', 5, false],
    ['Keyword', { a: 1 }, false],
    ['Text', 'words', true],
    ['Int', 42, true],
    ['Int', -7, true],
    ['Int', [1, 2], true],
    ['Int', 1.5, false],
    ['Int', 'abc', false],
    ['Int', '42', false],
    ['Double', 2.5, true],
    ['Double', 3, true],
    ['Double', '2.5', false],
    ['Bool', true, true],
    ['Bool', 'true', false],
    ['Bool', 123, false],
    ['Datetime', '2024-05-06T07:08:09Z', true],
    ['Datetime', '2024-05-06T07:08:09.123456789+02:00', true],
    ['Datetime', ['2024-05-06T07:08:09Z'], true],
    ['Datetime', '2024-05-06', false],
    ['Datetime', 'next tuesday', false],
    ['Datetime', 1714979289000, false],
    ['KeywordList', ['a', 'b'], true],
    ['KeywordList', [], true],
    ['KeywordList', [['a', 'b']], true],
    ['KeywordList', [['a'], ['b']], false],
    ['KeywordList', 'a', false],
    ['KeywordList', [1], false],
  ];
  for (const [type, value, fits] of cases) {
    test(`${JSON.stringify(value)} ${fits ? 'fits' : 'does not fit'} ${type}`, () => assert.equal(fitsType(type, value), fits));
  }
  test('null fits every type (it removes the attribute)', () => {
    for (const type of TYPES.settable.values()) assert.equal(fitsType(type, null), true);
  });
});

describe('goFormat prints as Go %v does', () => {
  test('strings bare, lists space-separated, maps sorted, nil', () => {
    assert.equal(goFormat('abc'), 'abc');
    assert.equal(goFormat([1, 2]), '[1 2]');
    assert.equal(goFormat({ b: 1, a: 'x' }), 'map[a:x b:1]');
    assert.equal(goFormat(null), '<nil>');
    assert.equal(goFormat(true), 'true');
  });
});

describe('validateSearchAttributes', () => {
  test('valid values of every type come back with their registered type in the `type` metadata', () => {
    const out = validateSearchAttributes(
      {
        Kw: json('a'),
        Txt: json('t'),
        Num: json(1),
        Dbl: json(1.5),
        Flag: json(false),
        When: json('2024-05-06T07:08:09Z'),
        Tags: json(['x']),
      },
      TYPES,
    );
    assert.deepEqual(Object.fromEntries(Object.entries(out).map(([k, p]) => [k, typeOf(p)])), {
      Kw: 'Keyword',
      Txt: 'Text',
      Num: 'Int',
      Dbl: 'Double',
      Flag: 'Bool',
      When: 'Datetime',
      Tags: 'KeywordList',
    });
    assert.equal(Buffer.from(out.Num?.data ?? []).toString(), '1', 'the data is left as sent');
    assert.equal(Buffer.from(out.Num?.metadata?.encoding ?? []).toString(), 'json/plain');
  });

  test("a type the sender set is kept (ApplyTypeMap only fills in a missing one); the input isn't modified", () => {
    const sent = json('a', { type: 'Text' });
    const out = validateSearchAttributes({ Kw: sent }, TYPES);
    assert.equal(typeOf(out.Kw), 'Text');
    const untyped = json('a');
    validateSearchAttributes({ Kw: untyped }, TYPES);
    assert.equal(typeOf(untyped), undefined);
  });

  test('null, binary/null and an empty list (removals) pass and are left untyped', () => {
    const out = validateSearchAttributes(
      { Num: json(null), Kw: { metadata: { encoding: Buffer.from('binary/null') }, data: new Uint8Array() }, Tags: json([]) },
      TYPES,
    );
    assert.deepEqual([typeOf(out.Num), typeOf(out.Kw), typeOf(out.Tags)], [undefined, undefined, undefined]);
  });

  test('nothing to check is an empty map', () => {
    assert.deepEqual(validateSearchAttributes(undefined, TYPES), {});
    assert.deepEqual(validateSearchAttributes(null, TYPES), {});
  });

  test("Temporal's messages: unknown name, system column, wrong type, undecodable payload", () => {
    assert.equal(rejection({ Nope: json('x') }), 'search attribute Nope is not defined');
    assert.equal(rejection({ WorkflowId: json('x') }), "WorkflowId attribute can't be set in SearchAttributes");
    assert.equal(rejection({ Num: json('abc') }), 'invalid value for search attribute Num of type Int: abc');
    assert.equal(rejection({ Flag: json(123) }), 'invalid value for search attribute Flag of type Bool: 123');
    assert.equal(rejection({ Num: json([1.5, 2]) }), 'invalid value for search attribute Num of type Int: [1.5 2]');
    assert.equal(rejection({ When: json('yesterday') }), 'invalid value for search attribute When of type Datetime: yesterday');
    assert.equal(rejection({ Tags: json('solo') }), 'invalid value for search attribute Tags of type KeywordList: solo');
    assert.equal(
      rejection({ Kw: { metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.from([1, 2]) } }),
      'invalid value for search attribute Kw of type Keyword: [1 2]',
    );
    assert.equal(
      rejection({ Kw: { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{oops') } }),
      'invalid value for search attribute Kw of type Keyword: value from <metadata:{key:"encoding" value:"json/plain"} data:"{oops">',
    );
  });
});

describe('applySearchAttributeTypes (searchattribute.Encode for List results)', () => {
  test('known attributes get their registered type, overriding what was sent; unknown ones are left alone', () => {
    const out = applySearchAttributeTypes({ Num: json(1, { type: 'Keyword' }), Other: json('x'), When: json('2024-05-06T07:08:09Z') }, TYPES.settable);
    assert.deepEqual([typeOf(out.Num), typeOf(out.Other), typeOf(out.When)], ['Int', undefined, 'Datetime']);
  });
});
