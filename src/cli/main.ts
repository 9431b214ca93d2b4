/**
 * `hourglass` command-line entry point; `bin/hourglass.js` calls {@link main} with `process.argv.slice(2)`.
 *
 * Startup must be fast (sdk-core waits ~5 s for the gRPC port), so only the argument parser, the logger and the version
 * are loaded up front; the server (gRPC, protobuf, SQLite) is loaded only when `server start-dev` actually runs.
 */
import type { Logger } from '../common/logger';
import { createLogger } from '../common/logger';
import type { HourglassServer } from '../server';
import { DatabaseFileError } from '../store/sqlite/database-file-error';
import { version } from '../version';
import type { StartDevOptions } from './args';
import { parseArgs, printsReadyLine, uiPortOf, UsageError } from './args';
import { ROOT_USAGE, SERVER_USAGE, START_DEV_USAGE } from './usage';
import { parseWorkflowArgs } from './commands/client-args';
import { commandFirst } from './command-first';
import { WORKFLOW_USAGE } from './commands/workflow-usage';

/** Runs the CLI. Sets `process.exitCode`; for `server start-dev` it resolves once the server is listening. */
export async function main(givenArgv: readonly string[]): Promise<void> {
  const argv = commandFirst(givenArgv);
  if (argv[0] === 'workflow') return workflow(argv.slice(1));
  let command;
  try {
    command = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      const helpCommand = argv[0] === 'server' && argv[1] === 'start-dev' ? 'hourglass server start-dev --help' : 'hourglass --help';
      process.stderr.write(`hourglass: ${err.message}\nRun "${helpCommand}" for usage.\n`);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }

  switch (command.kind) {
    case 'help':
      process.stdout.write(command.topic === 'root' ? ROOT_USAGE : command.topic === 'server' ? SERVER_USAGE : START_DEV_USAGE);
      process.exitCode = 0;
      return;
    case 'version':
      process.stdout.write(`hourglass version ${version}\n`);
      process.exitCode = 0;
      return;
    case 'start-dev':
      await startDev(command.options);
      return;
  }
}

/** `hourglass workflow …`: the client commands; the gRPC client is loaded only when one runs. */
async function workflow(argv: readonly string[]): Promise<void> {
  let command;
  try {
    command = parseWorkflowArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`hourglass: ${err.message}\nRun "hourglass workflow --help" for usage.\n`);
    process.exitCode = err.exitCode;
    return;
  }
  if (command.kind === 'help') {
    process.stdout.write(WORKFLOW_USAGE);
    process.exitCode = 0;
    return;
  }
  const { runWorkflowCommand } = await import('./commands/workflow-commands.js');
  process.exitCode = await runWorkflowCommand(
    command.options,
    (text) => process.stdout.write(text),
    (text) => process.stderr.write(text),
  );
}

async function startDev(options: StartDevOptions): Promise<void> {
  const logger: Logger = createLogger(options.logLevel, options.logFormat);

  if (options.testServerArgs?.length) logger.debug('ignoring test server arguments', { args: options.testServerArgs });
  if (options.ignoredFlags.length) logger.debug('ignoring flags without effect in Hourglass', { flags: options.ignoredFlags });

  const namespaces = options.namespaces.filter((ns) => ns !== 'default');
  let server: HourglassServer;
  try {
    const { HourglassServer } = await import('../server.js');
    const config = {
      ip: options.ip,
      port: options.port,
      // As the Temporal CLI: without --http-port the HTTP API still runs, on a free port.
      httpPort: options.httpPort ?? 0,
      httpCorsOrigins: options.httpCorsOrigins,
      uiPort: uiPortOf(options),
      uiIp: options.uiIp,
      codecEndpoint: options.codecEndpoint,
      uiAssetPath: options.uiAssetPath,
      dbFilename: options.dbFilename,
      namespaces,
      timeSkipping: options.timeSkipping,
      searchAttributes: options.searchAttributes,
      sqlitePragmas: options.sqlitePragmas,
      dynamicConfig: options.dynamicConfig,
      tls: options.tlsCertPath === undefined ? undefined : { certPath: options.tlsCertPath, keyPath: options.tlsKeyPath, caPath: options.tlsCaPath },
    };
    // As the Temporal CLI's --log-config, the configuration goes to stderr (stdout stays for the ready line); the API
    // keys are secrets, so only their namespaces are shown.
    const apiKeys = options.apiKeys.map(({ key, namespaces }) => ({ key, namespaces }));
    if (options.logConfig) {
      const shown = { ...config, apiKeys: apiKeys.map(({ namespaces }) => ({ key: '<redacted>', namespaces: namespaces ?? 'all' })) };
      process.stderr.write(`${JSON.stringify(shown, null, 2)}\n`);
    }
    server = await HourglassServer.start({
      ...config,
      apiKeys,
      logger,
      // At debug level every answered RPC is logged with its timing (bench/run.ts reads these to split W1's latency).
      onRpc:
        options.logLevel === 'debug'
          ? (method, start, end, code) => logger.debug('rpc', { method, start: round3(start), ms: round3(end - start), code })
          : undefined,
    });
  } catch (err) {
    process.stderr.write(`hourglass: cannot start the server: ${describeStartError(err, options)}\n`);
    process.exitCode = 1;
    return;
  }

  if (printsReadyLine(options, process.stdout.isTTY === true)) {
    const scheme = options.tlsCertPath === undefined ? 'http' : 'https';
    const security = [
      options.tlsCertPath === undefined ? '' : options.tlsCaPath === undefined ? 'TLS; ' : 'mTLS; ',
      options.apiKeys.length > 0 ? 'API keys; ' : '',
    ].join('');
    process.stdout.write(
      `Hourglass server listening on ${options.ip}:${server.port} ` +
        `(version: ${version}; ${security}namespace: ${['default', ...namespaces].join(', ')}; database: ${options.dbFilename ?? 'in-memory'}; ` +
        // "UI:" as the Temporal CLI labels its UI URL; absent with --headless.
        `${server.uiAddress === undefined ? '' : `UI: ${scheme}://${server.uiAddress}; `}HTTP API: ${scheme}://${server.httpAddress ?? ''})\n`,
    );
  }

  let closing = false;
  // The server drains (at most `frontend.shutdownDrainDuration`, 1 s by default) and closes the database, then exits 0.
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      // A second signal while closing: give up waiting. Nothing acknowledged is lost (every commit is durable before
      // its answer), but the database is left for the next start to recover (its WAL not checkpointed): exit 1.
      logger.warn('second signal received, exiting immediately', { signal });
      process.exit(1);
    }
    closing = true;
    logger.info('signal received', { signal });
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`hourglass: error while shutting down: ${errorMessage(err)}\n`);
        process.exit(1);
      },
    );
  };
  // As the Temporal CLI, a closed terminal (SIGHUP) stops the server cleanly too.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, shutdown);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeStartError(err: unknown, options: StartDevOptions): string {
  const message = errorMessage(err);
  // It names the file and what to do; the address has nothing to do with it.
  if (err instanceof DatabaseFileError) return message;
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(message)) {
    // The taken port may be the gRPC, the HTTP API or the UI one: node's error names it (and the UI's address).
    const port = typeof err === 'object' && err !== null && 'port' in err ? String(err.port) : String(options.port);
    const ip = typeof err === 'object' && err !== null && 'address' in err ? String(err.address) : options.ip;
    return `${ip}:${port} is already in use (${message})`;
  }
  if (code === 'EADDRNOTAVAIL' || /EADDRNOTAVAIL/i.test(message)) {
    return `${options.ip} is not an address of this machine (${message})`;
  }
  // A TLS file problem names the file: the address would only distract.
  if (err instanceof Error && err.name === 'TlsConfigError') return message;
  return `${message} (address ${options.ip}:${options.port})`;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
