/**
 * Command-line parsing for `hourglass`. Pure (no I/O, no process access) so it can be unit-tested.
 *
 * The flags of `hourglass server start-dev` mirror the Temporal CLI's `temporal server start-dev`, so tools that
 * spawn the Temporal dev server (the SDKs' `TestWorkflowEnvironment.createLocal`, via sdk-core) can spawn Hourglass
 * instead. Both `--flag value` and `--flag=value` forms are accepted, as are `-p 7233`, `-p=7233` and `-p7233`.
 */
import type { LogFormat, LogLevel } from '../common/logger';
import {
  checkIgnoredFlagValue,
  parseApiKey,
  parseBool,
  parseChoice,
  parseDynamicConfigValue,
  parseHttpUrl,
  parseOrigin,
  parsePort,
  parseSearchAttribute,
  parseSqlitePragma,
  readFlagToken,
  UsageError,
  type ApiKeyFlag,
  type SearchAttributeSpec,
} from './flag-values';
import { IGNORED_FLAGS, isIgnoredFlag } from './ignored-flags';

export { parseSearchAttribute, UsageError, type SearchAttributeSpec };

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'fatal', 'never'];
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json', 'pretty'];
/** The Temporal CLI's `--output`: JSON forms and `none` print no ready line, as its printer skips plain lines for them. */
export const OUTPUT_FORMATS = ['text', 'json', 'jsonl', 'none'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface StartDevOptions {
  ip: string;
  port: number;
  /** Namespaces given with --namespace, in order, without duplicates (may include `default`). */
  namespaces: string[];
  /** Absent: in-memory database. */
  dbFilename?: string;
  headless: boolean;
  /** Only set when --ui-port was given explicitly (see {@link uiPortOf}). */
  uiPort?: number;
  /** Only set when --ui-ip was given explicitly; the UI binds to --ip otherwise. */
  uiIp?: string;
  /** `--ui-codec-endpoint`: the codec server the UI sends payloads to for decoding. */
  codecEndpoint?: string;
  /** `--ui-asset-path`: a folder with a built UI to serve instead of the package's. */
  uiAssetPath?: string;
  /** `--http-cors-origin` values, in order, without duplicates: the only browser origins the HTTP API answers. */
  httpCorsOrigins: string[];
  logFormat: LogFormat;
  logLevel: LogLevel;
  /** `--dynamic-config-value` values by key, JSON-decoded (a later value for a key wins); honoured keys already checked. */
  dynamicConfig: Record<string, unknown>;
  searchAttributes: SearchAttributeSpec[];
  httpPort?: number;
  metricsPort?: number;
  /** `--sqlite-pragma` settings, pragma name (lower case) → value; only the pragmas SqliteStore applies. */
  sqlitePragmas: Record<string, string>;
  /** Virtual clock with Temporal's TestService (time-skipping test server mode). */
  timeSkipping: boolean;
  /** Arguments after `hourglass <port>` (the test server's own options): accepted and ignored. */
  testServerArgs?: string[];
  /** `--log-config`: print the server configuration to stderr at start-up. */
  logConfig: boolean;
  /** Only set when --output / -o was given explicitly. */
  output?: OutputFormat;
  /** Flags from {@link IGNORED_FLAGS} given, as written. */
  ignoredFlags: string[];
  /** `--tls-cert-path` / `--tls-key-path` (both or neither) and `--tls-ca-path` (mTLS; needs the other two). */
  tlsCertPath?: string;
  tlsKeyPath?: string;
  tlsCaPath?: string;
  /** `--api-key` values, in order, each key once. */
  apiKeys: ApiKeyFlag[];
}

export type Command = { kind: 'help'; topic: 'root' | 'server' | 'start-dev' } | { kind: 'version' } | { kind: 'start-dev'; options: StartDevOptions };

export const DEFAULT_PORT = 7233;
export const DEFAULT_IP = '127.0.0.1';

type FlagName =
  | 'port'
  | 'ip'
  | 'namespace'
  | 'db-filename'
  | 'headless'
  | 'ui-port'
  | 'ui-ip'
  | 'ui-codec-endpoint'
  | 'ui-asset-path'
  | 'http-cors-origin'
  | 'log-format'
  | 'log-level'
  | 'dynamic-config-value'
  | 'search-attribute'
  | 'http-port'
  | 'metrics-port'
  | 'sqlite-pragma'
  | 'time-skipping'
  | 'log-config'
  | 'output'
  | 'tls-cert-path'
  | 'tls-key-path'
  | 'tls-ca-path'
  | 'api-key'
  | 'help';

/** Long flags of `server start-dev`; `true` means the flag takes a value. */
const START_DEV_FLAGS: Record<FlagName, boolean> = {
  port: true,
  ip: true,
  namespace: true,
  'db-filename': true,
  headless: false,
  'ui-port': true,
  'ui-ip': true,
  'ui-codec-endpoint': true,
  'ui-asset-path': true,
  'http-cors-origin': true,
  'log-format': true,
  'log-level': true,
  'dynamic-config-value': true,
  'search-attribute': true,
  'http-port': true,
  'metrics-port': true,
  'sqlite-pragma': true,
  'time-skipping': false,
  'log-config': false,
  output: true,
  'tls-cert-path': true,
  'tls-key-path': true,
  'tls-ca-path': true,
  'api-key': true,
  help: false,
};

const SHORT_FLAGS: Record<string, FlagName> = { p: 'port', n: 'namespace', f: 'db-filename', o: 'output', h: 'help' };

function isFlagName(name: string): name is FlagName {
  return Object.prototype.hasOwnProperty.call(START_DEV_FLAGS, name);
}

/** Parses the arguments after `hourglass` (i.e. `process.argv.slice(2)`). Throws {@link UsageError}. */
export function parseArgs(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    return { kind: 'help', topic: 'root' };
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    return { kind: 'version' };
  }
  if (/^\d+$/.test(first)) {
    // Temporal's time-skipping test server is started as `temporal-test-server <port> [args…]`
    // (sdk-core's ephemeral server does exactly this), so our bin is a drop-in replacement.
    return { kind: 'start-dev', options: testServerOptions(Number(first), rest) };
  }
  if (first !== 'server') {
    throw new UsageError(first.startsWith('-') ? `unknown flag: ${first}` : `unknown command "${first}"`);
  }
  const [sub, ...flags] = rest;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    return { kind: 'help', topic: 'server' };
  }
  if (sub !== 'start-dev') {
    throw new UsageError(sub.startsWith('-') ? `unknown flag: ${sub}` : `unknown command "server ${sub}"`);
  }
  return parseStartDev(flags);
}

function parseStartDev(argv: readonly string[]): Command {
  const options: StartDevOptions = {
    ip: DEFAULT_IP,
    port: DEFAULT_PORT,
    namespaces: [],
    headless: false,
    logFormat: 'text',
    // The Temporal CLI defaults to "warn" for `server start-dev`.
    logLevel: 'warn',
    dynamicConfig: {},
    searchAttributes: [],
    sqlitePragmas: {},
    httpCorsOrigins: [],
    timeSkipping: false,
    logConfig: false,
    ignoredFlags: [],
    apiKeys: [],
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      const extra = argv[i + 1];
      if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
      break;
    }
    const { name, inline, shown } = readFlagToken(arg, SHORT_FLAGS);

    const ignored = isIgnoredFlag(name);
    if (!ignored && !isFlagName(name)) {
      throw new UsageError(`unknown flag: ${shown}`);
    }

    let value: string;
    if (ignored ? IGNORED_FLAGS[name]?.value.kind !== 'bool' : START_DEV_FLAGS[name as FlagName]) {
      if (inline !== undefined) {
        value = inline;
      } else {
        const next = argv[i + 1];
        if (next === undefined) {
          throw new UsageError(`flag needs an argument: ${shown}`);
        }
        value = next;
        i++;
      }
    } else {
      // Boolean flags take a value only in the `--flag=value` form.
      value = inline ?? 'true';
    }

    if (ignored) {
      checkIgnoredFlagValue(name, value);
      options.ignoredFlags.push(shown);
      continue;
    }
    switch (name as FlagName) {
      case 'help':
        if (parseBool(name, value)) {
          return { kind: 'help', topic: 'start-dev' };
        }
        break;
      case 'port':
        options.port = parsePort(name, value);
        break;
      case 'ip':
        if (value === '') {
          throw new UsageError('invalid value "" for --ip');
        }
        options.ip = value;
        break;
      case 'namespace':
        if (value === '') {
          throw new UsageError('invalid value "" for --namespace');
        }
        if (!options.namespaces.includes(value)) {
          options.namespaces.push(value);
        }
        break;
      case 'db-filename':
        if (value === '') {
          throw new UsageError('invalid value "" for --db-filename');
        }
        options.dbFilename = value;
        break;
      case 'headless':
        options.headless = parseBool(name, value);
        break;
      case 'time-skipping':
        options.timeSkipping = parseBool(name, value);
        break;
      case 'log-config':
        options.logConfig = parseBool(name, value);
        break;
      case 'output':
        options.output = parseChoice(name, value, OUTPUT_FORMATS);
        break;
      case 'ui-port':
        options.uiPort = parsePort(name, value);
        break;
      case 'ui-ip':
        if (value === '') throw new UsageError('invalid value "" for --ui-ip');
        options.uiIp = value;
        break;
      case 'ui-codec-endpoint':
        options.codecEndpoint = parseHttpUrl(name, value).replace(/\/+$/, '');
        break;
      case 'ui-asset-path':
        if (value === '') throw new UsageError('invalid value "" for --ui-asset-path');
        options.uiAssetPath = value;
        break;
      case 'http-cors-origin': {
        const origin = value === '*' ? value : parseOrigin(name, value);
        if (!options.httpCorsOrigins.includes(origin)) options.httpCorsOrigins.push(origin);
        break;
      }
      case 'log-format':
        options.logFormat = parseChoice(name, value, LOG_FORMATS);
        break;
      case 'log-level':
        options.logLevel = parseChoice(name, value, LOG_LEVELS);
        break;
      case 'dynamic-config-value':
        parseDynamicConfigValue(value, options.dynamicConfig);
        break;
      case 'search-attribute':
        options.searchAttributes.push(parseSearchAttribute(value));
        break;
      case 'http-port':
        options.httpPort = parsePort(name, value);
        break;
      case 'metrics-port':
        options.metricsPort = parsePort(name, value);
        break;
      case 'sqlite-pragma':
        parseSqlitePragma(value, options.sqlitePragmas);
        break;
      case 'tls-cert-path':
      case 'tls-key-path':
      case 'tls-ca-path':
        if (value === '') throw new UsageError(`invalid value "" for --${name}`);
        options[name === 'tls-cert-path' ? 'tlsCertPath' : name === 'tls-key-path' ? 'tlsKeyPath' : 'tlsCaPath'] = value;
        break;
      case 'api-key': {
        const apiKey = parseApiKey(value);
        const given = options.apiKeys.find((k) => k.key === apiKey.key);
        if (!given) options.apiKeys.push(apiKey);
        else if (String(given.namespaces) !== String(apiKey.namespaces)) throw new UsageError('--api-key: a key is given twice with different namespaces');
        break;
      }
    }
  }
  checkTlsFlags(options);
  return { kind: 'start-dev', options };
}

/** TLS needs the certificate and its key together; a CA for client certificates means nothing without them. */
function checkTlsFlags(options: StartDevOptions): void {
  const { tlsCertPath, tlsKeyPath, tlsCaPath } = options;
  if (tlsCertPath !== undefined && tlsKeyPath === undefined) throw new UsageError('--tls-cert-path needs --tls-key-path');
  if (tlsKeyPath !== undefined && tlsCertPath === undefined) throw new UsageError('--tls-key-path needs --tls-cert-path');
  if (tlsCaPath !== undefined && tlsCertPath === undefined) throw new UsageError('--tls-ca-path (mTLS) needs --tls-cert-path and --tls-key-path');
}

function testServerOptions(port: number, extraArgs: readonly string[]): StartDevOptions {
  if (port > 65535) throw new UsageError(`invalid port: ${port}`);
  const options = parseStartDev(['--port', String(port), '--headless', '--log-level', 'warn']);
  if (options.kind !== 'start-dev') throw new UsageError('invalid test-server invocation');
  return { ...options.options, timeSkipping: true, testServerArgs: [...extraArgs] };
}

/** The Temporal CLI's distance from the gRPC port to the UI's default port (7233 → 8233). */
export const UI_PORT_OFFSET = 1000;

/**
 * The port the web UI listens on, undefined with `--headless`: `--ui-port`, else the gRPC port + 1000 as the Temporal
 * CLI; a free port when that is not a port (`--port 0` asks for a free port, and so gets a free UI port too).
 */
export function uiPortOf(options: Pick<StartDevOptions, 'headless' | 'uiPort' | 'port'>): number | undefined {
  if (options.headless) return undefined;
  if (options.uiPort !== undefined) return options.uiPort;
  const port = options.port + UI_PORT_OFFSET;
  return options.port === 0 || port > 65535 ? 0 : port;
}

/**
 * Whether `server start-dev` prints its ready line. Quiet when spawned with stdout not a terminal (the SDKs'
 * existing-path servers, which detect readiness by connecting to the port) unless `--log-level` asks for info or
 * debug output; an explicit `--output` decides on its own, as the Temporal CLI prints plain lines only for `text`.
 */
export function printsReadyLine(options: Pick<StartDevOptions, 'output' | 'logLevel'>, stdoutIsTerminal: boolean): boolean {
  if (options.output !== undefined) return options.output === 'text';
  return stdoutIsTerminal || options.logLevel === 'info' || options.logLevel === 'debug';
}
