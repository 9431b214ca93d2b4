/**
 * `npm run demo`: runs every pattern's demo against a server — the one listening on 127.0.0.1:7233
 * if there is one (e.g. `npm start`), otherwise an embedded in-process Hourglass server — with ONE
 * worker that hosts all the examples' workflows and activities, and prints what each demo did.
 *
 * The demo registry and runner are exported for the integration test.
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { HourglassServer } from '../src/server';
import * as activities from './activities';

/** The patterns, in the order the guide presents them (and the demo runs them). */
export const DEMO_NAMES = [
  'deterministic',
  'idempotent',
  'sequential',
  'parallel',
  'saga',
  'long-running',
  'dynamic',
  'versioning',
  'batch-children',
  'errors',
  'circuit-breaker',
  'batch-processing',
  'cached-calls',
  'scheduled-batch',
] as const;

export type DemoName = (typeof DEMO_NAMES)[number];

export interface DemoContext {
  client: Client;
  taskQueue: string;
}

export type DemoRun = (ctx: DemoContext) => Promise<string[]>;

export const DEMO_TASK_QUEUE = 'hourglass-demo';

/** The demo's `run`, or undefined when `examples/demos/<name>` does not exist (yet). */
export function loadDemo(name: DemoName): DemoRun | undefined {
  let mod: unknown;
  try {
    // A dynamic require so that the runner works while some patterns have no demo module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(`./demos/${name}`);
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    if (e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(`demos/${name}'`)) return undefined;
    throw err;
  }
  const run = (mod as { run?: unknown }).run;
  if (typeof run !== 'function') throw new TypeError(`examples/demos/${name} does not export a run function`);
  return run as DemoRun;
}

export type DemoReport =
  | { name: DemoName; status: 'ok'; lines: string[]; ms: number }
  | { name: DemoName; status: 'failed'; error: unknown; ms: number }
  | { name: DemoName; status: 'missing' };

/** Runs the demos one after another; a failing demo is reported, not thrown, so the others still run. */
export async function runDemos(ctx: DemoContext, onReport: (report: DemoReport) => void = () => undefined): Promise<DemoReport[]> {
  const reports: DemoReport[] = [];
  for (const name of DEMO_NAMES) {
    const started = Date.now();
    let report: DemoReport;
    try {
      const run = loadDemo(name);
      report = run ? { name, status: 'ok', lines: await run(ctx), ms: Date.now() - started } : { name, status: 'missing' };
    } catch (error) {
      report = { name, status: 'failed', error, ms: Date.now() - started };
    }
    reports.push(report);
    onReport(report);
  }
  return reports;
}

/** Human-readable block for one demo: a header, then its lines. */
export function formatReport(report: DemoReport, index: number): string {
  const header = `── ${index + 1}. ${report.name} ${'─'.repeat(Math.max(3, 40 - report.name.length))}`;
  switch (report.status) {
    case 'ok':
      return [`${header} (${report.ms} ms)`, ...report.lines.map((l) => `  ${l}`)].join('\n');
    case 'missing':
      return `${header}\n  (no demo module examples/demos/${report.name}.ts — skipped)`;
    case 'failed': {
      const e = report.error;
      return `${header}\n  FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    }
  }
}

/** A server already listening on `address`? Answers within about a second. */
async function probe(address: string): Promise<Connection | undefined> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    const c = connection;
    await c.withDeadline(Date.now() + 1000, () => c.workflowService.getSystemInfo({}));
    return connection;
  } catch {
    await connection?.close().catch(() => undefined);
    return undefined;
  }
}

/** Warnings the demos provoke on purpose (failing activities, activity-only step workers). */
const expectedWarnings = [/^Activity failed/, /^Workflow failed/, /^No workflows registered/];

export async function main(): Promise<number> {
  Runtime.install({
    logger: new DefaultLogger('WARN', ({ level, message }) => {
      if (!expectedWarnings.some((re) => re.test(message))) process.stderr.write(`[worker ${level}] ${message}\n`);
    }),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
  });

  let server: HourglassServer | undefined;
  let connection = await probe('127.0.0.1:7233');
  if (connection) {
    process.stdout.write('Using the server listening on 127.0.0.1:7233\n');
  } else {
    server = await HourglassServer.start({ port: 0 });
    connection = await Connection.connect({ address: server.address });
    process.stdout.write(`No server on 127.0.0.1:7233 — started an embedded Hourglass server on ${server.address}\n`);
  }

  const nativeConnection = await NativeConnection.connect({ address: connection.options.address });
  try {
    const client = new Client({ connection });
    process.stdout.write('Bundling the examples’ workflows…\n');
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: DEMO_TASK_QUEUE,
      workflowsPath: require.resolve('./workflows'),
      activities,
    });
    let index = 0;
    const reports = await worker.runUntil(runDemos({ client, taskQueue: DEMO_TASK_QUEUE }, (r) => process.stdout.write(`\n${formatReport(r, index++)}\n`)));
    const count = (status: DemoReport['status']): number => reports.filter((r) => r.status === status).length;
    process.stdout.write(`\n${count('ok')} demos ran, ${count('failed')} failed, ${count('missing')} missing\n`);
    return count('failed') > 0 ? 1 : 0;
  } finally {
    await nativeConnection.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await server?.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
