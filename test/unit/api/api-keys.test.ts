import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ApiKeyAuthorizer, callTarget } from '../../../src/api/auth/api-keys';
import { ServiceError } from '../../../src/common/errors';

const WORKFLOW_SERVICE = '/temporal.api.workflowservice.v1.WorkflowService/';
const authorizer = new ApiKeyAuthorizer([{ key: 'system' }, { key: 'bound', namespaces: ['ns1'] }]);

function refusal(fn: () => void): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ServiceError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

const start = (namespace: string) => callTarget(`${WORKFLOW_SERVICE}StartWorkflowExecution`, true, { namespace });

test('a key bound to no namespace may make every call', () => {
  authorizer.check(start('ns1'), 'Bearer system');
  authorizer.check(start('ns2'), 'bearer  system');
  authorizer.check(callTarget(`${WORKFLOW_SERVICE}ListNamespaces`, false, {}), 'Bearer system');
});

test('a missing key, another scheme or an unknown key is UNAUTHENTICATED', () => {
  assert.deepEqual(refusal(() => authorizer.check(start('ns1'), undefined)).code, 'UNAUTHENTICATED');
  assert.match(refusal(() => authorizer.check(start('ns1'), '')).message, /no API key/);
  assert.match(refusal(() => authorizer.check(start('ns1'), 'Basic c3lzdGVt')).message, /invalid API key/);
  assert.match(refusal(() => authorizer.check(start('ns1'), 'Bearer system2')).message, /invalid API key/);
  assert.match(refusal(() => authorizer.check(start('ns1'), ['Bearer syste'])).message, /invalid API key/);
});

test('a key bound to namespaces is PERMISSION_DENIED "Request unauthorized." elsewhere and on cluster-wide calls', () => {
  authorizer.check(start('ns1'), 'Bearer bound');
  assert.deepEqual(
    refusal(() => authorizer.check(start('ns2'), 'Bearer bound')),
    { code: 'PERMISSION_DENIED', message: 'Request unauthorized.' },
  );
  assert.equal(refusal(() => authorizer.check(start(''), 'Bearer bound')).code, 'PERMISSION_DENIED');
  assert.equal(refusal(() => authorizer.check(callTarget(`${WORKFLOW_SERVICE}GetClusterInfo`, false, {}), 'Bearer bound')).code, 'PERMISSION_DENIED');
});

test('health checks and GetSystemInfo answer without a key, but not with a wrong one', () => {
  authorizer.check(callTarget('/grpc.health.v1.Health/Check', false, {}), undefined);
  authorizer.check(callTarget(`${WORKFLOW_SERVICE}GetSystemInfo`, false, {}), undefined);
  assert.equal(refusal(() => authorizer.check(callTarget(`${WORKFLOW_SERVICE}GetSystemInfo`, false, {}), 'Bearer nope')).code, 'UNAUTHENTICATED');
});
