import { invalidArgument } from '../common/errors';
import type { IPayload } from '../common/proto';
import type { SearchAttributeType } from './search-attribute-type';
import { searchAttributesCountError, type SearchAttributeLimits } from '../common/search-attribute-limits';

/**
 * Search attribute values checked against their registered type, and the `type` metadata Temporal
 * puts on them (common/searchattribute: validator.go, sadefs/encode_value.go, ApplyTypeMap) so the
 * SDKs decode a Datetime as a date, an Int as a number, a KeywordList as a list.
 */

export type PayloadFields = Record<string, IPayload>;
export type SearchAttributeTypes = ReadonlyMap<string, SearchAttributeType>;

/** The payload metadata key Temporal writes the IndexedValueType name under (sadefs.MetadataType). */
export const METADATA_TYPE = 'type';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

type Decoded = { ok: true; value: unknown } | { ok: false };

/** The payload as Temporal's payload.Decode sees it: JSON, or nil for `binary/null`. */
function decodePayload(payload: IPayload): Decoded {
  const encoding = metadataString(payload, 'encoding');
  if (encoding === 'binary/null') return { ok: true, value: null };
  if (encoding !== undefined && encoding !== 'json/plain') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

function metadataString(payload: IPayload, key: string): string | undefined {
  const raw = payload.metadata?.[key];
  return raw ? Buffer.from(raw).toString('utf8') : undefined;
}

function isInt64(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER * 1024;
}

function isDatetime(v: unknown): boolean {
  return typeof v === 'string' && RFC3339.test(v) && !Number.isNaN(Date.parse(v));
}

function isString(v: unknown): boolean {
  return typeof v === 'string';
}

/** A list element may be null: Go's json leaves it the zero value. */
function isStringList(v: unknown): boolean {
  return Array.isArray(v) && v.every((item) => item === null || typeof item === 'string');
}

const SCALAR_CHECKS: Record<SearchAttributeType, (v: unknown) => boolean> = {
  Bool: (v) => typeof v === 'boolean',
  Datetime: isDatetime,
  Double: (v) => typeof v === 'number',
  Int: isInt64,
  Keyword: isString,
  Text: isString,
  KeywordList: isStringList,
};

/**
 * Whether a decoded JSON value fits `type`, as sadefs.DecodeValue with the default allow-list of
 * values (system.visibilityAllowList = true): null, a value of the type, or a list of such values;
 * a KeywordList is a list of strings (or a one-element list of one).
 */
export function fitsType(type: SearchAttributeType, value: unknown): boolean {
  if (value === null) return true;
  const check = SCALAR_CHECKS[type];
  if (check(value)) return true;
  if (!Array.isArray(value)) return false;
  if (type === 'KeywordList') return value.length <= 1 && value.every(isStringList);
  return value.every((item) => item === null || check(item));
}

/** A value as Go's `%v` prints what payload.Decode gave (so messages read as Temporal's). */
export function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${goFormat(v)}`).join(' ')}]`;
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describeUndecodable(payload: IPayload): string {
  if (metadataString(payload, 'encoding') === 'binary/plain') return `[${Array.from(payload.data ?? []).join(' ')}]`;
  const metadata = Object.keys(payload.metadata ?? {})
    .sort()
    .map((key) => `metadata:{key:${JSON.stringify(key)} value:${JSON.stringify(metadataString(payload, key) ?? '')}}`);
  const data = `data:${JSON.stringify(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'))}`;
  return `value from <${[...metadata, data].join(' ')}>`;
}

function withType(payload: IPayload, type: SearchAttributeType): IPayload {
  return { ...payload, metadata: { ...(payload.metadata ?? {}), [METADATA_TYPE]: Buffer.from(type) } };
}

export interface ValidationTypes {
  /** What a request may set: custom and predefined attributes. */
  settable: SearchAttributeTypes;
  /** Columns every run has (WorkflowId, StartTime…): known, but never set by a request. */
  system: ReadonlySet<string>;
}

/**
 * Checks search attributes a start, an upsert, a child start or a continue-as-new sets, as
 * Temporal's searchattribute.Validator does, and returns them with the registered type in each
 * payload's `type` metadata where the sender left it out (searchattribute.ApplyTypeMap). A null
 * value (which removes the attribute) is left as sent. Throws INVALID_ARGUMENT naming the attribute.
 */
export function validateSearchAttributes(fields: PayloadFields | null | undefined, types: ValidationTypes, limits?: SearchAttributeLimits): PayloadFields {
  const tooMany = limits && searchAttributesCountError(fields, limits);
  if (tooMany) throw invalidArgument(tooMany);
  const out: PayloadFields = {};
  for (const [name, payload] of Object.entries(fields ?? {})) {
    if (types.system.has(name)) throw invalidArgument(`${name} attribute can't be set in SearchAttributes`);
    const type = types.settable.get(name);
    if (!type) throw invalidArgument(`search attribute ${name} is not defined`);
    const decoded = decodePayload(payload);
    if (!decoded.ok || !fitsType(type, decoded.value)) {
      const shown = decoded.ok ? goFormat(decoded.value) : describeUndecodable(payload);
      throw invalidArgument(`invalid value for search attribute ${name} of type ${type}: ${shown}`);
    }
    const isNull = decoded.value === null || (Array.isArray(decoded.value) && decoded.value.length === 0);
    out[name] = isNull || payload.metadata?.[METADATA_TYPE] ? payload : withType(payload, type);
  }
  return out;
}

/**
 * The registered type on every payload of a known attribute, as Temporal's searchattribute.Encode
 * does for what visibility returns; unknown attributes keep whatever metadata they carry.
 */
export function applySearchAttributeTypes(fields: PayloadFields, types: SearchAttributeTypes): PayloadFields {
  const out: PayloadFields = {};
  for (const [name, payload] of Object.entries(fields)) {
    const type = types.get(name);
    out[name] = type ? withType(payload, type) : payload;
  }
  return out;
}
