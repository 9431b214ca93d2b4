/**
 * The gRPC frontend fuzzer (issue 17): sends seeded hostile requests (see fuzz-input.ts) and checks
 * that every answer is a proper gRPC status — never UNKNOWN, never INTERNAL for input that decodes,
 * never a reset stream or a dropped connection — and that the server keeps answering.
 *
 * `npm run fuzz` (fuzz-cli.ts) runs it against a server in a child process; `runFuzz` is the same
 * against any address (the spec in `npm test` runs a few thousand requests against an in-process server).
 */
import http2 from 'node:http2';
import { temporal } from '@temporalio/proto';
import { frame, FuzzInput, type FuzzCase } from './fuzz-input';

export interface FuzzOptions {
  address: string;
  seed: number;
  requests: number;
  concurrency?: number;
  /** An answer later than this is a hang. */
  timeoutMs?: number;
}

export interface FuzzSummary {
  seed: number;
  requests: number;
  /** Answers by gRPC status name. */
  byStatus: Record<string, number>;
  internal: number;
  unknown: number;
  noStatus: number;
  connectionErrors: number;
  hangs: number;
  /** Liveness checks (GetSystemInfo) that failed. */
  deaths: number;
  /** The first problems, each with the case that caused it. */
  problems: string[];
  ms: number;
}

/** gRPC status names, indexed by code. */
const STATUS_NAMES: readonly string[] = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
const UNKNOWN = 2;
const INTERNAL = 13;
const PROBLEMS_KEPT = 20;
/**
 * The frontend's answer to bytes that are no valid message (a string field of invalid UTF-8 among
 * them): INTERNAL, as grpc-go answers "grpc: error unmarshalling request" for Temporal. Not a defect.
 */
const UNDECODABLE = 'Error deserializing request';

type Outcome = { status: number; httpStatus: number; message: string } | { error: string };

/** One call on `session`; settles with the status (from headers or trailers) or what went wrong. */
function send(session: http2.ClientHttp2Session, c: FuzzCase, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let status: number | undefined;
    let httpStatus = 0;
    let message = '';
    const timer = setTimeout(() => {
      req.close(http2.constants.NGHTTP2_CANCEL);
      resolve({ error: 'hang' });
    }, timeoutMs);
    const req = session.request({ ':method': 'POST', ':path': c.path, te: 'trailers', ...c.headers });
    const take = (h: http2.IncomingHttpHeaders): void => {
      if (h['grpc-status'] !== undefined) status = Number(h['grpc-status']);
      if (h['grpc-message'] !== undefined) message = String(h['grpc-message']);
    };
    req.on('response', (h) => {
      httpStatus = Number(h[':status']);
      take(h);
    });
    req.on('trailers', take);
    req.on('data', () => undefined);
    req.on('end', () => {
      clearTimeout(timer);
      resolve(status === undefined ? { error: `no grpc-status (HTTP ${httpStatus})` } : { status, httpStatus, message });
    });
    req.on('error', (err: Error) => {
      clearTimeout(timer);
      resolve({ error: `stream error: ${err.message}` });
    });
    req.end(c.body);
  });
}

function describeCase(c: FuzzCase): string {
  const headers = Object.entries(c.headers)
    .map(([k, v]) => `${k}=${JSON.stringify(v.slice(0, 40))}`)
    .join(' ');
  return `${c.kind} ${c.path.slice(0, 100)} ${headers} body ${c.body.length} bytes: ${c.body.subarray(0, 48).toString('hex')}`;
}

/** Whether the server at `address` answers GetSystemInfo over gRPC. */
export async function alive(address: string): Promise<boolean> {
  const session = http2.connect(`http://${address}`);
  session.on('error', () => undefined);
  try {
    const body = frame(Buffer.from(temporal.api.workflowservice.v1.GetSystemInfoRequest.encode({}).finish()));
    const path = '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo';
    const outcome = await send(session, { kind: 'liveness', path, headers: { 'content-type': 'application/grpc' }, body, internalAllowed: false }, 10_000);
    return 'status' in outcome && outcome.status === 0;
  } finally {
    session.destroy();
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const started = performance.now();
  const input = new FuzzInput(options.seed);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const summary: FuzzSummary = {
    seed: options.seed,
    requests: 0,
    byStatus: {},
    internal: 0,
    unknown: 0,
    noStatus: 0,
    connectionErrors: 0,
    hangs: 0,
    deaths: 0,
    problems: [],
    ms: 0,
  };
  const problem = (what: string, c: FuzzCase): void => {
    if (summary.problems.length < PROBLEMS_KEPT) summary.problems.push(`${what} ← ${describeCase(c)}`);
  };
  let issued = 0;
  const worker = async (): Promise<void> => {
    let session: http2.ClientHttp2Session | undefined;
    while (issued < options.requests) {
      issued++;
      const c = input.next();
      if (!session || session.closed || session.destroyed) {
        session = http2.connect(`http://${options.address}`);
        session.on('error', () => undefined);
      }
      const outcome = await send(session, c, timeoutMs);
      summary.requests++;
      if ('error' in outcome) {
        if (outcome.error === 'hang') summary.hangs++;
        else if (outcome.error.startsWith('no grpc-status')) summary.noStatus++;
        else summary.connectionErrors++;
        problem(outcome.error, c);
        session.destroy();
        session = undefined;
      } else {
        const name = STATUS_NAMES[outcome.status] ?? String(outcome.status);
        summary.byStatus[name] = (summary.byStatus[name] ?? 0) + 1;
        if (outcome.status === UNKNOWN) {
          summary.unknown++;
          problem(`UNKNOWN ${decodeURIComponent(outcome.message).slice(0, 200)}`, c);
        } else if (outcome.status === INTERNAL && !c.internalAllowed && !decodeURIComponent(outcome.message).startsWith(UNDECODABLE)) {
          summary.internal++;
          problem(`INTERNAL ${decodeURIComponent(outcome.message).slice(0, 200)}`, c);
        }
      }
      if (summary.requests % 500 === 0 && !(await alive(options.address))) summary.deaths++;
    }
    session?.destroy();
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  if (!(await alive(options.address))) summary.deaths++;
  summary.ms = performance.now() - started;
  return summary;
}

export function problemCount(s: FuzzSummary): number {
  return s.internal + s.unknown + s.noStatus + s.connectionErrors + s.hangs + s.deaths;
}

export function summaryLine(s: FuzzSummary): string {
  const statuses = Object.entries(s.byStatus)
    .sort(([, a], [, b]) => b - a)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return (
    `fuzz: ${s.requests} requests (seed ${s.seed}) in ${(s.ms / 1000).toFixed(1)} s: ${s.deaths} crashes, ${s.hangs} hangs, ` +
    `${s.internal} INTERNAL for bad input, ${s.unknown} UNKNOWN, ${s.noStatus + s.connectionErrors} without a status; answers: ${statuses}`
  );
}
