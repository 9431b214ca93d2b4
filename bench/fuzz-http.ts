/**
 * The HTTP API fuzzer (issue 17): sends seeded hostile requests (see fuzz-http-input.ts) to Temporal's HTTP API on
 * the `--http-port` listener and under the UI server's `/api/v1`, over raw sockets (a client library would refuse
 * much of what is sent), and checks that every answer is a well-formed HTTP response with the status grpc-gateway
 * gives for its gRPC code and a JSON `{code, message, details}` body — never a 5xx for bad input, never a dropped
 * connection — and that the server keeps answering (a health probe every 250 requests).
 */
import net from 'node:net';
import { GrpcCode, httpStatusOf } from '../src/api/status';
import { CSRF_PLACEHOLDER, HttpFuzzInput, type HttpFuzzCase, type HttpTarget } from './fuzz-http-input';

export interface HttpFuzzOptions {
  /** host:port of the `--http-port` listener. */
  httpAddress: string;
  /** host:port of the UI server (its `/api/v1`); without it only the HTTP port is fuzzed. */
  uiAddress?: string;
  seed: number;
  requests: number;
  concurrency?: number;
  /** An answer later than this is a hang. */
  timeoutMs?: number;
  /** A last liveness check over gRPC (GetSystemInfo). */
  grpcAlive?: () => Promise<boolean>;
}

export interface HttpFuzzSummary {
  seed: number;
  requests: number;
  /** Answers by HTTP status. */
  byStatus: Record<string, number>;
  /** 5xx (other than 501 UNIMPLEMENTED) for bad input: the HTTP fuzzer's INTERNAL. */
  serverErrors: number;
  /** Answers that are no JSON `{code, message}`, or whose status is not the one for their code. */
  malformed: number;
  /** Connections closed or reset without an answer to a request that was whole. */
  dropped: number;
  hangs: number;
  deaths: number;
  problems: string[];
  ms: number;
}

const PROBLEMS_KEPT = 20;
const PROBE_EVERY = 250;
/** How long a call that may rightly wait for a worker (a long poll) is given before the client walks away. */
const WAIT_ABANDON_MS = 1500;

interface Answer {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}
type Outcome = Answer | { error: 'hang' | 'abandoned' | 'no answer'; detail: string };

function requestHead(c: HttpFuzzCase, address: string, csrf: string): string {
  const headers: Record<string, string> = { host: address, ...c.headers };
  if (headers['x-csrf-token'] === CSRF_PLACEHOLDER) headers['x-csrf-token'] = csrf;
  const lines = [`${c.method} ${c.path} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), 'connection: close'];
  if (c.cutShort) lines.push('transfer-encoding: chunked');
  else if (!('content-length' in headers) && !('transfer-encoding' in headers)) lines.push(`content-length: ${c.body.length}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Parses a whole HTTP/1.1 response (the connection is closed after it); undefined when it is not one. */
export function parseResponse(data: Buffer, headRequest: boolean): Answer | undefined {
  // An interim answer (100 Continue) comes before the one that counts.
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 16).toString('latin1'))) data = data.subarray(data.indexOf('\r\n\r\n') + 4);
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3}) /.exec(`${statusLine} `);
  if (!match) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const status = Number(match[1]);
  let body = data.subarray(end + 4);
  if (headRequest || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
  if (headers.get('transfer-encoding')?.includes('chunked')) {
    const chunks: Buffer[] = [];
    for (;;) {
      const eol = body.indexOf('\r\n');
      const size = eol < 0 ? NaN : parseInt(body.subarray(0, eol).toString('latin1'), 16);
      if (!Number.isInteger(size) || body.length < eol + 2 + size) return undefined;
      if (size === 0) break;
      chunks.push(body.subarray(eol + 2, eol + 2 + size));
      body = body.subarray(eol + 4 + size);
    }
    return { status, headers, body: Buffer.concat(chunks) };
  }
  const length = headers.get('content-length');
  if (length !== undefined) {
    if (body.length < Number(length)) return undefined;
    body = body.subarray(0, Number(length));
  }
  return { status, headers, body };
}

/** One request on its own connection; settles with the parsed answer or what went wrong. */
export function sendRequest(address: string, c: HttpFuzzCase, csrf: string, timeoutMs: number): Promise<Outcome> {
  const [host = '127.0.0.1', port = '0'] = address.split(/:(?=\d+$)/);
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let lastError = '';
    const socket = net.connect({ host, port: Number(port) });
    const waitMs = c.mayWait ? WAIT_ABANDON_MS : timeoutMs;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ error: c.mayWait ? 'abandoned' : 'hang', detail: `no answer within ${waitMs} ms` });
    }, waitMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (err: Error) => (lastError = err.message));
    socket.on('close', () => {
      clearTimeout(timer);
      const answer = parseResponse(Buffer.concat(received), c.method === 'HEAD');
      resolve(answer ?? { error: 'no answer', detail: lastError || `closed after ${Buffer.concat(received).length} bytes` });
    });
    socket.write(requestHead(c, address, csrf));
    if (c.cutShort) {
      // A chunk that promises more bytes than come, then the client's half-close.
      const sent = c.body.subarray(0, Math.floor(c.body.length / 2));
      socket.end(`${(c.body.length + 10).toString(16)}\r\n${sent.toString('latin1')}`, 'latin1');
    } else if (c.mayWait) {
      // No half-close: node's HTTP server takes a client's FIN as the client leaving and drops a call still held
      // (an update waiting for its stage), which would read as a server that never answered.
      socket.write(c.body);
    } else {
      socket.end(c.body);
    }
  });
}

function describeCase(c: HttpFuzzCase): string {
  const headers = Object.entries(c.headers)
    .map(([k, v]) => `${k}=${JSON.stringify(v.slice(0, 40))}`)
    .join(' ');
  return `${c.kind} ${c.target} ${c.method} ${c.path.slice(0, 120)} ${headers} body ${c.body.length} bytes: ${JSON.stringify(c.body.subarray(0, 80).toString('latin1'))}`;
}

/** What is wrong with an answer to `c`, if anything: `[counter, description]`. */
export function judge(c: HttpFuzzCase, answer: Answer): ['serverErrors' | 'malformed', string] | undefined {
  const { status } = answer;
  const text = answer.body.toString('utf8');
  if (status >= 500 && status !== 501) return ['serverErrors', `${status} ${text.slice(0, 300)}`];
  if (status < 300 || c.method === 'HEAD') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Below the API (a request the HTTP parser refuses) a plain 4xx is what Go's net/http answers too.
    return c.transport && status >= 400 && status < 500 ? undefined : ['malformed', `${status} not JSON: ${text.slice(0, 200)}`];
  }
  const { code, message, details } = (json ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
  if (typeof code !== 'number' || typeof message !== 'string' || (details !== undefined && !Array.isArray(details))) {
    return ['malformed', `${status} not a google.rpc.Status: ${text.slice(0, 200)}`];
  }
  const expected = status === 405 ? GrpcCode.UNIMPLEMENTED : status === 413 ? GrpcCode.RESOURCE_EXHAUSTED : undefined;
  if (expected !== undefined ? code !== expected : httpStatusOf(code) !== status) return ['malformed', `${status} for code ${code}: ${message.slice(0, 200)}`];
  return undefined;
}

async function httpAlive(address: string): Promise<boolean> {
  const probe: HttpFuzzCase = {
    kind: 'liveness',
    target: 'http',
    method: 'GET',
    path: '/api/v1/system-info',
    headers: {},
    body: Buffer.alloc(0),
    transport: false,
    mayWait: false,
  };
  const outcome = await sendRequest(address, probe, '', 10_000);
  return 'status' in outcome && outcome.status === 200;
}

/** The UI server's CSRF token, which a state-changing `/api/v1` call must carry. */
async function csrfToken(uiAddress: string): Promise<string> {
  const res = await fetch(`http://${uiAddress}/ui-config.json`);
  return ((await res.json()) as { csrfToken: string }).csrfToken;
}

export async function runHttpFuzz(options: HttpFuzzOptions): Promise<HttpFuzzSummary> {
  const started = performance.now();
  const targets: HttpTarget[] = options.uiAddress === undefined ? ['http'] : ['http', 'ui'];
  const input = new HttpFuzzInput(options.seed, targets);
  const csrf = options.uiAddress === undefined ? '' : await csrfToken(options.uiAddress);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const summary: HttpFuzzSummary = {
    seed: options.seed,
    requests: 0,
    byStatus: {},
    serverErrors: 0,
    malformed: 0,
    dropped: 0,
    hangs: 0,
    deaths: 0,
    problems: [],
    ms: 0,
  };
  const problem = (what: string, c: HttpFuzzCase): void => {
    if (summary.problems.length < PROBLEMS_KEPT) summary.problems.push(`${what} ← ${describeCase(c)}`);
  };
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < options.requests) {
      issued++;
      const c = input.next();
      const address = c.target === 'ui' && options.uiAddress !== undefined ? options.uiAddress : options.httpAddress;
      const outcome = await sendRequest(address, c, csrf, timeoutMs);
      summary.requests++;
      if ('error' in outcome) {
        summary.byStatus[outcome.error] = (summary.byStatus[outcome.error] ?? 0) + 1;
        if (outcome.error === 'hang') {
          summary.hangs++;
          problem(`hang: ${outcome.detail}`, c);
        } else if (outcome.error === 'no answer' && !c.transport) {
          summary.dropped++;
          problem(`no answer: ${outcome.detail}`, c);
        }
      } else {
        summary.byStatus[outcome.status] = (summary.byStatus[outcome.status] ?? 0) + 1;
        const verdict = judge(c, outcome);
        if (verdict) {
          summary[verdict[0]]++;
          problem(verdict[1], c);
        }
      }
      if (summary.requests % PROBE_EVERY === 0 && !(await httpAlive(options.httpAddress))) summary.deaths++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  if (!(await httpAlive(options.httpAddress))) summary.deaths++;
  if (options.grpcAlive && !(await options.grpcAlive())) summary.deaths++;
  summary.ms = performance.now() - started;
  return summary;
}

export function httpProblemCount(s: HttpFuzzSummary): number {
  return s.serverErrors + s.malformed + s.dropped + s.hangs + s.deaths;
}

export function httpSummaryLine(s: HttpFuzzSummary): string {
  const statuses = Object.entries(s.byStatus)
    .sort(([, a], [, b]) => b - a)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return (
    `fuzz-http: ${s.requests} requests (seed ${s.seed}) in ${(s.ms / 1000).toFixed(1)} s: ${s.deaths} crashes, ${s.hangs} hangs, ` +
    `${s.serverErrors} 5xx for bad input, ${s.malformed} malformed answers, ${s.dropped} without an answer; answers: ${statuses}`
  );
}
