import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { isIP } from 'node:net';
import type { Clock } from '../../engine/time/clock';
import { GrpcCode } from '../status';
import { discardBody, HttpListener } from '../http/http-listener';
import type { ServerTls } from '../tls';
import { isLoopback } from '../listen';
import { DEFAULT_UI_ROOT, send, sendText, StaticFiles } from './static-files';

/** What the UI server mounts under `/api/`: the HTTP API's one request handler. */
export interface ApiHandler {
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}

export interface UiServerOptions {
  api: ApiHandler;
  /** The server's clock: virtual in time-skipping mode, so `/ui-clock.json` shows the time workflows see. */
  clock: Clock;
  timeSkipping: boolean;
  /** `--ui-codec-endpoint`: where the browser sends payloads to be decoded (`<endpoint>/decode`). */
  codecEndpoint?: string;
  serverVersion: string;
  /** The built app; default `dist/ui` of this package. */
  assetPath?: string;
  /** Serve over HTTPS (`--tls-cert-path`…); with a CA, browsers must present a client certificate it signs. */
  tls?: ServerTls;
}

/** `/ui-config.json`, what the app reads first. */
export interface UiConfig {
  csrfToken: string;
  codecEndpoint: string | null;
  timeSkipping: boolean;
  serverVersion: string;
  defaultNamespace: 'default';
}

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * The web UI's origin: the built app, its config and clock, and Temporal's HTTP API under `/api/v1/` (same origin, so
 * the browser needs no CORS). A state-changing API call must carry the CSRF token of `/ui-config.json`: a page of
 * another site can make the browser send a form POST here, but cannot read the token to put in a header.
 */
export class UiServer {
  private readonly listener: HttpListener;
  private readonly files: StaticFiles;
  private readonly csrfToken = randomBytes(32).toString('base64url');
  private loopbackOnly = false;

  constructor(private readonly options: UiServerOptions) {
    this.files = new StaticFiles(options.assetPath ?? DEFAULT_UI_ROOT);
    this.listener = new HttpListener((req, res) => this.onRequest(req, res), options.tls);
  }

  listen(ip: string, port: number): Promise<number> {
    this.loopbackOnly = isLoopback(ip);
    return this.listener.listen(ip, port);
  }

  /** Graceful stop (see HttpListener.beginDrain). */
  beginDrain(): void {
    this.listener.beginDrain();
  }

  idle(): Promise<void> {
    return this.listener.idle();
  }

  get callsInFlight(): number {
    return this.listener.callsInFlight;
  }

  close(): Promise<void> {
    return this.listener.close();
  }

  get config(): UiConfig {
    const { codecEndpoint, timeSkipping, serverVersion } = this.options;
    return { csrfToken: this.csrfToken, codecEndpoint: codecEndpoint ?? null, timeSkipping, serverVersion, defaultNamespace: 'default' };
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The raw path, not a URL's: WHATWG URL parsing would resolve `..` and `%2e%2e` before the traversal check sees them.
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const api = rawPath === '/api' || rawPath.startsWith('/api/');
    if (this.loopbackOnly && !isLocalHostHeader(req.headers.host)) {
      // DNS rebinding: a site whose name now resolves to 127.0.0.1 would be same-origin with us and could read the
      // CSRF token. On loopback only a local name or an IP address can be the Host, as Vite's dev server checks.
      const message = 'Forbidden: the Host header is not a local address';
      // The API answers in its own form, a google.rpc.Status, whatever refuses the call.
      if (api) return sendJson(req, res, 403, { code: GrpcCode.PERMISSION_DENIED, message, details: [] });
      return sendText(req, res, 403, message);
    }
    if (api) {
      if (!SAFE_METHODS.has(method) && !this.hasCsrfToken(req)) {
        return sendJson(req, res, 403, { code: GrpcCode.PERMISSION_DENIED, message: 'missing or invalid CSRF token', details: [] });
      }
      return this.options.api.handle(req, res);
    }
    if (!SAFE_METHODS.has(method)) {
      res.setHeader('allow', 'GET, HEAD');
      return sendText(req, res, 405, 'Method Not Allowed');
    }
    if (rawPath === '/ui-config.json') return sendJson(req, res, 200, this.config);
    if (rawPath === '/ui-clock.json') {
      return sendJson(req, res, 200, { now: new Date(this.options.clock.now()).toISOString(), timeSkipping: this.options.timeSkipping });
    }
    await this.files.serve(req, res, rawPath);
  }

  private hasCsrfToken(req: http.IncomingMessage): boolean {
    const given = req.headers[CSRF_HEADER];
    if (typeof given !== 'string') return false;
    const expected = Buffer.from(this.csrfToken);
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}

function isLocalHostHeader(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost');
}

async function sendJson(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown): Promise<void> {
  // A refused request's body is not read: dropped before the answer, which a client still sending would not read.
  await discardBody(req);
  send(req, res, status, { 'content-type': 'application/json', 'cache-control': 'no-cache' }, Buffer.from(JSON.stringify(body)));
}
