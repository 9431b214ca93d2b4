import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { Drain, SHUTTING_DOWN_MESSAGE } from '../drain';
import { listen } from '../listen';
import { GrpcCode } from '../status';
import { tlsServerOptions, type ServerTls } from '../tls';

export type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** What a request that arrives while the server shuts down is answered: UNAVAILABLE, as grpc-gateway writes it. */
/**
 * The request line and headers may take 1 MiB, as Go's net/http allows (http.DefaultMaxHeaderBytes) for Temporal's HTTP
 * API: a list filter travels in the query string, and Node's 16 KiB default refused long ones (`WorkflowId IN (…)`) with 431.
 */
export const MAX_HTTP_HEADER_BYTES = 1024 * 1024;

/** How much of a body that is refused unread is still read and dropped before the answer (see discardBody). */
export const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

/**
 * Reads and drops what is left of a request's body, up to MAX_DISCARDED_BYTES (past it the connection is cut). A refusal
 * sent while the client is still sending, on a connection that then closes, resets it: the client never reads the answer.
 */
export function discardBody(req: http.IncomingMessage): Promise<void> {
  if (req.complete) return Promise.resolve();
  return new Promise((resolve) => {
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DISCARDED_BYTES) {
        req.socket.destroy();
        resolve();
      }
    });
    req.once('end', resolve);
    req.once('error', () => resolve());
    req.once('close', resolve);
    req.resume();
  });
}

const SHUTTING_DOWN_BODY = JSON.stringify({ code: GrpcCode.UNAVAILABLE, message: SHUTTING_DOWN_MESSAGE, details: [] });

/**
 * A node HTTP server for one request listener, whose close also ends open connections (long polls, keep-alive); HTTPS
 * (HTTP/1.1) when given TLS files, with a CA requiring a client certificate as the gRPC frontend does.
 */
export class HttpListener {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly drain = new Drain();

  constructor(onRequest: RequestListener, tls?: ServerTls) {
    const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      if (this.drain.draining) return refuseWhileDraining(req, res);
      const end = this.drain.enter();
      res.once('close', end);
      // A listener answers its own errors; one that escapes still ends this request only, never the process.
      onRequest(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal Server Error\n');
      });
    };
    const options = { maxHeaderSize: MAX_HTTP_HEADER_BYTES };
    this.server = tls ? https.createServer({ ...tlsServerOptions(tls, ['http/1.1']), ...options }, handle) : http.createServer(options, handle);
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(ip: string, port: number): Promise<number> {
    return listen(this.server, ip, port);
  }

  /** Graceful stop: no new connections; idle keep-alive connections close; a request that still arrives gets 503. */
  beginDrain(): void {
    if (this.drain.draining) return;
    this.drain.begin();
    this.server.close();
    this.server.closeIdleConnections();
  }

  /** Resolves once every request taken before the drain has been answered (or its client went away). */
  idle(): Promise<void> {
    return this.drain.idle();
  }

  get callsInFlight(): number {
    return this.drain.inFlight;
  }

  /** Stops listening and ends every connection, cutting requests still under way. */
  close(): Promise<void> {
    this.drain.begin();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

function refuseWhileDraining(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.resume(); // the body is not needed
  res.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'content-length': Buffer.byteLength(SHUTTING_DOWN_BODY) });
  res.end(SHUTTING_DOWN_BODY);
}
