import { readFile, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Vite names every file under `assets/` by its content hash: a new build has new names, so they never go stale. */
const HASHED_ASSET_CACHE = 'public, max-age=31536000, immutable';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hourglass UI not built</title></head>
<body><h1>The Hourglass web UI is not built</h1>
<p>Build it with <code>npm run build:ui</code> (or <code>npm run build</code>) and reload this page.
The HTTP API is served under <code>/api/v1/</code> all the same.</p></body></html>
`;

/** The built app (`dist/ui`, next to `dist/src`), as found from this module's place in the package. */
export const DEFAULT_UI_ROOT = path.resolve(__dirname, '..', '..', '..', 'ui');

/**
 * The single-page app's files: a path that names a file gets it; any other path gets `index.html`, so the app's
 * History API routes (`/namespaces/default/workflows/…`) load on reload or from a link. Never outside the root.
 */
export class StaticFiles {
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  async serve(req: http.IncomingMessage, res: http.ServerResponse, rawPath: string): Promise<void> {
    const segments = safeSegments(rawPath);
    if (!segments) return sendText(req, res, 400, 'Bad Request: the path leaves the UI folder or is not valid');
    const file = path.join(this.root, ...segments);
    if (segments.length > 0 && (await isFile(file))) {
      const cache = segments[0] === 'assets' && segments.length > 1 ? HASHED_ASSET_CACHE : 'no-cache';
      return sendFile(req, res, file, cache);
    }
    const index = path.join(this.root, 'index.html');
    if (await isFile(index)) return sendFile(req, res, index, 'no-cache');
    send(req, res, 503, { 'content-type': CONTENT_TYPES['.html'], 'cache-control': 'no-cache' }, Buffer.from(NOT_BUILT_PAGE));
  }
}

/**
 * The decoded segments of a URL path, or undefined when one could climb out of the root or is not a plain name:
 * `..` and `.`, an encoded `/` or `\` (`%2F`, `%5C`), a NUL, or a malformed escape. Empty segments are dropped.
 */
export function safeSegments(rawPath: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function sendFile(req: http.IncomingMessage, res: http.ServerResponse, file: string, cacheControl: string): Promise<void> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    // Removed between stat and read (a rebuild): the next request sees the new build.
    return sendText(req, res, 404, 'Not Found');
  }
  const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  send(req, res, 200, { 'content-type': contentType, 'cache-control': cacheControl }, body);
}

export function sendText(req: http.IncomingMessage, res: http.ServerResponse, status: number, text: string): void {
  send(req, res, status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' }, Buffer.from(`${text}\n`));
}

/** Writes an answer; a HEAD request gets the same headers (length included) and no body. */
export function send(req: http.IncomingMessage, res: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders, body: Buffer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-length': body.length, 'x-content-type-options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
