import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_DYNAMIC_CONFIG,
  DynamicConfigError,
  convertDynamicConfigValue,
  parseDynamicConfigFlag,
  resolveDynamicConfig,
} from '../../../src/common/dynamic-config';

// The keys Hourglass honours, with Temporal's defaults (common/dynamicconfig/constants.go) and
// its conversions (common/dynamicconfig/collection.go: convertInt, convertBool, convertDuration).

describe('dynamic config registry', () => {
  test("defaults are Temporal's", () => {
    assert.deepEqual(DEFAULT_DYNAMIC_CONFIG, {
      'history.longPollExpirationInterval': 20_000,
      'matching.longPollExpirationInterval': 60_000,
      'limit.historyCount.suggestContinueAsNew': 4096,
      'limit.historySize.suggestContinueAsNew': 4 * 1024 * 1024,
      'limit.historyMaxPageSize': 256,
      'history.maxInFlightUpdates': 10,
      'history.maxTotalUpdates': 2000,
      'system.enableActivityEagerExecution': true,
      'frontend.shutdownDrainDuration': 0,
      'frontend.activityAPIsEnabled': true,
      'limit.blobSize.error': 2 * 1024 * 1024,
      'limit.blobSize.warn': 512 * 1024,
      'limit.historySize.error': 50 * 1024 * 1024,
      'limit.historyCount.error': 50 * 1024,
      'limit.numPendingActivities.error': 2000,
      'limit.numPendingChildExecutions.error': 2000,
      'limit.numPendingSignals.error': 2000,
      'limit.numPendingCancelRequests.error': 2000,
      'history.maximumSignalsPerExecution': 10_000,
      'limit.memoSize.error': 2 * 1024 * 1024,
      'limit.memoSize.warn': 2 * 1024,
      'frontend.searchAttributesNumberOfKeysLimit': 100,
      'frontend.searchAttributesSizeOfValueLimit': 2 * 1024,
      'frontend.searchAttributesTotalSizeLimit': 40 * 1024,
      'limit.maxIDLength': 1000,
    });
  });

  test('resolve: honoured keys over the defaults, other keys listed as ignored', () => {
    const { config, ignoredKeys } = resolveDynamicConfig({ 'limit.blobSize.error': 10, 'frontend.enableUpdateWorkflowExecution': true, x: undefined });
    assert.equal(config['limit.blobSize.error'], 10);
    assert.equal(config['limit.blobSize.warn'], 512 * 1024);
    assert.deepEqual(ignoredKeys, ['frontend.enableUpdateWorkflowExecution']);
  });

  test('durations: Go duration strings (plus d and unit-less seconds), or numbers of seconds', () => {
    const ms = (value: unknown): number => convertDynamicConfigValue('history.longPollExpirationInterval', value);
    assert.equal(ms('10s'), 10_000);
    assert.equal(ms('1m30s'), 90_000);
    assert.equal(ms('1.5h'), 5_400_000);
    assert.equal(ms('250ms'), 250);
    assert.equal(ms('2d'), 172_800_000);
    assert.equal(ms('20'), 20_000);
    assert.equal(ms('0'), 0);
    assert.equal(ms(5), 5000);
    assert.equal(ms(0.5), 500);
    for (const bad of ['', 's', '10x', '-5s', '1m30', true, null, {}]) {
      assert.throws(() => ms(bad), DynamicConfigError, `expected ${JSON.stringify(bad)} to be rejected`);
    }
  });

  test("bools: JSON booleans, or the strings Go's strconv.ParseBool accepts", () => {
    const bool = (value: unknown): boolean => convertDynamicConfigValue('system.enableActivityEagerExecution', value);
    assert.equal(bool(false), false);
    assert.equal(bool('true'), true);
    assert.equal(bool('F'), false);
    assert.equal(bool('1'), true);
    assert.throws(() => bool('yes'), /system\.enableActivityEagerExecution: expected true or false/);
    assert.throws(() => bool(1), DynamicConfigError);
  });

  test('ints and byte sizes: non-negative whole numbers', () => {
    assert.equal(convertDynamicConfigValue('limit.blobSize.error', 1024), 1024);
    assert.equal(convertDynamicConfigValue('history.maxInFlightUpdates', 0), 0);
    for (const bad of [1.5, -1, '1024', true]) {
      assert.throws(() => convertDynamicConfigValue('limit.blobSize.error', bad), /limit\.blobSize\.error: expected a non-negative integer/);
    }
  });

  test('a flag is KEY=JSON_VALUE; non-JSON fails for an honoured key and is kept as text for any other', () => {
    assert.deepEqual(parseDynamicConfigFlag('limit.blobSize.error=1024'), ['limit.blobSize.error', 1024]);
    assert.deepEqual(parseDynamicConfigFlag('history.longPollExpirationInterval="5s"'), ['history.longPollExpirationInterval', '5s']);
    assert.deepEqual(parseDynamicConfigFlag('a.b=x=y'), ['a.b', 'x=y']);
    assert.throws(() => parseDynamicConfigFlag('history.longPollExpirationInterval=5s'), /string values need quotes/);
    assert.throws(() => parseDynamicConfigFlag('=1'), /KEY=JSON_VALUE/);
  });
});
