/**
 * The dynamic config keys Hourglass honours (`--dynamic-config-value KEY=VALUE`,
 * `HourglassServerOptions.dynamicConfig`), with Temporal's names, types and defaults
 * (`common/dynamicconfig/constants.go`). Any other key is accepted and has no effect, as an
 * unknown key has none in Temporal.
 *
 * Values are what the Temporal CLI hands the server: JSON (`10`, `true`, `"10s"`), converted as
 * Temporal's dynamicconfig collection converts them: a duration is a Go duration string ("1m30s",
 * also "2d" and a unit-less "20" meaning seconds) or a number of seconds; a bool is a JSON bool or
 * a string Go's strconv.ParseBool accepts; ints and byte sizes are whole numbers.
 */

export type DynamicConfigType = 'int' | 'bytes' | 'bool' | 'duration';

interface Setting<T extends DynamicConfigType> {
  type: T;
  /** Durations in milliseconds. */
  default: T extends 'bool' ? boolean : number;
  /** What the key changes in Hourglass. */
  description: string;
}

const MiB = 1024 * 1024;

/** Every key Hourglass honours. */
export const DYNAMIC_CONFIG_SETTINGS = {
  'history.longPollExpirationInterval': {
    type: 'duration',
    default: 20_000,
    description: 'how long a GetWorkflowExecutionHistory or PollWorkflowExecutionUpdate long poll is held',
  },
  'matching.longPollExpirationInterval': { type: 'duration', default: 60_000, description: 'how long an empty workflow or activity task poll is held' },
  'limit.historyCount.suggestContinueAsNew': {
    type: 'int',
    default: 4 * 1024,
    description: 'history event count from which WorkflowTaskStarted suggests continue-as-new',
  },
  'limit.historySize.suggestContinueAsNew': {
    type: 'bytes',
    default: 4 * MiB,
    description: 'history size from which WorkflowTaskStarted suggests continue-as-new',
  },
  'limit.historyMaxPageSize': {
    type: 'int',
    default: 256,
    description: 'history events a workflow task poll response carries; the worker reads the rest with GetWorkflowExecutionHistory',
  },
  'history.maxInFlightUpdates': { type: 'int', default: 10, description: 'updates admitted but not completed per run (0: no limit)' },
  'history.maxTotalUpdates': { type: 'int', default: 2000, description: 'updates one run may receive (0: no limit)' },
  'system.enableActivityEagerExecution': {
    type: 'bool',
    default: true,
    description: 'whether activities a completing worker asks to run eagerly are handed back in the completion',
  },
  // Gone from Temporal's current source (the activity APIs are always on there); the dev servers of
  // the releases that had it are started with it on, as the SDKs' test suites do.
  // Temporal's default is 0 and its frontend drains for max(1 s, this): the effective default is 1 s.
  'frontend.shutdownDrainDuration': {
    type: 'duration',
    default: 0,
    description: 'how long shutdown waits for calls under way to be answered (at least 1 s) before cutting them',
  },
  'frontend.activityAPIsEnabled': { type: 'bool', default: true, description: 'whether the activity pause / unpause / reset / options APIs answer' },
  'limit.blobSize.error': {
    type: 'bytes',
    default: 2 * MiB,
    description: 'payload size over which a request fails, or a command terminates its run, with "Blob data size exceeds limit."',
  },
  'limit.blobSize.warn': {
    type: 'bytes',
    default: 512 * 1024,
    description: 'payload size over which a warning is logged; the error limit is checked only past it, as in Temporal',
  },
  'limit.historySize.error': {
    type: 'bytes',
    default: 50 * MiB,
    description: 'history size past which the next change to a running run terminates it ("Workflow history size exceeds limit.")',
  },
  'limit.historyCount.error': {
    type: 'int',
    default: 50 * 1024,
    description: 'history event count past which the next change to a running run terminates it ("Workflow history count exceeds limit.")',
  },
  'limit.numPendingActivities.error': {
    type: 'int',
    default: 2000,
    description: 'pending activities per run from which a ScheduleActivityTask command fails the workflow task (PENDING_ACTIVITIES_LIMIT_EXCEEDED)',
  },
  'limit.numPendingChildExecutions.error': {
    type: 'int',
    default: 2000,
    description: 'pending children per run from which a StartChildWorkflowExecution command fails the workflow task (PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED)',
  },
  'limit.numPendingSignals.error': {
    type: 'int',
    default: 2000,
    description: 'pending signals to other workflows per run from which a SignalExternalWorkflowExecution command fails the workflow task',
  },
  'limit.numPendingCancelRequests.error': {
    type: 'int',
    default: 2000,
    description: 'pending cancel requests to other workflows per run from which a RequestCancelExternalWorkflowExecution command fails the workflow task',
  },
  'history.maximumSignalsPerExecution': {
    type: 'int',
    default: 10_000,
    description: 'signals one run may receive; the next fails with INVALID_ARGUMENT "exceeded workflow execution limit for signal events" (0: no limit)',
  },
  'limit.memoSize.error': {
    type: 'bytes',
    default: 2 * MiB,
    description: 'memo size over which a start fails ("Memo size exceeds limit.") or a command terminates its run',
  },
  'limit.memoSize.warn': { type: 'bytes', default: 2 * 1024, description: 'memo size over which a warning is logged; the error limit is checked only past it' },
  'frontend.searchAttributesNumberOfKeysLimit': { type: 'int', default: 100, description: 'search attributes one request or command may set' },
  'frontend.searchAttributesSizeOfValueLimit': { type: 'bytes', default: 2 * 1024, description: "the largest search attribute value (its payload's data)" },
  'frontend.searchAttributesTotalSizeLimit': {
    type: 'bytes',
    default: 40 * 1024,
    description: "the largest search attributes map (its encoded size; an upsert's merged with the run's)",
  },
  'limit.maxIDLength': {
    type: 'int',
    default: 1000,
    description: 'the longest namespace, workflow id, type, task queue, activity id and type, timer id, signal name, request id, identity…',
  },
} as const satisfies Record<string, Setting<DynamicConfigType>>;

export type DynamicConfigKey = keyof typeof DYNAMIC_CONFIG_SETTINGS;

type ValueOf<T extends DynamicConfigType> = T extends 'bool' ? boolean : number;
type InputOf<T extends DynamicConfigType> = T extends 'bool' ? boolean | string : T extends 'duration' ? string | number : number;

/** The resolved value of every honoured key (durations in milliseconds). */
export type DynamicConfig = { readonly [K in DynamicConfigKey]: ValueOf<(typeof DYNAMIC_CONFIG_SETTINGS)[K]['type']> };

/** Values as given (JSON-decoded CLI values or embedders' own): honoured keys typed, any other key accepted. */
export type DynamicConfigValues = { [K in DynamicConfigKey]?: InputOf<(typeof DYNAMIC_CONFIG_SETTINGS)[K]['type']> } & Record<string, unknown>;

/** A value that cannot be converted to its key's type; the message names the key. */
export class DynamicConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'DynamicConfigError';
  }
}

export function isDynamicConfigKey(key: string): key is DynamicConfigKey {
  return Object.prototype.hasOwnProperty.call(DYNAMIC_CONFIG_SETTINGS, key);
}

/** The defaults of every honoured key. */
export const DEFAULT_DYNAMIC_CONFIG: DynamicConfig = Object.fromEntries(
  Object.entries(DYNAMIC_CONFIG_SETTINGS).map(([key, setting]) => [key, setting.default]),
) as DynamicConfig;

/** The honoured keys' values over their defaults, and the keys that have no effect here. Throws {@link DynamicConfigError}. */
export function resolveDynamicConfig(values: Readonly<Record<string, unknown>> = {}): { config: DynamicConfig; ignoredKeys: string[] } {
  const config: Record<string, unknown> = { ...DEFAULT_DYNAMIC_CONFIG };
  const ignoredKeys: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (isDynamicConfigKey(key)) config[key] = convertDynamicConfigValue(key, value);
    else ignoredKeys.push(key);
  }
  return { config: config as DynamicConfig, ignoredKeys };
}

/** Converts one value to its key's type, as Temporal's dynamicconfig collection does. */
export function convertDynamicConfigValue<K extends DynamicConfigKey>(key: K, value: unknown): DynamicConfig[K] {
  const type: DynamicConfigType = DYNAMIC_CONFIG_SETTINGS[key].type;
  const converted = type === 'bool' ? toBool(value) : type === 'duration' ? toDurationMs(value) : toCount(value);
  if (converted === undefined) {
    throw new DynamicConfigError(key, `invalid value ${JSON.stringify(value)} for dynamic config ${key}: expected ${EXPECTED[type]}`);
  }
  return converted as DynamicConfig[K];
}

const EXPECTED: Record<DynamicConfigType, string> = {
  int: 'a non-negative integer',
  bytes: 'a non-negative integer (bytes)',
  bool: 'true or false',
  duration: 'a duration such as "10s" or "1m30s", or a number of seconds',
};

/**
 * Decodes the VALUE of `KEY=VALUE` as the Temporal CLI does (JSON; string values need quotes). A
 * value that is not JSON fails for an honoured key and is kept as text for any other key, which has
 * no effect anyway.
 */
export function parseDynamicConfigFlag(flag: string): [string, unknown] {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw new DynamicConfigError('', `dynamic config value "${flag}" is not in KEY=JSON_VALUE format`);
  const key = flag.slice(0, eq);
  const text = flag.slice(eq + 1);
  try {
    return [key, JSON.parse(text) as unknown];
  } catch {
    if (!isDynamicConfigKey(key)) return [key, text];
    throw new DynamicConfigError(key, `invalid JSON value ${JSON.stringify(text)} for dynamic config ${key} (string values need quotes, e.g. '"10s"')`);
  }
}

function toCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** Go's strconv.ParseBool. */
function toBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d)/;

/** Temporal's ParseDurationDefaultSeconds (Go's time.ParseDuration plus `d` for days and unit-less seconds); numbers are seconds. */
function toDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  let rest = value.startsWith('+') ? value.slice(1) : value;
  if (/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(rest)) return Number(rest) * 1000;
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let ms = 0;
  while (rest !== '') {
    const part = DURATION.exec(rest)?.[0];
    if (part === undefined) return undefined;
    const unit = /[a-zµμ]+$/.exec(part)?.[0] ?? '';
    ms += Number(part.slice(0, part.length - unit.length)) * (UNIT_MS[unit] ?? NaN);
    rest = rest.slice(part.length);
  }
  return Number.isFinite(ms) ? ms : undefined;
}
