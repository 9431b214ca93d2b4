/**
 * What the HTTP fuzzer sends: seeded random requests for Temporal's HTTP API (the `--http-port` listener, and the same
 * API under the UI server's `/api/v1`) — every annotated route with valid JSON bodies built from random messages
 * (fuzz-input.ts), the same bodies mutated (wrong types, unknown fields, huge strings, lone surrogates, deep nesting,
 * enormous numbers, negative durations, bad enums and base64), broken bytes (invalid UTF-8, truncated JSON, bodies
 * over the 4 MiB limit, chunked bodies cut short), odd paths, verbs, content types and query strings, list filters
 * from the gRPC fuzzer's grammar, and for the UI server missing or wrong CSRF tokens and odd Host headers.
 */
import type { Type } from 'protobufjs';
import { httpRoutes } from '../src/api/http/http-server';
import { messageToJson, type ReflectedMessageType } from '../src/api/http/proto-json';
import { filter, message, Random, STRINGS } from './fuzz-input';

export type HttpTarget = 'http' | 'ui';

export interface HttpFuzzCase {
  kind: string;
  target: HttpTarget;
  method: string;
  /** The request target as sent, raw (it may hold bytes a client library would refuse). */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The body is sent as chunks, and the request is cut short (the client half-closes mid-body). */
  cutShort?: boolean;
  /**
   * The request is broken below the API (framing, headers): the HTTP layer may answer a plain 4xx, as Go's net/http
   * does before grpc-gateway sees it, or close a connection whose request never ended.
   */
  transport: boolean;
  /** The call may wait for work (a long poll, an update or query without a worker): the client gives up, no hang. */
  mayWait: boolean;
}

interface Route {
  rpc: string;
  method: string;
  template: string;
  body?: string;
  requestType: ReflectedMessageType;
}

/** RPCs that wait for something no worker will do here; a valid request to them is abandoned, not a hang. */
const WAITING = new Set([
  'GetWorkflowExecutionHistory',
  'QueryWorkflow',
  'UpdateWorkflowExecution',
  'PollActivityExecution',
  'PollNexusOperationExecution',
  'PollWorkflowExecutionTimeSkipping',
]);
const API_VERBS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
const VERBS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'get'];
const PATH_VALUES = [
  'default',
  'wf-1',
  '%2F',
  'a%2Fb',
  '..',
  '%2e%2e',
  '.',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80', // a lone surrogate, percent-encoded
  '%FF%FE',
  '😀',
  'x'.repeat(5000),
  '%20',
  '{namespace}',
  'default%3Fx%3D1',
];
const JUNK_QUERIES = [
  '?',
  '?&&',
  '?=',
  '?a',
  '?%',
  '?%zz=1',
  '?pretty',
  '?noPayloadShorthand=0',
  '?namespace=other',
  '?x=' + 'y'.repeat(20_000),
  '?a[]=1&a[]=2',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json+no-payload-shorthand',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  'application/grpc',
  'application/json; charset=latin1',
];
const HOSTS = [
  'evil.example',
  'localhost.evil.example',
  '127.0.0.1.nip.io',
  'LOCALHOST',
  '[::1',
  '[::1]:8233',
  '',
  'a'.repeat(300),
  'localhost:99999',
  '0x7f.1',
];
const ENUM_VALUES = ['NOT_AN_ENUM', '', 'workflow_execution_status_running', 99, -1, 2 ** 40, 1.5, true];
const HUGE_NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '9223372036854775808', '-9223372036854775809', '1e-400', '0.0000001', '-0'];
const DURATIONS = ['-5s', '-315576000001s', '1.0000000001s', '5', '5m', 's', '-0s', '99999999999999999999s', '1e3s'];
const BAD_BASE64 = ['!!!!', 'a', 'YQ=x', '====', '\u0000', 'YWJj\n'];

function routes(): Route[] {
  return httpRoutes().map(({ rpc, method, template, body, requestType }) => ({ rpc, method, template, body, requestType }));
}

/** A message as the JSON the HTTP API reads (through the server's own writer); empty when the random one cannot be written. */
function validJson(r: Random, type: ReflectedMessageType): Record<string, unknown> {
  try {
    const encoded = type.encode(type.fromObject(message(r, type as unknown as Type))).finish();
    const json = messageToJson(type, type.decode(encoded) as Record<string, unknown>, { payloadShorthand: r.chance(0.7) });
    return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  } catch {
    return 'namespace' in type.fields ? { namespace: 'default' } : {};
  }
}

/** Every object and array inside `value` with the keys it holds, to pick a place to mutate. */
function places(value: unknown, out: [Record<string, unknown> | unknown[], string | number][] = [], depth = 0): typeof out {
  if (depth > 12 || typeof value !== 'object' || value === null) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([value, i]);
      places(v, out, depth + 1);
    });
  } else {
    for (const [k, v] of Object.entries(value)) {
      out.push([value as Record<string, unknown>, k]);
      places(v, out, depth + 1);
    }
  }
  return out;
}

/** Marks replaced after JSON.stringify by text JSON cannot hold as a value (`\ud800`, `1e400`). */
const RAW = '\u0001raw:';

/** Nesting as text (JSON.stringify would overflow its own stack on it). */
function deep(r: Random): string {
  const n = r.int(20_000);
  const [open, close] = r.pick([
    ['[', ']'],
    ['{"cause":', '}'],
    ['{"a":[', ']}'],
  ]);
  return `${RAW}${open.repeat(n)}${r.chance(0.5) ? '{}' : '"leaf"'}${close.repeat(n)}`;
}

/** A hostile replacement for a value in a request body. */
function hostileValue(r: Random): unknown {
  switch (r.int(11)) {
    case 0:
      return r.pick([42, -1, true, false, 'x', [], {}, [1, 'a'], { a: 1 }, null]);
    case 1:
      return 'z'.repeat(r.pick([1001, 70_000, 1_000_000]));
    case 2:
      return `${RAW}"a\\ud800b"`;
    case 3:
      return deep(r);
    case 4:
      return `${RAW}${r.pick(HUGE_NUMBERS)}`;
    case 5:
      return r.pick(DURATIONS);
    case 6:
      return r.pick(ENUM_VALUES);
    case 7:
      return r.pick(BAD_BASE64);
    case 8:
      return { metadata: { encoding: r.pick(BAD_BASE64) }, data: r.pick(BAD_BASE64) };
    case 9:
      return r.pick(['1970-01-01T00:00:00Z', '0000-00-00T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '2024-02-30T25:61:61Z', '-1', '']);
    default:
      return r.pick(STRINGS);
  }
}

function serialize(json: unknown): string {
  return JSON.stringify(json).replace(/"\\u0001raw:((?:[^"\\]|\\.)*)"/g, (_, raw: string) => JSON.parse(`"${raw}"`) as string);
}

function mutate(r: Random, json: Record<string, unknown>): string {
  const spots = places(json);
  if (spots.length === 0 || r.chance(0.2)) {
    json[r.pick(['noSuchField', 'namespace', 'workflowId', 'requestId', '@type', '__proto__', 'constructor', 'input'])] = hostileValue(r);
  } else {
    const [container, key] = r.pick(spots);
    (container as Record<string | number, unknown>)[key] = hostileValue(r);
  }
  return serialize(json);
}

/** Byte-level damage to a JSON text. */
function damage(r: Random, text: string): Buffer {
  const bytes = Buffer.from(text);
  switch (r.int(6)) {
    case 0:
      return bytes.subarray(0, r.int(bytes.length));
    case 1: {
      const at = Math.max(0, bytes.indexOf('"', r.int(bytes.length)) + 1);
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from(r.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]])),
        bytes.subarray(at),
      ]);
    }
    case 2:
      return Buffer.from(`${'['.repeat(r.int(200_000))}${r.chance(0.5) ? ']'.repeat(r.int(200_000)) : ''}`);
    case 3:
      return Buffer.from(r.pick(['', ' ', 'null', '[]', '"x"', '1', 'true', '{}{}', '{"a":1,}', '\ufeff{}', '{"namespace":"default","namespace":"x"}']));
    case 4:
      return Buffer.concat([bytes, r.bytes(1 + r.int(20))]);
    default: {
      for (let i = 0, n = 1 + r.int(4); i < n && bytes.length > 0; i++) bytes[r.int(bytes.length)] = r.int(256);
      return bytes;
    }
  }
}

/** encodeURIComponent that takes any string: a lone surrogate goes as UTF-8's replacement character. */
function percent(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`))
    .join('');
}

/** Generates cases from one seed; the same seed gives the same sequence. */
export class HttpFuzzInput {
  private readonly random: Random;
  private readonly routes = routes();

  constructor(
    seed: number,
    private readonly targets: readonly HttpTarget[] = ['http', 'ui'],
  ) {
    this.random = new Random(seed);
  }

  next(): HttpFuzzCase {
    const r = this.random;
    const route = r.pick(this.routes);
    const target = r.pick(this.targets);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const base = { target, method: route.method, headers, transport: false, mayWait: WAITING.has(route.rpc) };
    const json = validJson(r, route.requestType);
    const roll = r.int(100);
    let c: HttpFuzzCase;
    if (roll < 25) c = { ...base, kind: 'valid', path: this.path(route, false), body: this.body(route, serialize(json)) };
    else if (roll < 50) c = { ...base, kind: 'mutated-json', path: this.path(route, false), body: this.body(route, mutate(r, json)) };
    else if (roll < 60) c = { ...base, kind: 'broken-bytes', path: this.path(route, false), body: damage(r, serialize(json)) };
    else if (roll < 68) c = this.listFilter(base);
    else if (roll < 76) c = { ...base, kind: 'path', path: this.path(route, true), body: this.body(route, serialize(json)) };
    else if (roll < 80) {
      const method = r.pick(VERBS);
      // A method the HTTP parser does not know (`get`), or CONNECT (a tunnel, not a request), never reaches the API.
      c = { ...base, kind: 'verb', method, path: this.path(route, false), body: Buffer.from(serialize(json)), transport: !API_VERBS.has(method) };
    } else if (roll < 84) {
      c = {
        ...base,
        kind: 'content-type',
        headers: { 'content-type': r.pick(CONTENT_TYPES) },
        path: this.path(route, false),
        body: Buffer.from(serialize(json)),
      };
    } else if (roll < 88) c = { ...base, kind: 'query', path: this.path(route, false) + r.pick(JUNK_QUERIES), body: this.body(route, serialize(json)) };
    else if (roll < 91) c = { ...base, kind: 'random-path', path: this.randomPath(), body: Buffer.from(serialize(json)) };
    else if (roll < 95) {
      c = {
        ...base,
        kind: 'chunked-cut-short',
        method: 'POST',
        path: this.path(route, false),
        body: Buffer.from(serialize(json)),
        cutShort: true,
        transport: true,
      };
    } else if (roll < 97) {
      c = {
        ...base,
        kind: 'over-limit',
        method: 'POST',
        path: this.path(route, false),
        body: Buffer.from(`{"input":["${'x'.repeat(4 * 1024 * 1024 + r.int(1024 * 1024))}"]}`),
      };
    } else c = { ...base, kind: 'raw-header', path: this.path(route, false), headers: this.rawHeaders(), body: Buffer.from(serialize(json)), transport: true };
    // A request target with raw (unencoded) non-ASCII or control bytes is refused by the HTTP parser.
    if (/[^\x21-\x7e]/.test(c.path)) c.transport = true;
    // Outside `/api/` the UI server serves its app, not the API.
    if (!c.path.startsWith('/api/')) c.target = 'http';
    if (c.target === 'ui') this.uiHeaders(c);
    return c;
  }

  /** The route's path with its variables filled: the namespace mostly `default`, others a plain id or (hostile) odd values. */
  private path(route: Route, hostile: boolean): string {
    const r = this.random;
    return route.template.replace(/\{([^}]+)\}/g, (_, field: string) => {
      if (hostile && r.chance(0.6)) return r.pick(PATH_VALUES);
      if (field === 'namespace' && r.chance(0.9)) return 'default';
      return percent(r.pick(['wf-1', 'x', 'a b', '😀', 'default', 'no-such', '123']));
    });
  }

  private body(route: Route, text: string): Buffer {
    return route.body ? Buffer.from(text) : Buffer.alloc(0);
  }

  private randomPath(): string {
    const r = this.random;
    return r.pick([
      '/',
      '/api',
      '/api/v1',
      '/api/v2/system-info',
      '/api/v1/system-info/',
      '//api//v1//system-info',
      '/api/v1/../v1/system-info',
      '/api/v1/%2e%2e/system-info',
      '/API/V1/SYSTEM-INFO',
      `/api/v1/${'a/'.repeat(r.int(2000))}`,
      `/api/v1/namespaces/${'%'.repeat(r.int(50))}`,
      '*',
      'http://other.example/api/v1/system-info',
      '/api/v1/namespaces/default/workflows/a%2Fb/signal/c',
    ]);
  }

  private listFilter(base: Omit<HttpFuzzCase, 'kind' | 'path' | 'body'>): HttpFuzzCase {
    const r = this.random;
    const rpc = r.pick(['workflows', 'workflow-count', 'schedules', 'activities', 'worker-count']);
    const size = r.pick(['', '&pageSize=1', '&pageSize=-1', '&pageSize=x', '&pageSize=99999999999', '&nextPageToken=!!', '&nextPageToken=YQ']);
    const path = `/api/v1/namespaces/default/${rpc}?query=${percent(filter(r))}${size}`;
    return { ...base, kind: 'list-filter', method: 'GET', path, body: Buffer.alloc(0), mayWait: false };
  }

  private rawHeaders(): Record<string, string> {
    const r = this.random;
    return r.pick<Record<string, string>>([
      { 'content-type': 'application/json', 'content-length': '-1' },
      { 'content-type': 'application/json', 'content-length': 'abc' },
      { 'content-type': 'application/json', 'transfer-encoding': 'gzip' },
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      { 'content-type': 'application/json', 'x-bad header': '1' },
      { 'content-type': 'application/json', expect: '100-continue' },
      { 'content-type': 'application/json', authorization: 'Bearer \u00ff' },
      { 'content-type': 'application/json', 'x-long': 'h'.repeat(20_000) },
    ]);
  }

  /** The UI server wants the CSRF token on a state-changing call and a local Host: sometimes it is not given them. */
  private uiHeaders(c: HttpFuzzCase): void {
    const r = this.random;
    const roll = r.int(10);
    if (roll === 0) c.headers['x-csrf-token'] = r.pick(['', 'wrong', 'x'.repeat(43), '\u00e9'.repeat(43)]);
    else if (roll === 1) c.headers.host = r.pick(HOSTS);
    else if (roll !== 2) c.headers['x-csrf-token'] = CSRF_PLACEHOLDER;
    if (roll === 0 || roll === 1 || roll === 2) c.kind = `ui-${['csrf-wrong', 'host', 'csrf-missing'][roll] ?? ''}:${c.kind}`;
  }
}

/** Replaced by the UI server's token (from `/ui-config.json`) when the case is sent. */
export const CSRF_PLACEHOLDER = '\u0000csrf';
