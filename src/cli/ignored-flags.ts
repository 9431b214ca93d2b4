/**
 * Flags of `temporal server start-dev` and the Temporal CLI's global flags that Hourglass accepts without effect, so
 * any command line the Temporal CLI takes starts Hourglass too. Values are still checked as the Temporal CLI checks
 * them (cliext/option-sets.yaml and internal/temporalcli/commands.yaml in temporalio/cli): a typo stays an error.
 */

export type IgnoredFlagValue = { kind: 'string' } | { kind: 'bool' } | { kind: 'duration' } | { kind: 'enum'; choices: readonly string[] };

export interface IgnoredFlag {
  value: IgnoredFlagValue;
  /** Why it has no effect, for `--help`. */
  reason: string;
}

const STRING = { kind: 'string' } as const;
const BOOL = { kind: 'bool' } as const;
const DURATION = { kind: 'duration' } as const;
const CLIENT_ONLY = 'client commands only';

export const IGNORED_FLAGS: Readonly<Record<string, IgnoredFlag>> = {
  'ui-public-path': { value: STRING, reason: 'the Web UI is served at /' },
  'ui-disable-news-fetch': { value: BOOL, reason: 'the Web UI fetches no news' },
  env: { value: STRING, reason: CLIENT_ONLY },
  'env-file': { value: STRING, reason: CLIENT_ONLY },
  'config-file': { value: STRING, reason: CLIENT_ONLY },
  profile: { value: STRING, reason: CLIENT_ONLY },
  'disable-config-file': { value: BOOL, reason: CLIENT_ONLY },
  'disable-config-env': { value: BOOL, reason: CLIENT_ONLY },
  'time-format': { value: { kind: 'enum', choices: ['relative', 'iso', 'raw'] }, reason: 'the server prints no times' },
  color: { value: { kind: 'enum', choices: ['always', 'never', 'auto'] }, reason: 'the server prints no colours' },
  'no-json-shorthand-payloads': { value: BOOL, reason: CLIENT_ONLY },
  'command-timeout': { value: DURATION, reason: 'the server runs until stopped' },
  'client-connect-timeout': { value: DURATION, reason: CLIENT_ONLY },
};

export function isIgnoredFlag(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(IGNORED_FLAGS, name);
}
