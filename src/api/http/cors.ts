import type http from 'node:http';

const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the HTTP API, only for the origins given with `--http-cors-origin` (`*` allows any): without them a browser
 * page from another origin cannot read an answer nor send a JSON body, as with Temporal's own HTTP API, which sends
 * no CORS headers. Sets `Access-Control-Allow-Origin` for an allowed origin and answers its preflight; returns whether
 * the request was answered (a preflight), else the caller handles it.
 */
export function answerCors(req: http.IncomingMessage, res: http.ServerResponse, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (allowedOrigins.length === 0 || origin === undefined) return false;
  res.setHeader('Vary', 'Origin');
  if (!allowedOrigins.includes(origin) && !allowedOrigins.includes('*')) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  const requestedMethod = req.headers['access-control-request-method'];
  if (req.method !== 'OPTIONS' || requestedMethod === undefined) return false;
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '',
    'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
  });
  res.end();
  // The preflight's body, if any, is not read: nothing else comes on this request.
  req.resume();
  return true;
}
