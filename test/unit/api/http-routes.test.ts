import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { httpRoutes } from '../../../src/api/http/http-server';
import { httpStatusOf } from '../../../src/api/status';
import { bindingsOf, literalsFirst, matchPath, parseTemplate } from '../../../src/api/http/route-template';

describe('google.api.http path templates', () => {
  test('a template is literal segments and {field.path} variables', () => {
    assert.deepEqual(parseTemplate('/api/v1/namespaces/{namespace}/workflows/{execution.workflow_id}/query/{query.query_type}'), [
      { literal: 'api' },
      { literal: 'v1' },
      { literal: 'namespaces' },
      { field: ['namespace'] },
      { literal: 'workflows' },
      { field: ['execution', 'workflow_id'] },
      { literal: 'query' },
      { field: ['query', 'query_type'] },
    ]);
  });

  test('a path matches segment by segment, variables percent-decoded; other paths do not match', () => {
    const segments = parseTemplate('/api/v1/namespaces/{namespace}/workflows/{execution.workflow_id}');
    assert.deepEqual(
      matchPath(segments, '/api/v1/namespaces/default/workflows/a%2Fb%20c'),
      new Map([
        ['namespace', 'default'],
        ['execution.workflow_id', 'a/b c'],
      ]),
    );
    assert.equal(matchPath(segments, '/api/v1/namespaces/default/workflows'), undefined);
    assert.equal(matchPath(segments, '/api/v1/namespaces/default/workflows/w/history'), undefined);
    assert.equal(matchPath(segments, '/api/v2/namespaces/default/workflows/w'), undefined);
  });

  test('a method has its primary binding and every additional binding, with verb and body rule', () => {
    const bindings = bindingsOf([
      { '(google.api.http)': { post: '/a/{x}', body: '*', additional_bindings: [{ post: '/api/v1/a/{x}', body: '*' }, { get: '/api/v1/b' }] } },
    ]);
    assert.deepEqual(
      bindings.map((b) => [b.method, b.template, b.body]),
      [
        ['POST', '/a/{x}', '*'],
        ['POST', '/api/v1/a/{x}', '*'],
        ['GET', '/api/v1/b', undefined],
      ],
    );
    assert.deepEqual(bindingsOf(undefined), []);
  });

  test("the routes are generated from @temporalio/proto's annotations, both prefix forms as written", () => {
    const routes = httpRoutes();
    const find = (method: string, template: string): string | undefined => routes.find((r) => r.method === method && r.template === template)?.rpc;
    assert.equal(find('GET', '/api/v1/system-info'), 'GetSystemInfo');
    assert.equal(find('GET', '/system-info'), 'GetSystemInfo');
    assert.equal(find('POST', '/api/v1/namespaces/{namespace}/workflows/{workflow_id}'), 'StartWorkflowExecution');
    assert.equal(find('POST', '/api/v1/namespaces/{namespace}/workflows/{execution.workflow_id}/query/{query.query_type}'), 'QueryWorkflow');
    assert.equal(find('GET', '/api/v1/namespaces/{namespace}/search-attributes'), 'ListSearchAttributes');
  });

  test('where templates overlap, the one with a literal segment first is tried first', () => {
    const templates = ['/n/{ns}/workers/{worker}', '/n/{ns}/workers/describe'];
    const sorted = templates.map(parseTemplate).sort(literalsFirst);
    assert.deepEqual(sorted[0], parseTemplate('/n/{ns}/workers/describe'));
  });
});

describe('gRPC codes as HTTP statuses', () => {
  test('each code maps to the HTTP status grpc-gateway gives it', () => {
    const expected: [number, number][] = [
      [0, 200],
      [1, 499],
      [2, 500],
      [3, 400],
      [4, 504],
      [5, 404],
      [6, 409],
      [7, 403],
      [8, 429],
      [9, 400],
      [10, 409],
      [11, 400],
      [12, 501],
      [13, 500],
      [14, 503],
      [15, 500],
      [16, 401],
    ];
    for (const [code, status] of expected) assert.equal(httpStatusOf(code), status, `gRPC code ${code}`);
  });
});
