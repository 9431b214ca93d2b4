import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_UI_ROOT } from '../src/api/ui/static-files';
import { HourglassServer, type HourglassServerOptions } from '../src/server';
import { needsInProcessServer, repoRoot, uniqueName } from './helpers';

/** A built UI in a temporary folder, beside a file the server must never hand out. */
function fakeBuild(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-ui-'));
  const root = path.join(dir, 'ui');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Test UI</title><div id="app"></div>');
  fs.writeFileSync(path.join(root, 'assets', 'index-3f2a1b9c.js'), 'console.log("app");');
  fs.writeFileSync(path.join(root, 'assets', 'index-77aa00ff.css'), 'body{margin:0}');
  fs.writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'top secret');
  return root;
}

/** An in-process server with a UI for the suite around it. */
function useUiServer(options: () => HourglassServerOptions): { readonly server: HourglassServer; url(p: string): string } {
  let server: HourglassServer | undefined;
  before(async () => {
    server = await HourglassServer.start({ port: 0, uiPort: 0, ...options() });
  });
  after(() => server?.close());
  return {
    get server(): HourglassServer {
      if (!server) throw new Error('server not started');
      return server;
    },
    url(p: string): string {
      return `http://${this.server.uiAddress ?? ''}${p}`;
    },
  };
}

/** A request with the path sent as written (fetch and URL would resolve `..` and `%2e%2e` before they leave). */
function rawRequest(address: string, rawPath: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface UiConfig {
  csrfToken: string;
  codecEndpoint: string | null;
  timeSkipping: boolean;
  serverVersion: string;
  defaultNamespace: string;
}

describe('the web UI server (the Temporal CLI serves its UI on --ui-port)', needsInProcessServer('the UI is an option of the in-process server'), () => {
  let assets = '';
  const ui = useUiServer(() => ({ uiAssetPath: (assets = fakeBuild()), codecEndpoint: 'http://localhost:8888' }));
  after(() => fs.rmSync(path.dirname(assets), { recursive: true, force: true }));

  const config = async (): Promise<UiConfig> => (await (await fetch(ui.url('/ui-config.json'))).json()) as UiConfig;

  test('serves the built app: index.html never cached, hashed assets cached for good, each with its content type', async () => {
    const index = await fetch(ui.url('/'));
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(await index.text(), /<title>Test UI<\/title>/);

    const script = await fetch(ui.url('/assets/index-3f2a1b9c.js'));
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await script.text(), 'console.log("app");');
    assert.equal((await fetch(ui.url('/assets/index-77aa00ff.css'))).headers.get('content-type'), 'text/css; charset=utf-8');
    const icon = await fetch(ui.url('/favicon.svg'));
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.equal(icon.headers.get('cache-control'), 'no-cache');
  });

  test("any other path outside /api/ answers index.html, so the app's History API routes load from a link or a reload", async () => {
    for (const route of ['/namespaces/default/workflows', '/namespaces/default/workflows/my-id/8d1f0c2e/history', '/assets/gone-123.js?x=1']) {
      const res = await fetch(ui.url(route));
      assert.equal(res.status, 200, route);
      assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', route);
      assert.match(await res.text(), /<div id="app">/, route);
    }
  });

  test('HEAD answers the headers of GET, with no body', async () => {
    const res = await rawRequest(ui.server.uiAddress ?? '', '/assets/index-3f2a1b9c.js', 'HEAD');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String('console.log("app");'.length));
    assert.equal(res.body, '');
  });

  test('a path climbing out of the UI folder is refused, whether written with .., encoded dots or encoded slashes', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets%2f..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00',
    ];
    for (const attempt of attempts) {
      const res = await rawRequest(ui.server.uiAddress ?? '', attempt);
      assert.equal(res.status, 400, attempt);
      assert.doesNotMatch(res.body, /top secret/, attempt);
    }
  });

  test('/ui-config.json: a CSRF token, the codec endpoint, time skipping, the version and the default namespace', async () => {
    const res = await fetch(ui.url('/ui-config.json'));
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const body = (await res.json()) as UiConfig;
    assert.match(body.csrfToken, /^[\w-]{40,}$/);
    assert.deepEqual(
      { ...body, csrfToken: '' },
      { csrfToken: '', codecEndpoint: 'http://localhost:8888', timeSkipping: false, serverVersion: body.serverVersion, defaultNamespace: 'default' },
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(body.serverVersion, pkg.version);
  });

  test("/ui-clock.json: the server's time, as RFC 3339", async () => {
    const body = (await (await fetch(ui.url('/ui-clock.json'))).json()) as { now: string; timeSkipping: boolean };
    assert.equal(body.timeSkipping, false);
    assert.ok(Math.abs(Date.parse(body.now) - Date.now()) < 5_000, body.now);
  });

  test("Temporal's HTTP API answers under /api/v1/ on the UI port; an unknown /api/ path is a JSON 404", async () => {
    const info = await fetch(ui.url('/api/v1/system-info'));
    assert.equal(info.status, 200);
    assert.equal(((await info.json()) as { capabilities: { signalAndQueryHeader: boolean } }).capabilities.signalAndQueryHeader, true);
    const unknown = await fetch(ui.url('/api/v1/no-such-thing'));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('content-type'), 'application/json');
    assert.deepEqual(await unknown.json(), { code: 5, message: 'Not Found' });
  });

  test('a call other than GET without the CSRF token of /ui-config.json is refused (403) before it reaches the API', async (t) => {
    const workflowId = uniqueName(t);
    const start = { workflowType: { name: 'neverRuns' }, taskQueue: { name: workflowId } };
    const post = (token: string | undefined, body: unknown, p = `/api/v1/namespaces/default/workflows/${workflowId}`): Promise<Response> =>
      fetch(ui.url(p), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { 'x-csrf-token': token }) },
        body: JSON.stringify(body),
      });
    for (const token of [undefined, '', 'not-the-token']) {
      const refused = await post(token, start);
      assert.equal(refused.status, 403);
      assert.deepEqual(await refused.json(), { code: 7, message: 'missing or invalid CSRF token', details: [] });
    }
    const described = await fetch(ui.url(`/api/v1/namespaces/default/workflows/${workflowId}`));
    assert.equal(described.status, 404, 'the refused start started nothing');

    const { csrfToken } = await config();
    const started = await post(csrfToken, start);
    assert.equal(started.status, 200, await started.clone().text());
    const signalPath = `/api/v1/namespaces/default/workflows/${workflowId}/signal/approve`;
    assert.equal((await post(undefined, { input: ['yes'] }, signalPath)).status, 403);
    const signalled = await post(csrfToken, { input: ['yes'] }, signalPath);
    assert.equal(signalled.status, 200, await signalled.clone().text());

    const history = (await (await fetch(ui.url(`/api/v1/namespaces/default/workflows/${workflowId}/history`))).json()) as {
      history: { events: { eventType: string; workflowExecutionSignaledEventAttributes?: { signalName: string; input: unknown } }[] };
    };
    const signals = history.history.events.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    assert.equal(signals.length, 1);
    assert.equal(signals[0]?.workflowExecutionSignaledEventAttributes?.signalName, 'approve');
    assert.deepEqual(signals[0]?.workflowExecutionSignaledEventAttributes?.input, ['yes']);
  });

  test('on loopback, a request naming another host (DNS rebinding) is refused; local names and addresses are served', async () => {
    const [, port] = (ui.server.uiAddress ?? '').split(':');
    const withHost = (host: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: Number(port), path: '/ui-config.json', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await withHost(`attacker.example:${port}`), 403);
    assert.equal(await withHost('attacker.example'), 403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `app.localhost:${port}`]) assert.equal(await withHost(host), 200, host);
  });

  test('outside /api/ the UI port only reads: another method is 405', async () => {
    const res = await fetch(ui.url('/ui-config.json'), { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });
});

describe('in time-skipping mode', needsInProcessServer('the UI is an option of the in-process server'), () => {
  const ui = useUiServer(() => ({ timeSkipping: { initialTime: Date.parse('2031-05-04T12:00:00Z') } }));

  test('/ui-clock.json shows the virtual time workflows see, and /ui-config.json says time skips', async () => {
    const clock = (await (await fetch(ui.url('/ui-clock.json'))).json()) as { now: string; timeSkipping: boolean };
    assert.equal(clock.timeSkipping, true);
    assert.match(clock.now, /^2031-05-04T12:0\d:\d\d\.\d{3}Z$/);
    assert.equal(((await (await fetch(ui.url('/ui-config.json'))).json()) as UiConfig).timeSkipping, true);
  });
});

describe('without a built UI', needsInProcessServer('the UI is an option of the in-process server'), () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-ui-empty-'));
  const ui = useUiServer(() => ({ uiAssetPath: empty }));
  after(() => fs.rmSync(empty, { recursive: true, force: true }));

  test('the UI port answers a page saying how to build it, and the API still answers', async () => {
    const res = await fetch(ui.url('/namespaces/default/workflows'));
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build:ui/);
    assert.equal((await fetch(ui.url('/api/v1/system-info'))).status, 200);
  });

  test("by default the UI is the package's own build, dist/ui beside dist/src", () => {
    assert.equal(DEFAULT_UI_ROOT, path.join(repoRoot, 'dist', 'ui'));
  });
});

describe('CORS on the HTTP API (Temporal sends none)', needsInProcessServer('CORS is an option of the in-process server'), () => {
  const plain = useUiServer(() => ({ httpPort: 0 }));
  const allowing = useUiServer(() => ({ httpPort: 0, httpCorsOrigins: ['http://localhost:3000'] }));
  const api = (server: HourglassServer, p: string): string => `http://${server.httpAddress ?? ''}${p}`;
  const preflight = (server: HourglassServer, origin: string): Promise<Response> =>
    fetch(api(server, '/api/v1/namespaces/default/workflows/x'), {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });

  test('without --http-cors-origin no answer carries CORS headers, a preflight included', async () => {
    const res = await fetch(api(plain.server, '/api/v1/system-info'), { headers: { origin: 'http://localhost:3000' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const pre = await preflight(plain.server, 'http://localhost:3000');
    assert.notEqual(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), null);
  });

  test('with it, the given origins (only those) get Access-Control-Allow-Origin and an answered preflight', async () => {
    const res = await fetch(api(allowing.server, '/api/v1/system-info'), { headers: { origin: 'http://localhost:3000' } });
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    assert.equal(res.headers.get('vary'), 'Origin');
    const pre = await preflight(allowing.server, 'http://localhost:3000');
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type');

    const other = await fetch(api(allowing.server, '/api/v1/system-info'), { headers: { origin: 'http://evil.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal((await preflight(allowing.server, 'http://evil.example')).headers.get('access-control-allow-origin'), null);
  });
});
