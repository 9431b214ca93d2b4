/**
 * Shared fixtures: an in-process Hourglass server per test file, an SDK client and native connection to it,
 * a unique task queue per test and a worker that runs only for the duration of a test body.
 */
import { after, before, type TestContext } from 'node:test';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { HourglassServer, type HourglassServerOptions } from '../src/server';
import * as activities from './activities';

export { activities };

export const EventType = temporal.api.enums.v1.EventType;
export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Repository root (this file runs from dist/test/). */
export const repoRoot = path.resolve(__dirname, '..', '..');
export const workflowsPath = require.resolve('./workflows');

/** Warnings the tests provoke on purpose (failing activities and workflows, completions after a timeout). */
const expectedWarnings = [
  /^Activity failed/,
  /^Workflow failed/,
  /^Activity not found on completion/,
  /^Task not found when completing/,
  /^No workflows registered/,
  /^Order attempt failed/,
  /^Saga compensation failed/,
];

let runtimeInstalled = false;
/**
 * Quiet worker logs, once per process before anything touches the Runtime: WARN and above (core's own logs are
 * forwarded to the same logger), minus the warnings the tests cause deliberately.
 */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const logger = new DefaultLogger('WARN', ({ level, message, meta }) => {
    if (expectedWarnings.some((re) => re.test(message))) return;
    process.stderr.write(`[worker ${level}] ${message}${meta ? ' ' + JSON.stringify(meta) : ''}\n`);
  });
  Runtime.install({ logger, telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } } });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle is built once per process and shared by every worker of the file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  installQuietRuntime();
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
  return bundle;
}

export interface HourglassTestEnv {
  readonly server: HourglassServer;
  readonly address: string;
  readonly namespace: string;
  readonly connection: Connection;
  readonly client: Client;
  readonly nativeConnection: NativeConnection;
}

/**
 * Registers before/after hooks that start an in-process server on a free port (in-memory database) and connect to it.
 * The returned object is filled in by the `before` hook; read it inside tests.
 */
export function useHourglassServer(options: HourglassServerOptions = {}): HourglassTestEnv {
  const env = {} as { -readonly [K in keyof HourglassTestEnv]: HourglassTestEnv[K] };
  before(async () => {
    installQuietRuntime();
    const [server] = await Promise.all([HourglassServer.start({ port: 0, ...options }), workflowBundle()]);
    env.server = server;
    env.address = server.address;
    env.namespace = 'default';
    env.connection = await Connection.connect({ address: server.address });
    env.client = new Client({ connection: env.connection, namespace: env.namespace });
    env.nativeConnection = await NativeConnection.connect({ address: server.address });
  });
  after(async () => {
    await env.nativeConnection?.close().catch(() => undefined);
    await env.connection?.close().catch(() => undefined);
    await env.server?.close();
  });
  return env;
}

/** A task queue (and workflow ID prefix) unique to this test, derived from its name. */
export function uniqueName(t: TestContext | string): string {
  const name = typeof t === 'string' ? t : t.name;
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${slug}-${randomUUID().slice(0, 8)}`;
}

export type TestWorkerOptions = Partial<Omit<WorkerOptions, 'taskQueue'>> & { taskQueue: string };

/** Runs `fn` while a worker polls `taskQueue`, then shuts the worker down and waits for it to stop. */
export async function withWorker<R>(env: HourglassTestEnv, options: TestWorkerOptions, fn: (worker: Worker) => Promise<R>): Promise<R> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    workflowBundle: await workflowBundle(),
    activities,
    ...options,
  });
  return worker.runUntil(() => fn(worker));
}

/** Resolves a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs}ms waiting for ${what}${lastError ? `; last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}` : ''}`,
      );
    }
    await delay(intervalMs);
  }
}

export function eventTypeName(e: HistoryEvent): string {
  return EventType[e.eventType ?? 0] ?? String(e.eventType);
}

/** Event type names of a history, e.g. for assertion messages. */
export function eventNames(events: readonly HistoryEvent[] | null | undefined): string[] {
  return (events ?? []).map(eventTypeName);
}

export function countEvents(events: readonly HistoryEvent[] | null | undefined, type: temporal.api.enums.v1.EventType): number {
  return (events ?? []).filter((e) => e.eventType === type).length;
}

/** gRPC status code of an error thrown by a raw service call, or by the SDK wrapping one. */
export function grpcCode(err: unknown): number | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function grpcDetails(err: unknown): string {
  const e = err as { details?: unknown; message?: unknown };
  return typeof e.details === 'string' ? e.details : String(e.message ?? err);
}

/** Waits for `promise` to settle and returns what it rejected with; throws if it resolved instead. */
export async function rejectionOf(promise: Promise<unknown>, what = 'the call'): Promise<unknown> {
  let value: unknown;
  try {
    value = await promise;
  } catch (err) {
    return err;
  }
  throw new Error(`${what} should have failed but returned ${JSON.stringify(value)}`);
}
