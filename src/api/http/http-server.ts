import type http from 'node:http';
import jsonRoot from '@temporalio/proto/protos/json-module';
import type { Logger } from '../../common/logger';
import { encodeResponse } from '../grpc-respond';
import type { Handler, HandlerContext, HandlerTable } from '../handlers/context';
import { operatorHandlers, workflowServiceHandlers } from '../routes';
import { GrpcCode, httpStatusOf, toRpcStatus } from '../status';
import { fieldAtPath, messageFromJson, messageToJson, type JsonOptions, type ReflectedMessageType } from './proto-json';
import { bindingsOf, literalsFirst, matchPath, type HttpBinding } from './route-template';
import { JsonFieldError } from './well-known-json';
import { answerCors } from './cors';
import { discardBody, MAX_DISCARDED_BYTES } from './http-listener';
import { callTarget, type ApiKeyAuthorizer } from '../auth/api-keys';

interface ReflectedMethod {
  name: string;
  parsedOptions?: Record<string, unknown>[];
  resolvedRequestType: ReflectedMessageType | null;
  resolvedResponseType: ReflectedMessageType | null;
}
interface ReflectedRoot {
  lookupService(name: string): { resolveAll(): { methodsArray: ReflectedMethod[] } };
  lookupType(name: string): ReflectedMessageType;
}

interface HttpRoute extends HttpBinding {
  rpc: string;
  /** The gRPC method's full name (`/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution`), as authorized. */
  apiName: string;
  /** Whether the request names a namespace (the call is namespace-scoped). */
  namespaced: boolean;
  requestType: ReflectedMessageType;
  responseType: ReflectedMessageType;
  handler: Handler<never, unknown> | undefined;
}

export interface HttpApiOptions {
  logger: Logger;
  context: Omit<HandlerContext, 'signal' | 'metadata'>;
  /** Origins that may call the API from a browser (`--http-cors-origin`); none: no CORS headers at all. */
  corsOrigins?: readonly string[];
  /** Checks each call's API key (`Authorization: Bearer <key>`) as the gRPC frontend does. */
  authorizer?: ApiKeyAuthorizer;
}

/** grpc-gateway's limit: gRPC's default maximum message size (rpc.MaxHTTPAPIRequestBytes in Temporal). */
export const MAX_HTTP_REQUEST_BYTES = 4 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The routes of every method with a `google.api.http` annotation, generated from `@temporalio/proto`'s reflection. */
export function httpRoutes(): HttpRoute[] {
  const root = jsonRoot as ReflectedRoot;
  const services: [string, HandlerTable][] = [
    ['temporal.api.workflowservice.v1.WorkflowService', workflowServiceHandlers],
    ['temporal.api.operatorservice.v1.OperatorService', operatorHandlers],
  ];
  // Where templates overlap (`/workers/describe/{id}` and `/workers/{x}/{y}`), a literal segment binds first.
  const routes = services.flatMap(([name, handlers]) =>
    root
      .lookupService(name)
      .resolveAll()
      .methodsArray.flatMap((method) => {
        const { resolvedRequestType: requestType, resolvedResponseType: responseType } = method;
        if (!requestType || !responseType) return [];
        const apiName = `/${name}/${method.name}`;
        const namespaced = requestType.fields.namespace !== undefined;
        return bindingsOf(method.parsedOptions).map((b) => ({
          ...b,
          rpc: method.name,
          apiName,
          namespaced,
          requestType,
          responseType,
          handler: handlers[method.name],
        }));
      }),
  );
  return routes.sort((a, b) => literalsFirst(a.segments, b.segments));
}

/**
 * Temporal's HTTP API (what the Temporal server serves with grpc-gateway on its HTTP port): each annotated RPC on its
 * paths and verbs, bodies in proto3 JSON, answered by the same handler the gRPC frontend calls, with the same context.
 * Mounted on the `--http-port` listener and under `/api/` on the UI's.
 */
export class HttpApiHandler {
  private readonly routes = httpRoutes();

  constructor(private readonly options: HttpApiOptions) {}

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (answerCors(req, res, this.options.corsOrigins ?? [])) return;
    await this.onRequest(req, res);
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const { inbound, outbound, pretty } = marshalers(req, url.searchParams);
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    try {
      const { route, variables } = this.match(req.method ?? 'GET', url.pathname);
      // The key is checked before the body is read; the namespace it may act on once the request names one.
      const grant = this.options.authorizer?.authenticate(route.apiName, req.headers.authorization);
      const body = await readBody(req);
      const request = buildRequest(route, variables, body, url.searchParams, inbound);
      this.options.authorizer?.authorize(grant, callTarget(route.apiName, route.namespaced, request));
      if (!route.handler) throw new HttpError(501, GrpcCode.UNIMPLEMENTED, `Method ${route.rpc} is not implemented by Hourglass yet`);
      const ctx: HandlerContext = { ...this.options.context, signal: abort.signal, metadata: req.headers };
      const response = await route.handler(ctx, request as never);
      const decoded = route.responseType.decode(encodeResponse(route.responseType, response)) as Record<string, unknown>;
      send(res, 200, messageToJson(route.responseType, decoded, outbound), pretty);
    } catch (err) {
      // Refused before its body was read (no route, a bad key): answered once the client is done sending.
      await discardBody(req);
      if (err instanceof HttpError) return send(res, err.status, { code: err.code, message: err.message }, pretty);
      const status = toRpcStatus(err);
      // RFC 6750: a 401 names the scheme the client should authenticate with (the web UI asks for a key on it).
      if (status.code === GrpcCode.UNAUTHENTICATED) res.setHeader('www-authenticate', 'Bearer');
      if (status.code === GrpcCode.INTERNAL) {
        this.options.logger.error('HTTP API request failed', { path: url.pathname, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
      const anyType = (jsonRoot as ReflectedRoot).lookupType('google.protobuf.Any');
      const details = status.details.map((d) => messageToJson(anyType, d as Record<string, unknown>, outbound));
      // A google.rpc.Status in proto3 JSON: no `details` key when there are none.
      send(res, httpStatusOf(status.code), { code: status.code, message: status.message, ...(details.length > 0 ? { details } : {}) }, pretty);
    }
  }

  private match(method: string, path: string): { route: HttpRoute; variables: Map<string, string> } {
    let pathMatched = false;
    for (const route of this.routes) {
      const variables = matchPath(route.segments, path);
      if (!variables) continue;
      if (route.method === method) return { route, variables };
      pathMatched = true;
    }
    if (pathMatched) throw new HttpError(405, GrpcCode.UNIMPLEMENTED, 'Method Not Allowed');
    throw new HttpError(404, GrpcCode.NOT_FOUND, 'Not Found');
  }
}

/**
 * The JSON options of a request, as grpc-gateway picks Temporal's marshalers: the request body by its Content-Type,
 * the answer by its Accept header, which `?pretty` and `?noPayloadShorthand` set (service/frontend/http_api_server.go).
 */
function marshalers(req: http.IncomingMessage, query: URLSearchParams): { inbound: JsonOptions; outbound: JsonOptions; pretty: boolean } {
  const contentType = req.headers['content-type'] ?? '';
  const accept =
    query.has('pretty') || query.has('noPayloadShorthand')
      ? `${query.has('pretty') ? '+pretty' : ''}${query.has('noPayloadShorthand') ? '+no-payload-shorthand' : ''}`
      : (req.headers.accept ?? '');
  const inbound = { payloadShorthand: !contentType.includes('no-payload-shorthand') };
  const outbound = /application\/json\+|^\+/.test(accept) ? { payloadShorthand: !accept.includes('no-payload-shorthand') } : inbound;
  return { inbound, outbound, pretty: accept.includes('+pretty') };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = (): HttpError => new HttpError(413, GrpcCode.RESOURCE_EXHAUSTED, `http: request body too large (over ${MAX_HTTP_REQUEST_BYTES} bytes)`);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_HTTP_REQUEST_BYTES) chunks.push(chunk);
      else if (size <= MAX_HTTP_REQUEST_BYTES + MAX_DISCARDED_BYTES) chunks.length = 0;
      else {
        // Past any honest mistake: refuse at once and stop reading.
        req.pause();
        reject(tooLarge());
      }
    });
    // A refused body is answered once the client is done sending it: answering sooner and closing would reset a
    // connection the client is still writing to, and it would never read the 413.
    req.once('end', () => (size > MAX_HTTP_REQUEST_BYTES ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    // The client went away mid-body (`aborted`): a cancellation, as Go's server sees a canceled request context.
    req.once('error', () => reject(new HttpError(499, GrpcCode.CANCELLED, 'the client closed the request before its body ended')));
  });
}

/** Go's protojson refuses a body that is not UTF-8; Buffer.toString would replace the bad bytes silently. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The request message: the body (whole or one field), then the path variables, then (without `body: "*"`) the query. */
function buildRequest(route: HttpRoute, variables: Map<string, string>, body: Buffer, query: URLSearchParams, options: JsonOptions): unknown {
  let json: Record<string, unknown> = {};
  let text: string;
  try {
    text = utf8.decode(body).trim();
  } catch {
    throw new HttpError(400, GrpcCode.INVALID_ARGUMENT, 'invalid JSON in request body: invalid UTF-8');
  }
  if (route.body && text !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new HttpError(400, GrpcCode.INVALID_ARGUMENT, `invalid JSON in request body: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (route.body === '*') {
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new HttpError(400, GrpcCode.INVALID_ARGUMENT, 'invalid request body: expected a JSON object');
      }
      json = parsed as Record<string, unknown>;
    } else {
      json = { [route.body]: parsed };
    }
  }
  for (const [path, value] of variables) setAt(route.requestType, json, path.split('.'), value, false);
  if (route.body !== '*') {
    for (const [key, value] of query) {
      if (key === 'pretty' || key === 'noPayloadShorthand') continue;
      setAt(route.requestType, json, key.split('.'), value, true);
    }
  }
  try {
    return messageFromJson(route.requestType, json, options);
  } catch (err) {
    if (err instanceof JsonFieldError) throw new HttpError(400, GrpcCode.INVALID_ARGUMENT, err.message);
    throw new HttpError(400, GrpcCode.INVALID_ARGUMENT, `invalid request: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Sets a path variable or query parameter (a string) at its field path, typed as the field needs; repeated ones add up. */
function setAt(type: ReflectedMessageType, json: Record<string, unknown>, path: string[], raw: string, fromQuery: boolean): void {
  const field = fieldAtPath(type, path);
  if (!field) {
    // grpc-gateway ignores a query parameter that names no field (a cache buster, a UI's own state).
    if (fromQuery) return;
    throw new HttpError(400, GrpcCode.INVALID_ARGUMENT, `path variable "${path.join('.')}" names no field of the request`);
  }
  let value: unknown = raw;
  if (field.type === 'bool' && (raw === 'true' || raw === 'false')) value = raw === 'true';
  // An enum in a query string may be given by number, as grpc-gateway reads it.
  else if (field.resolvedType !== null && 'values' in field.resolvedType && /^\d+$/.test(raw)) value = Number(raw);
  let target = json;
  for (const name of path.slice(0, -1)) {
    const next = target[name];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) target = next as Record<string, unknown>;
    else target = target[name] = {};
  }
  const last = path[path.length - 1] ?? '';
  if (field.repeated) {
    const existing = target[last];
    target[last] = Array.isArray(existing) ? [...(existing as unknown[]), value] : [value];
  } else {
    target[last] = value;
  }
}

function send(res: http.ServerResponse, status: number, body: unknown, pretty: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body, null, pretty ? 2 : undefined);
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  // The rest of a body refused past the discard limit is never read: the connection cannot carry another request.
  if (status === 413 && !res.req.complete) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(text);
}
