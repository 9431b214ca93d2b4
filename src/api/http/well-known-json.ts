/**
 * The proto3 JSON forms that are not a message's fields: google.protobuf.Timestamp and Duration, and the
 * "shorthand" that Temporal's HTTP API uses for temporal.api.common.v1.Payload (go.temporal.io/api
 * common/v1/payload_json.go): a `json/plain` payload is its JSON value, `binary/null` is `null`, a
 * `json/protobuf` payload is its object with `_protoMessageType`; anything else keeps the standard
 * `{ metadata, data }` form with base64 values.
 */
import type { IPayload } from '../../common/proto';

/** A JSON value that cannot become the field it was given for: the HTTP API answers INVALID_ARGUMENT. */
export class JsonFieldError extends Error {}

export interface SecondsNanos {
  seconds: string;
  nanos: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const MESSAGE_TYPE_KEY = '_protoMessageType';
const BINARY_NULL = 'binary/null';

/** Go's protojson writes 0, 3, 6 or 9 fractional digits: as few as keep the value exact. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  if (nanos % 1_000_000 === 0) return `.${digits.slice(0, 3)}`;
  if (nanos % 1000 === 0) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

function nanosOf(digits: string | undefined): number {
  return digits ? Number(digits.padEnd(9, '0')) : 0;
}

export function timestampToJson(seconds: number, nanos: number): string {
  const iso = new Date(seconds * 1000).toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ
  return `${iso.slice(0, 19)}${fraction(nanos)}Z`;
}

export function timestampFromJson(value: unknown): SecondsNanos {
  const match = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (!match) throw new JsonFieldError(`invalid google.protobuf.Timestamp value ${JSON.stringify(value)}`);
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = match;
  let seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  if (sign) seconds -= (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60);
  return { seconds: String(seconds), nanos: nanosOf(frac) };
}

export function durationToJson(seconds: number, nanos: number): string {
  const negative = seconds < 0 || nanos < 0;
  return `${negative ? '-' : ''}${Math.abs(seconds)}${fraction(Math.abs(nanos))}s`;
}

export function durationFromJson(value: unknown): SecondsNanos {
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!match) throw new JsonFieldError(`invalid google.protobuf.Duration value ${JSON.stringify(value)}`);
  const sign = match[1] ? -1 : 1;
  const seconds = Number(match[2]) * sign;
  const nanos = nanosOf(match[3]) * sign;
  return { seconds: String(seconds === 0 ? 0 : seconds), nanos: nanos === 0 ? 0 : nanos };
}

function text(bytes: Uint8Array | undefined): string {
  return bytes ? Buffer.from(bytes).toString('utf8') : '';
}

/** The shorthand of a payload, or undefined when it has none (then the standard form is written). */
export function payloadToShorthand(payload: IPayload): { value: unknown } | undefined {
  const metadata = payload.metadata ?? {};
  const keys = Object.keys(metadata);
  switch (text(metadata.encoding)) {
    case BINARY_NULL:
      return { value: null };
    case 'json/plain':
      if (keys.length !== 1) return undefined;
      return parse(payload.data);
    case 'json/protobuf': {
      const messageType = text(metadata.messageType);
      if (!messageType || keys.length !== 2) return undefined;
      const parsed = parse(payload.data);
      if (!parsed || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) return undefined;
      return { value: { ...parsed.value, [MESSAGE_TYPE_KEY]: messageType } };
    }
    default:
      return undefined;
  }
}

function parse(data: Uint8Array | null | undefined): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text(data ?? undefined)) as unknown };
  } catch {
    return undefined; // not JSON after all: the standard form shows its bytes
  }
}

/** A payload from its JSON: the standard `{ metadata, data }` form when it is exactly that, else shorthand. */
export function payloadFromJson(value: unknown): IPayload {
  if (value === null) return { metadata: { encoding: utf8(BINARY_NULL) } };
  if (typeof value === 'object' && !Array.isArray(value)) {
    const standard = standardPayload(value as Record<string, unknown>);
    if (standard) return standard;
    const { [MESSAGE_TYPE_KEY]: messageType, ...rest } = value as Record<string, unknown>;
    if (messageType !== undefined) {
      if (typeof messageType !== 'string') throw new JsonFieldError(`internal key "${MESSAGE_TYPE_KEY}" should have type string`);
      return { metadata: { encoding: utf8('json/protobuf'), messageType: utf8(messageType) }, data: utf8(JSON.stringify(rest)) };
    }
  }
  return { metadata: { encoding: utf8('json/plain') }, data: utf8(JSON.stringify(value)) };
}

function standardPayload(obj: Record<string, unknown>): IPayload | undefined {
  const { metadata, data } = obj;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  const entries = Object.entries(metadata as Record<string, unknown>);
  if (!entries.some(([k]) => k === 'encoding')) return undefined;
  const decoded: Record<string, Uint8Array> = {};
  for (const [k, v] of entries) {
    const bytes = typeof v === 'string' ? base64(v) : undefined;
    if (!bytes) return undefined;
    decoded[k] = bytes;
  }
  if (data === undefined && Object.keys(obj).length === 1 && text(decoded.encoding) === BINARY_NULL) return { metadata: decoded };
  if (Object.keys(obj).length !== 2 || typeof data !== 'string') return undefined;
  const dataBytes = base64(data);
  return dataBytes ? { metadata: decoded, data: dataBytes } : undefined;
}

/** Standard or URL-safe base64, padded or not (as protojson reads bytes); undefined when it is not base64. */
export function base64(value: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return undefined;
  const unpadded = value.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  return Buffer.from(unpadded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function utf8(s: string): Uint8Array {
  return Buffer.from(s, 'utf8');
}
