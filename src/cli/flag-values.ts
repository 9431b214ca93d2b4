/**
 * The values of command-line flags, checked as the Temporal CLI checks them; a bad one is a {@link UsageError}. Pure.
 */
import { DynamicConfigError, convertDynamicConfigValue, isDynamicConfigKey, parseDynamicConfigFlag } from '../common/dynamic-config';
import { PRAGMA_VALUE, SETTABLE_PRAGMAS } from '../store/sqlite/pragmas';
import { SEARCH_ATTRIBUTE_TYPES, type SearchAttributeType } from '../visibility/search-attribute-type';
import { IGNORED_FLAGS } from './ignored-flags';

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

export function parsePort(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`invalid value "${value}" for --${flag}: expected a port number (0-65535)`);
  }
  return Number(value);
}

export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === value.toLowerCase());
  if (found === undefined) {
    throw new UsageError(`invalid value "${value}" for --${flag}: expected one of ${choices.join(', ')}`);
  }
  return found;
}

export function parseBool(flag: string, value: string): boolean {
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
export function checkIgnoredFlagValue(flag: string, value: string): void {
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
export function parseSqlitePragma(value: string, pragmas: Record<string, string>): void {
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
export function parseDynamicConfigValue(value: string, values: Record<string, unknown>): void {
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

/** An absolute http(s) URL, as a codec endpoint must be for the browser to call it. */
export function parseHttpUrl(flag: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`invalid value "${value}" for --${flag}: expected an http:// or https:// URL`);
  }
  return value;
}

/** A browser origin (`scheme://host[:port]`, no path), written as browsers send it in the `Origin` header. */
export function parseOrigin(flag: string, value: string): string {
  const url = new URL(parseHttpUrl(flag, value));
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new UsageError(`invalid value "${value}" for --${flag}: expected an origin such as http://localhost:3000 (no path), or *`);
  }
  return url.origin;
}

/** One flag token: `--name`, `--name=value`, `-x`, `-xvalue` or `-x=value` (short letters mapped by `shorthands`). */
export interface FlagToken {
  name: string;
  /** The value given in the token itself; undefined when it must come from the next argument. */
  inline: string | undefined;
  /** The flag as the user wrote it, for messages. */
  shown: string;
}

/** Reads one flag token as the Temporal CLI (cobra) does; anything that is no flag is an unexpected argument. */
export function readFlagToken(arg: string, shorthands: Readonly<Record<string, string>>): FlagToken {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    return { name, inline: eq < 0 ? undefined : arg.slice(eq + 1), shown: `--${name}` };
  }
  if (arg.startsWith('-') && arg.length > 1) {
    const letter = arg.charAt(1);
    const name = shorthands[letter];
    if (name === undefined) throw new UsageError(`unknown shorthand flag: '${letter}' in ${arg}`);
    const tail = arg.slice(2);
    return { name, inline: tail === '' ? undefined : tail.startsWith('=') ? tail.slice(1) : tail, shown: `-${letter}` };
  }
  throw new UsageError(`unexpected argument "${arg}"`);
}

/** An `--api-key` value: the key, and the namespaces it is bound to when given as `KEY=ns1,ns2`. */
export interface ApiKeyFlag {
  key: string;
  namespaces?: string[];
}

/**
 * Parses `--api-key KEY` or `KEY=ns1,ns2`. The namespaces are what follows the last `=`; a key ending in `=` (base64
 * padding) is taken whole. Errors never repeat the value: it is a secret.
 */
export function parseApiKey(value: string): ApiKeyFlag {
  const eq = value.lastIndexOf('=');
  const bound = eq > 0 && eq < value.length - 1;
  const key = bound ? value.slice(0, eq) : value;
  if (key === '' || /\s/.test(key)) throw new UsageError('invalid value for --api-key: a key cannot be empty or contain whitespace');
  if (!bound) return { key };
  const namespaces = value.slice(eq + 1).split(',');
  if (namespaces.some((ns) => ns === '' || /\s/.test(ns))) {
    throw new UsageError('invalid value for --api-key: expected KEY or KEY=namespace[,namespace…]');
  }
  return { key, namespaces: [...new Set(namespaces)] };
}
