import type { Server } from 'node:net';

/** Whether an address to bind is the loopback interface only (reachable from this machine alone). */
export function isLoopback(ip: string): boolean {
  return ip === 'localhost' || ip === '::1' || /^127\./.test(ip);
}

/** Listens on ip:port and resolves with the bound port (the free one chosen for port 0); a bind error rejects. */
export function listen(server: Server, ip: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, ip, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
