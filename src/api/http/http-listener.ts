import http from 'node:http';
import type { Socket } from 'node:net';
import { listen } from '../listen';

export type RequestListener = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** A node HTTP server for one request listener, whose close also ends open connections (long polls, keep-alive). */
export class HttpListener {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();

  constructor(onRequest: RequestListener) {
    this.server = http.createServer((req, res) => {
      // A listener answers its own errors; one that escapes still ends this request only, never the process.
      onRequest(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal Server Error\n');
      });
    });
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
