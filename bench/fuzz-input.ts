/**
 * What the fuzzer sends: seeded random requests for the gRPC frontend — valid messages of every
 * WorkflowService / OperatorService request type with hostile field values, raw mutations of their
 * bytes, broken framing, list filters from a grammar of valid and invalid tokens, unknown methods and
 * foreign content types. Each case says whether INTERNAL is a proper answer to it (grpc-go answers
 * INTERNAL to bytes that are no message, and to broken framing) or a defect.
 */
import zlib from 'node:zlib';
import jsonRoot from '@temporalio/proto/protos/json-module';
import type { Field, Namespace, Service, Type } from 'protobufjs';

export interface FuzzCase {
  kind: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** INTERNAL is what gRPC answers to this input (bytes that do not decode, broken framing). */
  internalAllowed: boolean;
}

/** mulberry32: small, fast and the same sequence for the same seed everywhere. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** Methods that wait for work (long polls, queries and updates without a worker): sent with a short grpc-timeout. */
const WAITING = new Set(['PollWorkflowTaskQueue', 'PollActivityTaskQueue', 'PollNexusTaskQueue', 'QueryWorkflow', 'UpdateWorkflowExecution']);
const SERVICES = ['temporal.api.workflowservice.v1.WorkflowService', 'temporal.api.operatorservice.v1.OperatorService'];

interface Method {
  path: string;
  name: string;
  requestType: Type;
}

function methods(): Method[] {
  const root = jsonRoot as Namespace;
  return SERVICES.flatMap((serviceName) => {
    const service = root.lookupService(serviceName).resolveAll() as Service;
    return service.methodsArray
      .filter((m) => !m.requestStream && !m.responseStream && m.resolvedRequestType)
      .map((m) => ({ path: `/${serviceName}/${m.name}`, name: m.name, requestType: m.resolvedRequestType as Type }));
  });
}

export const STRINGS = ['', 'default', 'a', '😀', '\ud83d', 'x'.repeat(1001), 'é'.repeat(3000), '%00\n\r\t', 'type.googleapis.com/x', "' OR 1=1 --"];
const NUMBERS = [0, 1, -1, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, -(2 ** 53 - 1), 999_999_999_999, 7, 99];

/** A random value for a field, valid for its protobuf type and hostile in content. */
function fieldValue(r: Random, field: Field, depth: number): unknown {
  const resolved = field.resolvedType;
  if (resolved && 'values' in resolved) return r.chance(0.7) ? r.pick(Object.values(resolved.values)) : r.pick([-1, 99, 2 ** 31 - 1]);
  if (resolved) return message(r, resolved, depth + 1);
  switch (field.type) {
    case 'string':
      return r.chance(0.005) ? 'y'.repeat(r.int(100_000)) : r.pick(STRINGS);
    case 'bytes':
      return r.chance(0.5) ? Buffer.from(r.pick(['null', '"v"', '42', '{', '[1,2]', 'true'])) : r.bytes(r.int(40));
    case 'bool':
      return r.chance(0.5);
    case 'double':
    case 'float':
      return r.pick([0, -1.5, 1e308, Number.NaN, Number.POSITIVE_INFINITY]);
    default:
      return r.pick(NUMBERS);
  }
}

/** A message with a random subset of its fields set; recursive types (Failure.cause) nest up to 40 deep. */
export function message(r: Random, type: Type, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (depth > 40) return out;
  const nesting = depth > 4 ? 0.1 : 0.5;
  for (const field of type.fieldsArray) {
    field.resolve();
    if (!r.chance(field.resolvedType && !('values' in field.resolvedType) ? nesting : 0.6)) continue;
    if (field.map) {
      const key = (field as Field & { keyType?: string }).keyType === 'string' ? r.pick(STRINGS.slice(0, 6)) : r.int(5);
      out[field.name] = { [String(key)]: fieldValue(r, field, depth) };
    } else if (field.repeated) {
      out[field.name] = Array.from({ length: r.int(4) }, () => fieldValue(r, field, depth));
    } else {
      out[field.name] = fieldValue(r, field, depth);
    }
  }
  // Most requests name the namespace that exists, so that they reach past its lookup.
  if ('namespace' in type.fields && r.chance(0.8)) out.namespace = 'default';
  return out;
}

const FILTER_TOKENS = [
  'WorkflowId',
  'WorkflowType',
  'ExecutionStatus',
  'StartTime',
  'CloseTime',
  'ExecutionDuration',
  'CustomIntField',
  'CustomKeywordField',
  'CustomDatetimeField',
  'CustomBoolField',
  'CustomDoubleField',
  'CustomTextField',
  'CustomKeywordListField',
  'Unknown',
  '`Quoted Name`',
  '=',
  '!=',
  '<>',
  '<',
  '<=',
  '>',
  '>=',
  'AND',
  'OR',
  'NOT',
  'IN',
  'BETWEEN',
  'IS',
  'NULL',
  'STARTS_WITH',
  'ORDER BY',
  'GROUP BY',
  'LIMIT',
  '(',
  ')',
  ',',
  "'Running'",
  "'x'",
  "'2024-01-01T00:00:00Z'",
  "'1h'",
  '42',
  '-1',
  '1e400',
  '99999999999999999999999',
  '1.5',
  'TRUE',
  'FALSE',
  "'unterminated",
  '"dq"',
  '😀',
  '\ud83d',
  '%',
  ';',
  '--',
  '*',
  '\\',
];

/** A filter: a valid predicate chain with noise, or a random token soup, or one built to exhaust bounds. */
export function filter(r: Random): string {
  const roll = r.int(10);
  if (roll === 0) return `${'('.repeat(r.int(2000))}WorkflowId = 'x'${')'.repeat(r.int(2000))}`;
  if (roll === 1) return `${'NOT '.repeat(r.int(5000))}WorkflowId = 'x'`;
  if (roll === 2) return `WorkflowId IN (${Array.from({ length: r.int(6000) }, (_, i) => `'w${i}'`).join(',')})`;
  if (roll < 6) {
    const predicates = Array.from(
      { length: 1 + r.int(4) },
      () => `${r.pick(FILTER_TOKENS.slice(0, 14))} ${r.pick(['=', '!=', '>', 'IN (', 'IS NOT'])} ${r.pick(FILTER_TOKENS.slice(40))}`,
    );
    return predicates.join(r.pick([' AND ', ' OR ', ' ']));
  }
  return Array.from({ length: 1 + r.int(12) }, () => r.pick(FILTER_TOKENS)).join(' ');
}

export function frame(payload: Buffer, flag = 0, length = payload.length): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flag, 0);
  header.writeUInt32BE(length, 1);
  return Buffer.concat([header, payload]);
}

/** Generates cases from one seed; the same seed gives the same sequence. */
export class FuzzInput {
  private readonly random: Random;
  private readonly methods = methods();

  constructor(seed: number) {
    this.random = new Random(seed);
  }

  next(): FuzzCase {
    const r = this.random;
    const method = r.pick(this.methods);
    const headers: Record<string, string> = { 'content-type': 'application/grpc', 'grpc-timeout': WAITING.has(method.name) ? '100m' : '3S' };
    const valid = (): Buffer => Buffer.from(method.requestType.encode(message(r, method.requestType)).finish());
    const roll = r.int(100);
    if (roll < 40) return { kind: 'mutated-fields', path: method.path, headers, body: frame(valid()), internalAllowed: false };
    if (roll < 50) {
      const type = r.pick(['ListWorkflowExecutions', 'CountWorkflowExecutions', 'ScanWorkflowExecutions'] as const);
      const found = this.methods.find((m) => m.name === type) as Method;
      const body = found.requestType.encode({ namespace: 'default', query: filter(r), pageSize: r.pick([0, 1, -1, 1000]) }).finish();
      return { kind: 'list-filter', path: found.path, headers, body: frame(Buffer.from(body)), internalAllowed: false };
    }
    if (roll < 65) {
      // Random byte flips of a valid message: broken UTF-8, varints, lengths and tags.
      const bytes = valid();
      for (let i = 0, n = 1 + r.int(4); i < n && bytes.length > 0; i++) bytes[r.int(bytes.length)] = r.int(256);
      return { kind: 'byte-flips', path: method.path, headers, body: frame(bytes), internalAllowed: true };
    }
    if (roll < 72) return { kind: 'random-bytes', path: method.path, headers, body: frame(r.bytes(r.int(300))), internalAllowed: true };
    if (roll < 84) return { kind: 'framing', path: method.path, ...this.brokenFraming(valid(), headers, WAITING.has(method.name)) };
    if (roll < 92) {
      const contentType = r.pick(['application/json', 'application/grpc+json', 'text/plain', '', 'application/grpc-web', 'application/grpc;x=1']);
      return { kind: 'content-type', path: method.path, headers: { ...headers, 'content-type': contentType }, body: frame(valid()), internalAllowed: true };
    }
    const path = r.pick(['/', '/x', `${method.path}x`, '/temporal.api.workflowservice.v1.WorkflowService/', `/${'p'.repeat(r.int(10_000))}`]);
    return { kind: 'unknown-method', path, headers, body: frame(valid()), internalAllowed: false };
  }

  private brokenFraming(message: Buffer, headers: Record<string, string>, waits: boolean): Omit<FuzzCase, 'kind' | 'path'> {
    const r = this.random;
    const broken = (body: Buffer, extra: Record<string, string> = {}): Omit<FuzzCase, 'kind' | 'path'> => ({
      headers: { ...headers, ...extra },
      body,
      internalAllowed: true,
    });
    switch (r.int(8)) {
      case 0:
        return broken(frame(message, 0, message.length + 1 + r.int(1000)));
      case 1:
        return broken(Buffer.concat([frame(message), r.bytes(1 + r.int(10))]));
      case 2:
        return broken(Buffer.concat([frame(message), frame(message)]));
      case 3:
        return broken(frame(message).subarray(0, r.int(5)));
      case 4:
        return broken(frame(message, 1), { 'grpc-encoding': 'gzip' }); // compressed flag on data that is not gzip
      case 5:
        return broken(frame(zlib.gzipSync(message), 1), { 'grpc-encoding': r.pick(['snappy', 'identity', 'deflate']) });
      case 6:
        return broken(frame(message, 2 + r.int(250)));
      default: {
        const timeout = r.pick(['0m', '99999999H', 'x', '-1S', '123456789S']);
        // A long poll without a usable deadline is rightly held for the long-poll interval (a minute): not a hang.
        return broken(frame(message), waits ? {} : { 'grpc-timeout': timeout });
      }
    }
  }
}
