import http2 from 'node:http2';
import type { Socket } from 'node:net';
import jsonRoot from '@temporalio/proto/protos/json-module';
import type { Logger } from '../common/logger';
import { ENCODED_HISTORY, type EncodedHistory } from '../common/proto';
import { healthHandlers, operatorHandlers, testServiceHandlers, workflowServiceHandlers } from './routes';
import type { Handler, HandlerContext, HandlerTable } from './handlers/context';
import { GrpcCode, toGrpcError, truncateStatusMessage, type GrpcError } from './status';
import { encodeGrpcMessage, FrameError, headerRefusal, MAX_MESSAGE_BYTES, parseTimeout, readBody, unframe } from './grpc-wire';
import { Drain, SHUTTING_DOWN_MESSAGE } from './drain';
import { listen } from './listen';
import { callTarget, type ApiKeyAuthorizer, type ApiKeyGrant } from './auth/api-keys';
import { tlsServerOptions, type ServerTls } from './tls';

export interface ReflectedType {
  encode(message: unknown): { finish(): Uint8Array };
  decode(data: Uint8Array): unknown;
  fields: Record<string, { id: number } | undefined>;
}
interface ReflectedMethod {
  name: string;
  requestStream?: boolean;
  responseStream?: boolean;
  resolvedRequestType: ReflectedType | null;
  resolvedResponseType: ReflectedType | null;
}
interface ReflectedService {
  fullName: string;
  methodsArray: ReflectedMethod[];
  resolveAll(): ReflectedService;
}
interface ReflectedRoot {
  lookupService(name: string): ReflectedService;
}

export interface GrpcFrontendOptions {
  logger: Logger;
  context: Omit<HandlerContext, 'signal' | 'metadata'>;
  /** Called when each RPC is answered, with its start and end in `performance.now()` time (diagnostics, benchmarks). */
  onRpc?: RpcObserver;
  /** Serve over TLS (ALPN h2) instead of h2c; with a CA, clients must present a certificate it signs. */
  tls?: ServerTls;
  /** Checks each call's API key before its handler runs. */
  authorizer?: ApiKeyAuthorizer;
}

export type RpcObserver = (method: string, startedAt: number, endedAt: number, code: number) => void;

/** What a path resolves to: a unary method with its codecs, or a fixed refusal. */
type Route =
  | { kind: 'unary'; name: string; namespaced: boolean; requestType: ReflectedType; responseType: ReflectedType; handler: Handler<never, unknown> }
  | { kind: 'refuse'; error: GrpcError };

const GRPC_CONTENT_TYPE = 'application/grpc+proto';
/** Encoded google.rpc.Status details sent at most (base64 makes them a third larger in the header block). */
const MAX_DETAILS_BYTES = 8 * 1024;

/**
 * The gRPC frontend: unary gRPC over HTTP/2 (h2c) on node:http2, which is all Temporal's API
 * needs. The service and method lists come from `@temporalio/proto`'s reflection, so every RPC
 * Temporal defines is answered — by its handler, or with UNIMPLEMENTED naming the method.
 *
 * Why not a general gRPC library: the SDK's worker gzips every request, and per-message zlib
 * streams plus a generic interceptor pipeline cost more CPU than the rest of a request's work.
 * Here a request is one buffer, inflated synchronously, decoded, handled, and answered with one
 * DATA frame and trailers.
 */
export class GrpcFrontend {
  private readonly server: http2.Http2Server | http2.Http2SecureServer;
  private readonly routes = new Map<string, Route>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly drain = new Drain();

  constructor(private readonly options: GrpcFrontendOptions) {
    this.addService('temporal.api.workflowservice.v1.WorkflowService', workflowServiceHandlers);
    this.addService('temporal.api.operatorservice.v1.OperatorService', operatorHandlers);
    this.addService('temporal.api.testservice.v1.TestService', testServiceHandlers);
    this.addService('grpc.health.v1.Health', healthHandlers);
    const serverOptions = { maxSessionMemory: 256, settings: { initialWindowSize: 4 * 1024 * 1024 } };
    this.server = options.tls ? http2.createSecureServer({ ...serverOptions, ...tlsServerOptions(options.tls, ['h2']) }) : http2.createServer(serverOptions);
    // A refused handshake (no client certificate under mTLS, a plaintext client) never reaches a stream: say why at debug.
    this.server.on('tlsClientError', (err: Error) => options.logger.debug('TLS handshake refused', { error: err.message }));
    // gRPC answers are small writes: without this, Nagle's algorithm may hold them for the peer's delayed ACK.
    this.server.on('connection', (socket: Socket) => socket.setNoDelay(true));
    this.server.on('session', (session) => {
      this.sessions.add(session);
      if (this.drain.draining) goAway(session); // accepted just before the listener closed
      session.on('close', () => this.sessions.delete(session));
      session.on('error', () => undefined); // a broken connection ends its own streams
    });
    this.server.on('stream', (stream, headers) => {
      if (this.drain.draining) return refuseWhileDraining(stream);
      // Whatever throws while a call is answered becomes its status: never an uncaught exception that ends the server.
      try {
        const call = this.onStream(stream, headers);
        if (call) this.drain.track(call);
      } catch (err) {
        this.failed(stream, err);
      }
    });
  }

  listen(ip: string, port: number): Promise<number> {
    return listen(this.server, ip, port);
  }

  /**
   * The start of a graceful stop, as grpc-go's GracefulStop under Temporal's frontend: no new connections, a GOAWAY
   * on each open one so clients open no new streams on it, and a call that still arrives is refused (UNAVAILABLE to
   * the SDKs, which retry it later or elsewhere). Calls under way carry on; {@link idle} resolves when they are answered.
   */
  beginDrain(): void {
    if (this.drain.draining) return;
    this.drain.begin();
    this.server.close();
    for (const session of this.sessions) goAway(session);
  }

  /** Resolves once every call accepted before the drain has been answered (and its handler has settled). */
  idle(): Promise<void> {
    return this.drain.idle();
  }

  /** How many calls are still under way. */
  get callsInFlight(): number {
    return this.drain.inFlight;
  }

  /** Stops accepting connections and ends the open ones, cutting calls still under way (their clients retry). */
  close(): Promise<void> {
    this.drain.begin();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const session of this.sessions) session.close();
      // A long poll would hold a graceful session close for its whole period: cut what is left.
      setTimeout(() => {
        for (const session of this.sessions) session.destroy();
      }, 100).unref();
    });
  }

  /** Answers INTERNAL for an error thrown while answering (or resets the stream when headers already went out). */
  private failed(stream: http2.ServerHttp2Stream, err: unknown, method = ''): void {
    this.options.logger.error('answering a request failed', { method, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    try {
      respondError(stream, toGrpcError(err));
    } catch {
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    }
  }

  private addService(serviceName: string, handlers: HandlerTable): void {
    const service = (jsonRoot as ReflectedRoot).lookupService(serviceName).resolveAll();
    for (const method of service.methodsArray) {
      const path = `/${serviceName}/${method.name}`;
      const handler = handlers[method.name];
      const requestType = method.resolvedRequestType;
      const responseType = method.resolvedResponseType;
      if (method.requestStream || method.responseStream) {
        this.routes.set(path, {
          kind: 'refuse',
          error: { code: GrpcCode.UNIMPLEMENTED, message: `${serviceName}/${method.name} (streaming) is not implemented by Hourglass` },
        });
      } else if (!handler || !requestType || !responseType) {
        this.routes.set(path, {
          kind: 'refuse',
          error: { code: GrpcCode.UNIMPLEMENTED, message: `Method ${serviceName}/${method.name} is not implemented by Hourglass yet` },
        });
      } else {
        const namespaced = requestType.fields.namespace !== undefined;
        this.routes.set(path, { kind: 'unary', name: method.name, namespaced, requestType, responseType, handler });
      }
    }
  }

  /** Answers a call; returns, for a call routed to a handler, a promise that settles once the handler has settled. */
  private onStream(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): Promise<void> | undefined {
    stream.on('error', () => undefined); // e.g. the client reset the stream while we answered
    const refusal = headerRefusal(headers);
    if (refusal) {
      stream.resume(); // the request body is not needed
      respondError(stream, refusal.error, refusal.httpStatus);
      return undefined;
    }
    const path = headers[':path'] ?? '';
    const route = this.routes.get(path);
    if (!route) {
      stream.resume(); // the request body is not needed
      respondError(stream, { code: GrpcCode.UNIMPLEMENTED, message: `The server does not implement the method ${path}` });
      return undefined;
    }
    let grant: ApiKeyGrant | undefined;
    try {
      // The key is checked before the body is read: a caller without one gets nothing else from us.
      grant = this.options.authorizer?.authenticate(path, headers.authorization);
    } catch (err) {
      stream.resume(); // the request body is not needed
      respondError(stream, toGrpcError(err));
      return undefined;
    }
    if (route.kind === 'refuse') {
      stream.resume(); // the request body is not needed
      respondError(stream, route.error);
      return undefined;
    }

    const abort = new AbortController();
    let answered = false;
    stream.once('close', () => {
      if (!answered) abort.abort();
    });
    const timeoutMs = parseTimeout(headers['grpc-timeout']);
    let deadline: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined) {
      deadline = setTimeout(() => {
        if (answered) return;
        answered = true;
        abort.abort();
        respondError(stream, { code: GrpcCode.DEADLINE_EXCEEDED, message: 'Deadline exceeded' });
      }, timeoutMs);
    }
    const startedAt = performance.now();
    const finish = (send: () => void, code: number): void => {
      if (deadline) clearTimeout(deadline);
      if (answered) return;
      answered = true;
      try {
        send();
      } catch (err) {
        this.failed(stream, err, route.name);
        code = GrpcCode.INTERNAL;
      }
      this.options.onRpc?.(route.name, startedAt, performance.now(), code);
    };

    return readBody(stream)
      .then(
        (body) => {
          let request: unknown;
          try {
            request = route.requestType.decode(unframe(body, headerValue(headers['grpc-encoding'])));
          } catch (err) {
            const error = err instanceof FrameError ? err.error : { code: GrpcCode.INTERNAL, message: `Error deserializing request: ${describe(err)}` };
            return finish(() => respondError(stream, error), error.code);
          }
          const ctx: HandlerContext = { ...this.options.context, signal: abort.signal, metadata: headers };
          // A handler that throws before returning its promise is answered like one that rejects.
          return Promise.resolve()
            .then(() => {
              this.options.authorizer?.authorize(grant, callTarget(path, route.namespaced, request));
              return route.handler(ctx, request as never);
            })
            .then(
              (response) => finish(() => respondMessage(stream, encodeResponse(route.responseType, response)), GrpcCode.OK),
              (err: unknown) => {
                const mapped = toGrpcError(err);
                if (mapped.code === GrpcCode.INTERNAL) {
                  this.options.logger.error('request failed', { method: route.name, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
                } else this.options.logger.debug('request rejected', { method: route.name, code: mapped.code, message: mapped.message });
                finish(() => respondError(stream, mapped), mapped.code);
              },
            )
            .catch((err: unknown) => this.failed(stream, err, route.name));
        },
        (err: unknown) => {
          const error = err instanceof FrameError ? err.error : { code: GrpcCode.INTERNAL, message: describe(err) };
          finish(() => respondError(stream, error), error.code);
        },
      )
      .catch((err: unknown) => this.failed(stream, err, route.name));
  }
}

/** Encodes a response; history events it carries already encoded are appended as its `history` field, byte for byte. */
export function encodeResponse(type: ReflectedType, response: unknown): Uint8Array {
  const message = type.encode(response).finish();
  const events = (response as EncodedHistory | null)?.[ENCODED_HISTORY];
  const field = type.fields.history?.id;
  if (!events || field === undefined) return message;
  // History { repeated HistoryEvent events = 1; }: each event is tag 0x0a, its length, its bytes.
  let historyLength = 0;
  for (const event of events) historyLength += 1 + varintSize(event.length) + event.length;
  const tag = (field << 3) | 2;
  const out = Buffer.allocUnsafe(message.length + varintSize(tag) + varintSize(historyLength) + historyLength);
  out.set(message, 0);
  let at = writeVarint(out, message.length, tag);
  at = writeVarint(out, at, historyLength);
  for (const event of events) {
    out[at++] = 0x0a;
    at = writeVarint(out, at, event.length);
    out.set(event, at);
    at += event.length;
  }
  return out;
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v > 0x7f; v = Math.floor(v / 128)) size++;
  return size;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  let i = at;
  let v = value;
  while (v > 0x7f) {
    out[i++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  out[i++] = v;
  return i;
}

function responseHeaders(): http2.OutgoingHttpHeaders {
  return { ':status': 200, 'content-type': GRPC_CONTENT_TYPE, 'grpc-accept-encoding': 'identity,deflate,gzip' };
}

function respondMessage(stream: http2.ServerHttp2Stream, message: Uint8Array): void {
  if (stream.destroyed || stream.closed) return;
  if (message.length > MAX_MESSAGE_BYTES) {
    return respondError(stream, { code: GrpcCode.RESOURCE_EXHAUSTED, message: `Sent message larger than max (${message.length} vs. ${MAX_MESSAGE_BYTES})` });
  }
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  stream.respond(responseHeaders(), { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(GrpcCode.OK), 'grpc-message': '' }));
  stream.end(frame);
}

/** A Trailers-Only response: status, message and (Temporal's failure) details in one HEADERS frame. */
function respondError(stream: http2.ServerHttp2Stream, error: GrpcError, httpStatus = 200): void {
  if (stream.destroyed || stream.closed) return;
  const message = encodeGrpcMessage(truncateStatusMessage(error.message));
  const headers: http2.OutgoingHttpHeaders = { ...responseHeaders(), ':status': httpStatus, 'grpc-status': String(error.code), 'grpc-message': message };
  // Binary metadata travels base64 without padding, as the gRPC spec asks senders to emit it. Details too large for a
  // header block (client input echoed in them) are left out: the status and message still reach the caller.
  if (error.details && error.details.length <= MAX_DETAILS_BYTES) {
    headers['grpc-status-details-bin'] = Buffer.from(error.details).toString('base64').replace(/=+$/, '');
  }
  if (stream.headersSent) {
    stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  stream.respond(headers, { endStream: true });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function refuseWhileDraining(stream: http2.ServerHttp2Stream): void {
  stream.on('error', () => undefined);
  stream.resume(); // the request body is not needed
  respondError(stream, { code: GrpcCode.UNAVAILABLE, message: SHUTTING_DOWN_MESSAGE });
}

/**
 * GOAWAY, as grpc-go's graceful stop sends: the client opens no new stream on this connection. The last stream id
 * asked for is capped by nghttp2 to the last stream received, so every stream already received is answered and one
 * the client opened before it saw the GOAWAY is refused unprocessed (REFUSED_STREAM, which clients retry elsewhere).
 */
function goAway(session: http2.ServerHttp2Session): void {
  if (session.closed || session.destroyed) return;
  try {
    session.goaway(http2.constants.NGHTTP2_NO_ERROR, 2 ** 31 - 1);
  } catch {
    // The connection is already going away.
  }
}
