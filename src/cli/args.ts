/**
 * Command-line parsing for `hourglass`. Pure (no I/O, no process access) so it can be unit-tested.
 *
 * The flags of `hourglass server start-dev` mirror the Temporal CLI's `temporal server start-dev`, so tools that
 * spawn the Temporal dev server (the SDKs' `TestWorkflowEnvironment.createLocal`, via sdk-core) can spawn Hourglass
 * instead. Both `--flag value` and `--flag=value` forms are accepted, as are `-p 7233`, `-p=7233` and `-p7233`.
 */
import { DynamicConfigError, convertDynamicConfigValue, isDynamicConfigKey, parseDynamicConfigFlag } from '../common/dynamic-config';
import type { LogFormat, LogLevel } from '../common/logger';
import { PRAGMA_VALUE, SETTABLE_PRAGMAS } from '../store/sqlite/pragmas';
import { SEARCH_ATTRIBUTE_TYPES, type SearchAttributeType } from '../visibility/search-attribute-type';
import { IGNORED_FLAGS, isIgnoredFlag } from './ignored-flags';

/** A command-line mistake: the CLI prints the message (plus a usage hint) to stderr and exits with code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface SearchAttributeSpec {
  name: string;
  type: SearchAttributeType;
}

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
  /** Only set when --ui-port was given explicitly. */
  uiPort?: number;
  uiIp?: string;
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
  help: false,
};

const SHORT_FLAGS: Record<string, FlagName> = { p: 'port', n: 'namespace', f: 'db-filename', o: 'output', h: 'help' };

function isFlagName(name: string): name is FlagName {
  return Object.prototype.hasOwnProperty.call(START_DEV_FLAGS, name);
}

function parsePort(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`invalid value "${value}" for --${flag}: expected a port number (0-65535)`);
  }
  return Number(value);
}

function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === value.toLowerCase());
  if (found === undefined) {
    throw new UsageError(`invalid value "${value}" for --${flag}: expected one of ${choices.join(', ')}`);
  }
  return found;
}

function parseBool(flag: string, value: string): boolean {
  switch (value.toLowerCase()) {
    case 'true':
    case '1':
    case 't':
      return true;
    case 'false':
    case '0':
    case 'f':
      return false;
    default:
      throw new UsageError(`invalid value "${value}" for --${flag}: expected true or false`);
  }
}

/** Go's time.ParseDuration syntax plus the Temporal CLI's `d` (days) unit, e.g. `90s`, `1h30m`, `1.5d`. */
const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d))+)$/;

/** Checks a value of a flag Hourglass accepts without effect the way the Temporal CLI would. */
function checkIgnoredFlagValue(flag: string, value: string): void {
  const spec = IGNORED_FLAGS[flag]?.value;
  if (spec?.kind === 'bool') parseBool(flag, value);
  else if (spec?.kind === 'enum') parseChoice(flag, value, spec.choices);
  else if (spec?.kind === 'duration' && !GO_DURATION.test(value)) {
    throw new UsageError(`invalid value "${value}" for --${flag}: expected a duration such as 30s, 5m or 1h30m`);
  }
}

function requireKeyValue(flag: string, value: string): string {
  const eq = value.indexOf('=');
  if (eq <= 0) {
    throw new UsageError(`invalid value "${value}" for --${flag}: expected KEY=VALUE`);
  }
  return value;
}

/** Parses `KEY=VALUE` into `pragmas`; the key must be one SqliteStore applies, the value one bare word. */
function parseSqlitePragma(value: string, pragmas: Record<string, string>): void {
  const eq = requireKeyValue('sqlite-pragma', value).indexOf('=');
  const key = value.slice(0, eq).trim().toLowerCase();
  const pragmaValue = value.slice(eq + 1).trim();
  if (!SETTABLE_PRAGMAS.includes(key)) {
    throw new UsageError(`invalid value "${value}" for --sqlite-pragma: unsupported pragma "${key}" (supported: ${SETTABLE_PRAGMAS.join(', ')})`);
  }
  if (!PRAGMA_VALUE.test(pragmaValue)) {
    throw new UsageError(`invalid value "${value}" for --sqlite-pragma: "${pragmaValue}" is not a value for ${key}`);
  }
  pragmas[key] = pragmaValue;
}

/** Parses `KEY=VALUE` into `values` as the Temporal CLI does (JSON value); a bad value for a key Hourglass honours is a usage error. */
function parseDynamicConfigValue(value: string, values: Record<string, unknown>): void {
  requireKeyValue('dynamic-config-value', value);
  try {
    const [key, decoded] = parseDynamicConfigFlag(value);
    if (isDynamicConfigKey(key)) convertDynamicConfigValue(key, decoded);
    values[key] = decoded;
  } catch (err) {
    if (err instanceof DynamicConfigError) throw new UsageError(`--dynamic-config-value: ${err.message}`);
    throw err;
  }
}

/** Parses `name=Type` as the Temporal CLI does; the type is matched case-insensitively and normalized. */
export function parseSearchAttribute(value: string): SearchAttributeSpec {
  const eq = value.indexOf('=');
  const name = eq < 0 ? '' : value.slice(0, eq).trim();
  const rawType = eq < 0 ? '' : value.slice(eq + 1).trim();
  if (name === '' || rawType === '') {
    throw new UsageError(`invalid value "${value}" for --search-attribute: expected NAME=TYPE`);
  }
  const type = SEARCH_ATTRIBUTE_TYPES.find((t) => t.toLowerCase() === rawType.toLowerCase());
  if (type === undefined) {
    throw new UsageError(`invalid search attribute type "${rawType}" for "${name}": expected one of ${SEARCH_ATTRIBUTE_TYPES.join(', ')}`);
  }
  return { name, type };
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
    timeSkipping: false,
    logConfig: false,
    ignoredFlags: [],
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    let name: string;
    let inline: string | undefined;
    let shown: string;

    if (arg === '--') {
      const extra = argv[i + 1];
      if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
      break;
    } else if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      shown = `--${name}`;
    } else if (arg.startsWith('-') && arg.length > 1) {
      const letter = arg.charAt(1);
      const long = SHORT_FLAGS[letter];
      if (long === undefined) {
        throw new UsageError(`unknown shorthand flag: '${letter}' in ${arg}`);
      }
      name = long;
      shown = `-${letter}`;
      const tail = arg.slice(2);
      inline = tail === '' ? undefined : tail.startsWith('=') ? tail.slice(1) : tail;
    } else {
      throw new UsageError(`unexpected argument "${arg}"`);
    }

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
        options.uiIp = value;
        break;
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
    }
  }
  return { kind: 'start-dev', options };
}

function testServerOptions(port: number, extraArgs: readonly string[]): StartDevOptions {
  if (port > 65535) throw new UsageError(`invalid port: ${port}`);
  const options = parseStartDev(['--port', String(port), '--headless', '--log-level', 'warn']);
  if (options.kind !== 'start-dev') throw new UsageError('invalid test-server invocation');
  return { ...options.options, timeSkipping: true, testServerArgs: [...extraArgs] };
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
