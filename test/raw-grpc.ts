/**
 * A gRPC call at the wire level, for specs of what a client that is not the SDK (or a broken one) gets: one HTTP/2
 * request with a body framed by hand, answered with the HTTP status, the gRPC status (headers or trailers) and body.
 */
import http2 from 'node:http2';

export interface Answer {
  httpStatus: number;
  grpcStatus?: number;
  grpcMessage?: string;
  body: Buffer;
}

/** A length-prefixed gRPC message; `length` may lie about the message's size, `compressed` sets the flag byte. */
export function frame(message: Uint8Array, options: { compressed?: boolean; length?: number } = {}): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt8(options.compressed ? 1 : 0, 0);
  out.writeUInt32BE(options.length ?? message.length, 1);
  out.set(message, 5);
  return out;
}

/** One raw call; `answer` settles with what came back, `cancel` resets the connection. */
export function rawCall(address: string, path: string, body: Buffer, headers: http2.OutgoingHttpHeaders = {}): { answer: Promise<Answer>; cancel: () => void } {
  const session = http2.connect(`http://${address}`);
  const answer = new Promise<Answer>((resolve, reject) => {
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
    const chunks: Buffer[] = [];
    const got: Partial<Answer> = {};
    const take = (h: http2.IncomingHttpHeaders): void => {
      if (h['grpc-status'] !== undefined) got.grpcStatus = Number(h['grpc-status']);
      if (h['grpc-message'] !== undefined) got.grpcMessage = decodeURIComponent(String(h['grpc-message']));
    };
    req.on('response', (h) => {
      got.httpStatus = Number(h[':status']);
      take(h);
    });
    req.on('trailers', take);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      session.close();
      resolve({ httpStatus: got.httpStatus ?? 0, grpcStatus: got.grpcStatus, grpcMessage: got.grpcMessage, body: Buffer.concat(chunks) });
    });
    req.on('error', reject);
    req.end(body);
  });
  return { answer, cancel: () => session.destroy() };
}
