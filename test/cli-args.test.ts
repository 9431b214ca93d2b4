import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { Command, StartDevOptions } from '../src/cli/args';
import { parseArgs, parseSearchAttribute, printsReadyLine, uiPortOf, UsageError } from '../src/cli/args';
import { START_DEV_USAGE } from '../src/cli/usage';

function startDev(argv: string[]): StartDevOptions {
  const command: Command = parseArgs(['server', 'start-dev', ...argv]);
  assert.equal(command.kind, 'start-dev');
  if (command.kind !== 'start-dev') {
    throw new Error('unreachable');
  }
  return command.options;
}

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(
    () => parseArgs(argv),
    (err: unknown) => err instanceof UsageError && err.exitCode === 2 && pattern.test(err.message),
  );
}

test('defaults match the Temporal CLI dev server', () => {
  assert.deepEqual(startDev([]), {
    ip: '127.0.0.1',
    port: 7233,
    namespaces: [],
    headless: false,
    logFormat: 'text',
    logLevel: 'warn',
    dynamicConfig: {},
    searchAttributes: [],
    sqlitePragmas: {},
    httpCorsOrigins: [],
    timeSkipping: false,
    logConfig: false,
    ignoredFlags: [],
    apiKeys: [],
  });
});

test('the Web UI listens on the gRPC port + 1000 unless --ui-port says otherwise, on --ip unless --ui-ip, and not at all with --headless', () => {
  assert.equal(uiPortOf(startDev([])), 8233);
  assert.equal(uiPortOf(startDev(['-p', '7000'])), 8000);
  assert.equal(uiPortOf(startDev(['-p', '7000', '--ui-port', '9000'])), 9000);
  assert.equal(uiPortOf(startDev(['--ui-port=0'])), 0);
  // --port 0 asks for a free port: the UI gets a free one too, as does a gRPC port with no port 1000 above it.
  assert.equal(uiPortOf(startDev(['-p', '0'])), 0);
  assert.equal(uiPortOf(startDev(['-p', '65000'])), 0);
  assert.equal(uiPortOf(startDev(['--headless'])), undefined);
  assert.equal(uiPortOf(startDev(['--headless', '--ui-port', '9000'])), undefined);
  assert.equal(startDev([]).uiIp, undefined);
  assert.equal(startDev(['--ui-ip', '0.0.0.0']).uiIp, '0.0.0.0');
  usageError(['server', 'start-dev', '--ui-ip='], /invalid value "" for --ui-ip/);
});

test('--ui-codec-endpoint is an http(s) URL the UI sends payloads to; --ui-asset-path a folder to serve', () => {
  assert.equal(startDev(['--ui-codec-endpoint', 'http://localhost:8888/']).codecEndpoint, 'http://localhost:8888');
  assert.equal(startDev(['--ui-codec-endpoint=https://codec.example/v1']).codecEndpoint, 'https://codec.example/v1');
  usageError(['server', 'start-dev', '--ui-codec-endpoint', 'localhost:8888'], /--ui-codec-endpoint: expected an http:\/\/ or https:\/\/ URL/);
  assert.equal(startDev(['--ui-asset-path', '/srv/ui']).uiAssetPath, '/srv/ui');
});

test('--http-cors-origin is repeatable: origins as browsers send them, or *; a path is a usage error', () => {
  const options = startDev([
    '--http-cors-origin',
    'http://localhost:3000',
    '--http-cors-origin=https://Example.com',
    '--http-cors-origin',
    'http://localhost:3000',
  ]);
  assert.deepEqual(options.httpCorsOrigins, ['http://localhost:3000', 'https://example.com']);
  assert.deepEqual(startDev(['--http-cors-origin', '*']).httpCorsOrigins, ['*']);
  usageError(['server', 'start-dev', '--http-cors-origin', 'http://localhost:3000/app'], /expected an origin such as http:\/\/localhost:3000/);
  usageError(['server', 'start-dev', '--http-cors-origin', 'localhost'], /--http-cors-origin: expected an http:\/\/ or https:\/\/ URL/);
});

test('parses the command line the Rust SDK (sdk-core) spawns', () => {
  const options = startDev([
    '--port',
    '40123',
    '--namespace',
    'default',
    '--ip',
    '127.0.0.1',
    '--log-format',
    'pretty',
    '--log-level',
    'warn',
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value',
    'system.forceSearchAttributesCacheRefreshOnRead=true',
    '--search-attribute',
    'CustomKeywordField=Keyword',
    '--db-filename',
    '/tmp/x.db',
    '--headless',
  ]);
  assert.equal(options.port, 40123);
  assert.deepEqual(options.namespaces, ['default']);
  assert.equal(options.ip, '127.0.0.1');
  assert.equal(options.logFormat, 'pretty');
  assert.equal(options.logLevel, 'warn');
  assert.deepEqual(options.dynamicConfig, { 'frontend.enableServerVersionCheck': false, 'system.forceSearchAttributesCacheRefreshOnRead': true });
  assert.deepEqual(options.searchAttributes, [{ name: 'CustomKeywordField', type: 'Keyword' }]);
  assert.equal(options.dbFilename, '/tmp/x.db');
  assert.equal(options.headless, true);
  assert.equal(options.uiPort, undefined);
  // sdk-core asks for no UI unless its caller does: an SDK's test server opens no port besides gRPC's and the HTTP API's.
  assert.equal(uiPortOf(options), undefined);
});

test('accepts --flag=value and short forms', () => {
  const options = startDev([
    '--port=7000',
    '-n',
    'a',
    '-n=b',
    '-nc',
    '-f=db.sqlite',
    '--ui-port=8233',
    '--ui-ip=0.0.0.0',
    '--log-level=debug',
    '--log-format=json',
  ]);
  assert.equal(options.port, 7000);
  assert.deepEqual(options.namespaces, ['a', 'b', 'c']);
  assert.equal(options.dbFilename, 'db.sqlite');
  assert.equal(options.uiPort, 8233);
  assert.equal(options.uiIp, '0.0.0.0');
  assert.equal(options.logLevel, 'debug');
  assert.equal(options.logFormat, 'json');
  assert.equal(startDev(['-p', '0']).port, 0);
  assert.equal(startDev(['-p7234']).port, 7234);
});

test('repeated namespaces are de-duplicated, order kept', () => {
  assert.deepEqual(startDev(['-n', 'x', '--namespace', 'y', '--namespace=x']).namespaces, ['x', 'y']);
});

test('boolean --headless accepts an explicit value only in = form', () => {
  assert.equal(startDev(['--headless=false']).headless, false);
  assert.equal(startDev(['--headless=true']).headless, true);
  usageError(['server', 'start-dev', '--headless', 'false'], /unexpected argument "false"/);
});

test('accepted-but-unused flags are parsed', () => {
  const options = startDev(['--http-port', '7243', '--metrics-port=9090']);
  assert.equal(options.httpPort, 7243);
  assert.equal(options.metricsPort, 9090);
});

test('--sqlite-pragma: the pragmas SqliteStore applies, key normalized, the last value wins', () => {
  const options = startDev(['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma=synchronous=full', '--sqlite-pragma', ' Synchronous = NORMAL ']);
  assert.deepEqual(options.sqlitePragmas, { journal_mode: 'wal', synchronous: 'NORMAL' });
});

test('--sqlite-pragma: an unknown key, a missing "=" or a value that is not one word is a usage error', () => {
  usageError(
    ['server', 'start-dev', '--sqlite-pragma', 'foo=bar'],
    /invalid value "foo=bar" for --sqlite-pragma: unsupported pragma "foo" \(supported: journal_mode, synchronous\)/,
  );
  usageError(['server', 'start-dev', '--sqlite-pragma=cache_size=1000'], /unsupported pragma "cache_size"/);
  usageError(['server', 'start-dev', '--sqlite-pragma', 'synchronous'], /invalid value "synchronous" for --sqlite-pragma: expected KEY=VALUE/);
  usageError(['server', 'start-dev', '--sqlite-pragma', '=wal'], /expected KEY=VALUE/);
  usageError(['server', 'start-dev', '--sqlite-pragma', 'journal_mode='], /"" is not a value for journal_mode/);
  usageError(['server', 'start-dev', '--sqlite-pragma', 'synchronous=off; drop table x'], /is not a value for synchronous/);
});

test('search attributes: every Temporal type, case-insensitive, normalized', () => {
  for (const type of ['Keyword', 'Text', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList']) {
    assert.deepEqual(parseSearchAttribute(`Attr=${type}`), { name: 'Attr', type });
  }
  assert.deepEqual(parseSearchAttribute('Attr=keywordlist'), { name: 'Attr', type: 'KeywordList' });
  usageError(['server', 'start-dev', '--search-attribute', 'Attr=Blob'], /invalid search attribute type "Blob".*Keyword, Text/);
  usageError(['server', 'start-dev', '--search-attribute', 'Attr'], /expected NAME=TYPE/);
  usageError(['server', 'start-dev', '--search-attribute', '=Int'], /expected NAME=TYPE/);
});

test('--dynamic-config-value: VALUE is JSON, as the Temporal CLI reads it; honoured keys are checked, others kept', () => {
  const options = startDev([
    '--dynamic-config-value',
    'limit.blobSize.error=1024',
    '--dynamic-config-value=history.longPollExpirationInterval="5s"',
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=false',
    '--dynamic-config-value',
    'limit.blobSize.error=2048',
    '--dynamic-config-value',
    'some.unknownKey=not json',
    '--dynamic-config-value',
    'component.callbacks.allowedAddresses=[{"Pattern":"*","AllowInsecure":true}]',
  ]);
  assert.deepEqual(options.dynamicConfig, {
    'limit.blobSize.error': 2048,
    'history.longPollExpirationInterval': '5s',
    'system.enableActivityEagerExecution': false,
    'some.unknownKey': 'not json',
    'component.callbacks.allowedAddresses': [{ Pattern: '*', AllowInsecure: true }],
  });
});

test('--dynamic-config-value: a bad value for an honoured key is a usage error naming the key', () => {
  const flag = (value: string): string[] => ['server', 'start-dev', '--dynamic-config-value', value];
  usageError(flag('limit.blobSize.error=lots'), /--dynamic-config-value: invalid JSON value "lots" for dynamic config limit\.blobSize\.error/);
  usageError(flag('limit.blobSize.error="1024"'), /invalid value "1024" for dynamic config limit\.blobSize\.error: expected a non-negative integer/);
  usageError(flag('limit.historyCount.suggestContinueAsNew=1.5'), /limit\.historyCount\.suggestContinueAsNew: expected a non-negative integer/);
  usageError(flag('system.enableActivityEagerExecution="maybe"'), /system\.enableActivityEagerExecution: expected true or false/);
  usageError(flag('history.longPollExpirationInterval="soon"'), /history\.longPollExpirationInterval: expected a duration/);
  usageError(flag('history.longPollExpirationInterval=10s'), /string values need quotes/);
});

test('the time-skipping test server form ignores its own arguments', () => {
  const command = parseArgs(['7234', '--enable-time-skipping']);
  assert.equal(command.kind, 'start-dev');
  if (command.kind !== 'start-dev') throw new Error('unreachable');
  assert.equal(command.options.port, 7234);
  assert.equal(command.options.timeSkipping, true);
  assert.deepEqual(command.options.dynamicConfig, {});
  assert.deepEqual(command.options.testServerArgs, ['--enable-time-skipping']);
  assert.equal(uiPortOf(command.options), undefined, 'the test server has no UI');
});

test('accepts every flag of "temporal server start-dev" and every Temporal CLI global flag, each with a valid value', () => {
  const options = startDev([
    // temporal server start-dev (internal/temporalcli/commands.yaml)
    '--db-filename=/tmp/x.db',
    '-n',
    'other',
    '--port=7300',
    '--http-port=7301',
    '--metrics-port=7302',
    '--ui-port=7303',
    '--headless',
    '--ip=127.0.0.1',
    '--ui-ip=127.0.0.1',
    '--ui-public-path=/ui',
    '--ui-asset-path=/tmp/assets',
    '--ui-codec-endpoint=http://localhost:8888',
    '--ui-disable-news-fetch',
    '--sqlite-pragma=journal_mode=wal',
    '--dynamic-config-value=frontend.enableUpdateWorkflowExecution=true',
    '--log-config',
    '--search-attribute=MyKeyword=Keyword',
    // the global flags (cliext/option-sets.yaml, option set "common")
    '--env=dev',
    '--env-file=/tmp/temporal.env',
    '--config-file=/tmp/temporal.toml',
    '--profile=local',
    '--disable-config-file',
    '--disable-config-env=true',
    '--log-level=info',
    '--log-format=json',
    '-o',
    'jsonl',
    '--time-format=iso',
    '--color=never',
    '--no-json-shorthand-payloads',
    '--command-timeout=1h30m',
    '--client-connect-timeout',
    '2.5s',
  ]);
  assert.equal(options.port, 7300);
  assert.equal(options.logConfig, true);
  assert.equal(options.output, 'jsonl');
  assert.equal(options.logLevel, 'info');
  assert.equal(options.codecEndpoint, 'http://localhost:8888');
  assert.equal(options.uiAssetPath, '/tmp/assets');
  assert.deepEqual(options.ignoredFlags, [
    '--ui-public-path',
    '--ui-disable-news-fetch',
    '--env',
    '--env-file',
    '--config-file',
    '--profile',
    '--disable-config-file',
    '--disable-config-env',
    '--time-format',
    '--color',
    '--no-json-shorthand-payloads',
    '--command-timeout',
    '--client-connect-timeout',
  ]);
  assert.equal(startDev(['--output', 'none']).output, 'none');
  assert.deepEqual(startDev(['--command-timeout=0', '--client-connect-timeout=1d']).ignoredFlags, ['--command-timeout', '--client-connect-timeout']);
});

test('flags accepted without effect still get their values checked as the Temporal CLI checks them', () => {
  usageError(['server', 'start-dev', '--color', 'sometimes'], /invalid value "sometimes" for --color: expected one of always, never, auto/);
  usageError(['server', 'start-dev', '--time-format=local'], /--time-format: expected one of relative, iso, raw/);
  usageError(['server', 'start-dev', '-o', 'yaml'], /invalid value "yaml" for --output: expected one of text, json, jsonl, none/);
  usageError(['server', 'start-dev', '--command-timeout', '10'], /invalid value "10" for --command-timeout: expected a duration/);
  usageError(['server', 'start-dev', '--ui-disable-news-fetch=maybe'], /--ui-disable-news-fetch: expected true or false/);
  usageError(['server', 'start-dev', '--disable-config-file', 'false'], /unexpected argument "false"/);
  usageError(['server', 'start-dev', '--profile'], /flag needs an argument: --profile/);
});

test('--help lists the flags accepted without effect as such', () => {
  for (const flag of ['ui-public-path', 'ui-disable-news-fetch', 'env', 'color', 'command-timeout']) {
    assert.match(START_DEV_USAGE, new RegExp(`--${flag} .*no effect: `));
  }
  assert.match(START_DEV_USAGE, /--log-config/);
  assert.match(START_DEV_USAGE, /-o, --output string/);
});

test('the ready line: only on a terminal unless --log-level is info or debug; an explicit --output decides alone (text prints)', () => {
  assert.equal(printsReadyLine({ logLevel: 'warn' }, false), false);
  assert.equal(printsReadyLine({ logLevel: 'warn' }, true), true);
  assert.equal(printsReadyLine({ logLevel: 'info' }, false), true);
  assert.equal(printsReadyLine({ logLevel: 'debug' }, false), true);
  assert.equal(printsReadyLine({ logLevel: 'warn', output: 'text' }, false), true);
  assert.equal(printsReadyLine({ logLevel: 'debug', output: 'json' }, true), false);
  assert.equal(printsReadyLine({ logLevel: 'info', output: 'none' }, true), false);
});

test('rejects bad values', () => {
  usageError(['server', 'start-dev', '--port', 'abc'], /invalid value "abc" for --port/);
  usageError(['server', 'start-dev', '--port', '70000'], /invalid value "70000" for --port/);
  usageError(['server', 'start-dev', '--log-level', 'verbose'], /--log-level: expected one of debug, info, warn, error, fatal, never/);
  usageError(['server', 'start-dev', '--log-format', 'xml'], /--log-format/);
  usageError(['server', 'start-dev', '--dynamic-config-value', 'nokey'], /expected KEY=VALUE/);
  usageError(['server', 'start-dev', '--port'], /flag needs an argument: --port/);
  usageError(['server', 'start-dev', '-p'], /flag needs an argument: -p/);
});

test('unknown flags, commands and arguments are usage errors (exit code 2)', () => {
  usageError(['server', 'start-dev', '--bogus'], /unknown flag: --bogus/);
  usageError(['server', 'start-dev', '--bogus=1'], /unknown flag: --bogus/);
  usageError(['server', 'start-dev', '-x'], /unknown shorthand flag: 'x'/);
  usageError(['server', 'start-dev', '--ui-public'], /unknown flag: --ui-public/);
  usageError(['server', 'start-dev', '--address', 'localhost:7233'], /unknown flag: --address/);
  usageError(['server', 'start-dev', 'extra'], /unexpected argument "extra"/);
  usageError(['server', 'stop'], /unknown command "server stop"/);
  usageError(['serve'], /unknown command "serve"/);
  usageError(['--bogus'], /unknown flag: --bogus/);
});

test('help and version', () => {
  assert.deepEqual(parseArgs([]), { kind: 'help', topic: 'root' });
  assert.deepEqual(parseArgs(['--help']), { kind: 'help', topic: 'root' });
  assert.deepEqual(parseArgs(['-h']), { kind: 'help', topic: 'root' });
  assert.deepEqual(parseArgs(['server']), { kind: 'help', topic: 'server' });
  assert.deepEqual(parseArgs(['server', '--help']), { kind: 'help', topic: 'server' });
  assert.deepEqual(parseArgs(['server', 'start-dev', '--help']), { kind: 'help', topic: 'start-dev' });
  assert.deepEqual(parseArgs(['server', 'start-dev', '--port', '1', '-h']), { kind: 'help', topic: 'start-dev' });
  assert.deepEqual(parseArgs(['--version']), { kind: 'version' });
});
