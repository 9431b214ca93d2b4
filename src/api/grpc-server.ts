import http2 from 'node:http2';
import type { Socket } from 'node:net';
import jsonRoot from '@temporalio/proto/protos/json-module';
import type { Logger } from '../common/logger';
import { healthHandlers, operatorHandlers, testServiceHandlers, workflowServiceHandlers } from './routes';
import type { HandlerContext, HandlerTable } from './handlers/context';
import { GrpcCode, toGrpcError, type GrpcError } from './status';
import { headerRefusal } from './grpc-wire';
import { respondError, type ReflectedType } from './grpc-respond';
import { callContextPrototype, UnaryCall, type CallHost, type UnaryRoute } from './grpc-call';
import { Drain, SHUTTING_DOWN_MESSAGE } from './drain';
import { listen } from './listen';
import type { ApiKeyAuthorizer, ApiKeyGrant } from './auth/api-keys';
import { tlsServerOptions, type ServerTls } from './tls';

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
type Route = UnaryRoute | { kind: 'refuse'; error: GrpcError };

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
  private readonly callHost: CallHost;

  constructor(private readonly options: GrpcFrontendOptions) {
    this.callHost = {
      logger: options.logger,
      authorizer: options.authorizer,
      onRpc: options.onRpc,
      contextPrototype: callContextPrototype(options.context),
      failed: (stream, err, method) => this.failed(stream, err, method),
    };
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
    stream.on('error', ignore); // e.g. the client reset the stream while we answered
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

    return new UnaryCall(this.callHost, stream, route, headers, grant).run();
  }
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

function ignore(): void {
  // An error event nobody needs: the stream's end answers for it.
}
