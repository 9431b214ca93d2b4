import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeSegments } from '../../../src/api/ui/static-files';

test('a URL path becomes decoded file-name segments; empty segments are dropped', () => {
  assert.deepEqual(safeSegments('/'), []);
  assert.deepEqual(safeSegments('/assets/index-3f2a.js'), ['assets', 'index-3f2a.js']);
  assert.deepEqual(safeSegments('//assets///a%20b.css'), ['assets', 'a b.css']);
  assert.deepEqual(safeSegments('/namespaces/default/workflows/order%3A42'), ['namespaces', 'default', 'workflows', 'order:42']);
});

test('a segment that could leave the UI folder, or is not a plain name, refuses the whole path', () => {
  for (const path of ['/..', '/a/../b', '/.', '/%2e%2e/x', '/%2E%2e', '/a%2fb', '/a%2F..%2F..%2Fetc', '/..%5cx', '/a%00', '/%E0%A4%A']) {
    assert.equal(safeSegments(path), undefined, path);
  }
});
