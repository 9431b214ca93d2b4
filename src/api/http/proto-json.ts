/**
 * Messages ↔ proto3 JSON as Temporal's HTTP API writes and reads them (temporalproto's marshaler): lowerCamelCase
 * names (snake_case also read), enums by name, 64-bit integers as strings, bytes as base64, the well-known types in
 * their JSON forms, payloads in shorthand unless turned off, and unknown fields or values of the wrong type refused.
 */
import { toNumber, type IPayload, type Long } from '../../common/proto';
import {
  base64,
  durationFromJson,
  durationToJson,
  JsonFieldError,
  payloadFromJson,
  payloadToShorthand,
  timestampFromJson,
  timestampToJson,
} from './well-known-json';

export interface ReflectedEnum {
  values: Record<string, number>;
  valuesById: Record<number, string>;
}
export interface ReflectedField {
  name: string;
  type: string;
  repeated: boolean;
  map: boolean;
  partOf: unknown;
  resolvedType: ReflectedMessageType | ReflectedEnum | null;
  resolve(): unknown;
}
export interface ReflectedMessageType {
  fullName: string;
  fieldsArray: ReflectedField[];
  fields: Record<string, { id: number } | undefined>;
  encode(message: unknown): { finish(): Uint8Array };
  decode(data: Uint8Array): unknown;
  fromObject(object: Record<string, unknown>): unknown;
  lookupType(name: string): ReflectedMessageType;
}

export interface JsonOptions {
  /** Payloads in Temporal's shorthand (the default; `?noPayloadShorthand` turns it off). */
  payloadShorthand: boolean;
}

type JsonObject = Record<string, unknown>;

const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT32 = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const WRAPPERS = new Set(['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((t) => `.google.protobuf.${t}Value`));

export function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * A type's fields with their types resolved. Resolving the whole root up front costs ~200 ms at start-up; protobufjs
 * resolves a type when it first encodes or decodes it, and this does the same for the types JSON reaches first.
 */
function fieldsOf(type: ReflectedMessageType): ReflectedField[] {
  for (const field of type.fieldsArray) if (field.resolvedType === null) field.resolve();
  return type.fieldsArray;
}

function isEnum(t: ReflectedField['resolvedType']): t is ReflectedEnum {
  return t !== null && 'values' in t;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field `name` names (lowerCamelCase or snake_case), if `type` has it. */
export function fieldNamed(type: ReflectedMessageType, name: string): ReflectedField | undefined {
  const camel = lowerCamel(name);
  return fieldsOf(type).find((f) => f.name === name || lowerCamel(f.name) === camel);
}

// ---------------------------------------------------------------------------------------------------------------
// Message → JSON

export function messageToJson(type: ReflectedMessageType, message: JsonObject, options: JsonOptions): unknown {
  switch (type.fullName) {
    case '.google.protobuf.Timestamp':
      return timestampToJson(toNumber(message.seconds as Long), Number(message.nanos ?? 0));
    case '.google.protobuf.Duration':
      return durationToJson(toNumber(message.seconds as Long), Number(message.nanos ?? 0));
    case '.google.protobuf.Any':
      return anyToJson(type, message, options);
    case '.google.protobuf.FieldMask':
      return ((message.paths as string[] | undefined) ?? []).map((p) => p.split('.').map(lowerCamel).join('.')).join(',');
    case '.temporal.api.common.v1.Payload':
      if (options.payloadShorthand) {
        const short = payloadToShorthand(message);
        if (short) return short.value;
      }
      break;
    case '.temporal.api.common.v1.Payloads':
      if (options.payloadShorthand) {
        const shorts = ((message.payloads as IPayload[] | undefined) ?? []).map(payloadToShorthand);
        if (shorts.every((s) => s !== undefined)) return shorts.map((s) => s?.value);
      }
      break;
  }
  const out: JsonObject = {};
  for (const field of fieldsOf(type)) {
    if (!Object.prototype.hasOwnProperty.call(message, field.name)) continue;
    const value = message[field.name];
    if (value === null || value === undefined) continue;
    const name = lowerCamel(field.name);
    if (field.map) {
      const entries = Object.entries(value as JsonObject);
      if (entries.length > 0) out[name] = Object.fromEntries(entries.map(([k, v]) => [k, valueToJson(field, v, options)]));
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length > 0) out[name] = items.map((v) => valueToJson(field, v, options));
    } else if (field.partOf || (field.resolvedType !== null && !isEnum(field.resolvedType)) || !isDefault(value)) {
      out[name] = valueToJson(field, value, options);
    }
  }
  if (WRAPPERS.has(type.fullName)) return out.value ?? defaultOfWrapper(type.fullName);
  return out;
}

function defaultOfWrapper(fullName: string): unknown {
  if (fullName.endsWith('BoolValue')) return false;
  if (fullName.endsWith('StringValue') || fullName.endsWith('BytesValue') || fullName.includes('Int64')) return fullName.includes('Int64') ? '0' : '';
  return 0;
}

function isDefault(value: unknown): boolean {
  if (value instanceof Uint8Array) return value.length === 0;
  if (typeof value === 'object' && value !== null) return toNumber(value as Long) === 0;
  return value === 0 || value === '' || value === false;
}

function valueToJson(field: ReflectedField, value: unknown, options: JsonOptions): unknown {
  const resolved = field.resolvedType;
  if (resolved !== null) {
    if (isEnum(resolved)) return resolved.valuesById[value as number] ?? value;
    return messageToJson(resolved, value as JsonObject, options);
  }
  if (INT64.has(field.type)) return typeof value === 'number' ? String(value) : (value as Long).toString();
  if (field.type === 'bytes') return Buffer.from(value as Uint8Array).toString('base64');
  if ((field.type === 'double' || field.type === 'float') && !Number.isFinite(value)) return String(value);
  return value;
}

function anyToJson(type: ReflectedMessageType, any: JsonObject, options: JsonOptions): JsonObject {
  const typeUrl = (any.type_url as string | undefined) ?? '';
  const inner = type.lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
  const json = messageToJson(inner, inner.decode((any.value as Uint8Array | undefined) ?? new Uint8Array()) as JsonObject, options);
  return isObject(json) && !inner.fullName.startsWith('.google.protobuf.') ? { '@type': typeUrl, ...json } : { '@type': typeUrl, value: json };
}

// ---------------------------------------------------------------------------------------------------------------
// JSON → message

/** A request message from its JSON; a value of the wrong type or an unknown field throws {@link JsonFieldError}. */
export function messageFromJson(type: ReflectedMessageType, json: unknown, options: JsonOptions): unknown {
  return type.fromObject(objectFromJson(type, json, options, '') as JsonObject);
}

function objectFromJson(type: ReflectedMessageType, json: unknown, options: JsonOptions, path: string): unknown {
  switch (type.fullName) {
    case '.google.protobuf.Timestamp':
      return timestampFromJson(json);
    case '.google.protobuf.Duration':
      return durationFromJson(json);
    case '.google.protobuf.FieldMask':
      if (typeof json !== 'string') throw new JsonFieldError(`invalid value for google.protobuf.FieldMask ${path}: ${JSON.stringify(json)}`);
      return {
        paths:
          json === ''
            ? []
            : json.split(',').map((p) =>
                p
                  .split('.')
                  .map((s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))
                  .join('.'),
              ),
      };
    case '.google.protobuf.Any':
      return anyFromJson(type, json, options, path);
    case '.temporal.api.common.v1.Payload':
      if (options.payloadShorthand) return payloadFromJson(json);
      break;
    case '.temporal.api.common.v1.Payloads':
      if (options.payloadShorthand && Array.isArray(json)) return { payloads: json.map(payloadFromJson) };
      break;
  }
  if (WRAPPERS.has(type.fullName) && !isObject(json)) json = { value: json };
  if (!isObject(json)) {
    throw new JsonFieldError(`invalid value for message field ${path || type.fullName.slice(1)}: expected an object, got ${JSON.stringify(json)}`);
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    const field = fieldNamed(type, key);
    if (!field) throw new JsonFieldError(`unknown field "${key}" in ${type.fullName.slice(1)}`);
    if (value === null) continue;
    const at = path ? `${path}.${lowerCamel(field.name)}` : lowerCamel(field.name);
    if (field.map) {
      if (!isObject(value)) throw new JsonFieldError(`invalid value for map field ${at}: expected an object`);
      out[field.name] = Object.fromEntries(Object.entries(value).map(([k, v]) => [wellFormed(k), valueFromJson(field, v, options, `${at}.${k}`)]));
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw new JsonFieldError(`invalid value for repeated field ${at}: expected an array`);
      out[field.name] = value.map((v, i) => valueFromJson(field, v, options, `${at}[${i}]`));
    } else {
      out[field.name] = valueFromJson(field, value, options, at);
    }
  }
  return out;
}

/**
 * A JSON string with each lone surrogate (`"\\ud800"`, valid JSON) as U+FFFD, as Go's JSON decoder reads it: kept, it
 * would be stored as bytes that are no UTF-8, and every later answer carrying it would fail to encode.
 */
function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function valueFromJson(field: ReflectedField, value: unknown, options: JsonOptions, path: string): unknown {
  const resolved = field.resolvedType;
  const wrong = (): never => {
    throw new JsonFieldError(`invalid value for ${field.type} field ${path}: ${JSON.stringify(value)}`);
  };
  if (resolved !== null) {
    if (!isEnum(resolved)) return objectFromJson(resolved, value, options, path);
    if (typeof value === 'string' && value in resolved.values) return resolved.values[value];
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    return wrong();
  }
  if (INT64.has(field.type)) {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
    return wrong();
  }
  if (INT32.has(field.type)) {
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) ? n : wrong();
  }
  switch (field.type) {
    case 'double':
    case 'float': {
      if (typeof value === 'number') return value;
      if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
      return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : wrong();
    }
    case 'bool':
      return typeof value === 'boolean' ? value : wrong();
    case 'string':
      return typeof value === 'string' ? wellFormed(value) : wrong();
    case 'bytes':
      return (typeof value === 'string' && base64(value)) || wrong();
    default:
      return wrong();
  }
}

function anyFromJson(type: ReflectedMessageType, json: unknown, options: JsonOptions, path: string): JsonObject {
  if (!isObject(json) || typeof json['@type'] !== 'string') throw new JsonFieldError(`invalid value for google.protobuf.Any ${path}: "@type" is required`);
  const { '@type': typeUrl, ...fields } = json;
  let inner: ReflectedMessageType;
  try {
    inner = type.lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
  } catch {
    throw new JsonFieldError(`unable to resolve "${typeUrl}": not found`);
  }
  const body = inner.fullName.startsWith('.google.protobuf.') ? fields.value : fields;
  return { type_url: typeUrl, value: inner.encode(inner.fromObject(objectFromJson(inner, body, options, path) as JsonObject)).finish() };
}

/** The field at a dotted path of (snake_case or camelCase) names, as path templates and query parameters name them. */
export function fieldAtPath(type: ReflectedMessageType, path: readonly string[]): ReflectedField | undefined {
  let current: ReflectedMessageType = type;
  let field: ReflectedField | undefined;
  for (const [i, name] of path.entries()) {
    field = fieldNamed(current, name);
    if (!field) return undefined;
    if (i < path.length - 1) {
      if (field.resolvedType === null || isEnum(field.resolvedType)) return undefined;
      current = field.resolvedType;
    }
  }
  return field;
}
