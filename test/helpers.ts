/**
 * Shared fixtures: an in-process Hourglass server per test file, an SDK client and native connection to it,
 * a unique task queue per test and a worker that runs only for the duration of a test body.
 *
 * With HOURGLASS_TEST_ADDRESS=host:port the fixtures connect to that server instead (another Hourglass, a Temporal
 * dev server…), so the specs check the behaviour of any Temporal-compatible server. Specs that need the in-process
 * server declare it with `needsInProcessServer(reason)`, and those that need time skipping with `needsTimeSkipping()`:
 * they are skipped, with the reason, when the external server cannot serve them.
 */
import { after, before, type TestContext, type TestOptions } from 'node:test';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { HourglassServer, type HourglassServerOptions } from '../src/server';
import type { SearchAttributeType } from '../src/visibility/search-attribute-type';
import { connectTestWorkflowEnvironment, createTestWorkflowEnvironment, type HourglassTestEnvironmentOptions } from '../src/testing';
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

/** HOURGLASS_TEST_ADDRESS: the host:port of an external server the specs run against, instead of in-process servers. */
export const externalAddress: string | undefined = process.env.HOURGLASS_TEST_ADDRESS?.trim() || undefined;

/**
 * HOURGLASS_TEST_TIME_SKIPPING=1 (with HOURGLASS_TEST_ADDRESS): the external server skips time (`--time-skipping`, or
 * Temporal's test server) and serves the TestService, so the time-skipping specs run against it too.
 */
export const externalTimeSkipping = externalAddress !== undefined && process.env.HOURGLASS_TEST_TIME_SKIPPING === '1';

/**
 * Options for a test or suite that needs the in-process server (its internals, or options an external server cannot
 * be given): skipped, with `reason`, when the specs run against HOURGLASS_TEST_ADDRESS.
 */
export function needsInProcessServer(reason: string): TestOptions {
  return externalAddress === undefined ? {} : { skip: `needs the in-process server: ${reason} (HOURGLASS_TEST_ADDRESS is set)` };
}

/**
 * Options for a test or suite that needs a time-skipping server: skipped when the specs run against an external
 * server not declared time-skipping with HOURGLASS_TEST_TIME_SKIPPING=1.
 */
export function needsTimeSkipping(): TestOptions {
  const reason = timeSkippingUnavailable();
  return reason === undefined ? {} : { skip: reason };
}

function timeSkippingUnavailable(): string | undefined {
  if (externalAddress === undefined || externalTimeSkipping) return undefined;
  return `needs a time-skipping server: the one at HOURGLASS_TEST_ADDRESS is not declared one (HOURGLASS_TEST_TIME_SKIPPING=1)`;
}

export interface HourglassTestEnv {
  /** True when the specs run against HOURGLASS_TEST_ADDRESS rather than an in-process server. */
  readonly external: boolean;
  /** The in-process server; reading it when external throws (declare such specs with `needsInProcessServer`). */
  readonly server: HourglassServer;
  readonly address: string;
  readonly namespace: string;
  readonly connection: Connection;
  readonly client: Client;
  readonly nativeConnection: NativeConnection;
}

type MutableEnv = { -readonly [K in keyof HourglassTestEnv]: HourglassTestEnv[K] };

/** The server options an external server is given over the API; any other one needs the in-process server. */
const optionsForExternal: ReadonlySet<string> = new Set<keyof HourglassServerOptions>(['namespaces', 'searchAttributes', 'logger']);

/**
 * Registers before/after hooks that start an in-process server on a free port (in-memory database) and connect to it,
 * or, with HOURGLASS_TEST_ADDRESS, connect to that server after registering the `namespaces` and `searchAttributes`
 * the options ask for. The returned object is filled in by the `before` hook; read it inside tests.
 */
export function useHourglassServer(options: HourglassServerOptions = {}): HourglassTestEnv {
  const env = { external: externalAddress !== undefined } as MutableEnv;
  if (externalAddress !== undefined) {
    Object.defineProperty(env, 'server', {
      get() {
        throw new Error('env.server is the in-process server, absent with HOURGLASS_TEST_ADDRESS: declare the spec with needsInProcessServer(reason)');
      },
    });
  }
  let inProcess: HourglassServer | undefined;
  let unsupported: string | undefined;
  before(async () => {
    if (externalAddress === undefined) {
      installQuietRuntime();
      const [server] = await Promise.all([HourglassServer.start({ port: 0, ...options }), workflowBundle()]);
      inProcess = server;
      env.server = server;
      env.address = server.address;
    } else {
      const names = Object.entries(options)
        .filter(([name, value]) => value !== undefined && !optionsForExternal.has(name))
        .map(([name]) => name);
      if (names.length > 0) {
        // Fail the specs that read the environment, not the whole file: its other specs may be declared to skip. (Nor is
        // the worker Runtime installed: with no connection to close, it would keep the process alive.)
        unsupported = `the useHourglassServer option(s) ${names.join(', ')} cannot be given to the server at HOURGLASS_TEST_ADDRESS: declare the specs with needsInProcessServer(reason)`;
        for (const key of ['address', 'namespace', 'connection', 'client', 'nativeConnection'] as const) {
          Object.defineProperty(env, key, {
            get() {
              throw new Error(unsupported);
            },
          });
        }
        return;
      }
      installQuietRuntime();
      await workflowBundle();
      env.address = externalAddress;
    }
    env.namespace = 'default';
    env.connection = await Connection.connect({ address: env.address });
    if (externalAddress !== undefined) await registerOnExternalServer(env.connection, options.namespaces ?? [], options.searchAttributes ?? []);
    env.client = new Client({ connection: env.connection, namespace: env.namespace });
    env.nativeConnection = await NativeConnection.connect({ address: env.address });
  });
  after(async () => {
    if (unsupported !== undefined) return;
    await env.nativeConnection?.close().catch(() => undefined);
    await env.connection?.close().catch(() => undefined);
    await inProcess?.close();
  });
  return env;
}

const ALREADY_EXISTS = 6;
const indexedValueTypes: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  Text: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Double: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

async function unlessAlreadyExists(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (grpcCode(err) !== ALREADY_EXISTS) throw err;
  }
}

/**
 * What an in-process server is given as options, given to an external one over the API: the namespaces besides
 * `default` (each waited for until it serves requests: a Temporal server's namespace cache lags behind a registration)
 * and, in every namespace, the custom search attributes. Whatever already exists is left as it is.
 */
async function registerOnExternalServer(
  connection: Connection,
  namespaces: readonly string[],
  searchAttributes: readonly { name: string; type: SearchAttributeType }[],
): Promise<void> {
  const all = [...new Set(['default', ...namespaces])];
  for (const namespace of all.slice(1)) {
    await unlessAlreadyExists(
      connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(24 * 3600) } }),
    );
    // A Temporal server serves a new namespace once its namespace cache has caught up.
    await waitFor(
      `namespace ${namespace} to serve requests`,
      async () => {
        await connection.workflowService.countWorkflowExecutions({ namespace, query: '' });
        return true;
      },
      30_000,
      250,
    );
  }
  for (const namespace of all) {
    for (const { name, type } of searchAttributes) {
      await unlessAlreadyExists(connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { [name]: indexedValueTypes[type] } }));
    }
  }
}

/**
 * Why a test environment with `options` cannot be had from the external server, or undefined when it can (or the
 * specs run in-process). Specs asking for such an environment must be declared to skip.
 */
export function testEnvironmentUnavailable(options: HourglassTestEnvironmentOptions = {}): string | undefined {
  if (externalAddress === undefined) return undefined;
  if (options.timeSkipping ?? true) {
    const reason = timeSkippingUnavailable();
    if (reason !== undefined) return reason;
  }
  if (options.initialTime !== undefined) return "needs the in-process server: an external server's clock cannot be set (initialTime)";
  return undefined;
}

/**
 * A TestWorkflowEnvironment — time-skipping unless `options` say otherwise — from an in-process server
 * (`createTestWorkflowEnvironment`), or connected to HOURGLASS_TEST_ADDRESS after registering the namespaces and
 * search attributes of `options`. Its teardown stops the in-process server, or only closes the connections.
 */
export async function createTestEnvironment(options: HourglassTestEnvironmentOptions = {}): Promise<TestWorkflowEnvironment> {
  if (externalAddress === undefined) return createTestWorkflowEnvironment(options);
  const unavailable = testEnvironmentUnavailable(options);
  if (unavailable !== undefined) throw new Error(`${unavailable}: declare the specs with needsTimeSkipping() or needsInProcessServer(reason)`);
  const namespace = options.namespace ?? 'default';
  const connection = await Connection.connect({ address: externalAddress });
  try {
    await registerOnExternalServer(connection, [namespace, ...(options.namespaces ?? [])], options.searchAttributes ?? []);
  } finally {
    await connection.close();
  }
  return connectTestWorkflowEnvironment(externalAddress, { namespace, timeSkipping: options.timeSkipping ?? true });
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
