import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { listen } from '../listen';
import { tlsServerOptions, type ServerTls } from '../tls';

export type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/**
 * A node HTTP server for one request listener, whose close also ends open connections (long polls, keep-alive); HTTPS
 * (HTTP/1.1) when given TLS files, with a CA requiring a client certificate as the gRPC frontend does.
 */
export class HttpListener {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();

  constructor(onRequest: RequestListener, tls?: ServerTls) {
    const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      // A listener answers its own errors; one that escapes still ends this request only, never the process.
      onRequest(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal Server Error\n');
      });
    };
    this.server = tls ? https.createServer(tlsServerOptions(tls, ['http/1.1']), handle) : http.createServer(handle);
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(ip: string, port: number): Promise<number> {
    return listen(this.server, ip, port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}
