import type http2 from 'node:http2';
import zlib from 'node:zlib';
import { GrpcCode, type GrpcError } from './status';

/**
 * The gRPC over HTTP/2 wire format of a unary call, as the gRPC protocol doc (PROTOCOL-HTTP2.md)
 * defines it: request headers, one length-prefixed message, and the status's percent-encoding.
 */

/**
 * The largest request message: Temporal's frontend sets no MaxRecvMsgSize, so it has grpc-go's default of
 * 4 MiB (no dynamic config key). The SDKs send up to what they are given: sdk-core's client turns this
 * refusal of a workflow task completion into a GRPC_MESSAGE_TOO_LARGE task failure.
 */
export const MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024;
/** The largest response message (grpc-go's send default is 2 GiB; history pages and polls stay far below this). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** grpc-go's refusal of a request over the receive limit, in its words (sdk-core matches on them). */
function tooLarge(length: number): FrameError {
  return new FrameError({ code: GrpcCode.RESOURCE_EXHAUSTED, message: `grpc: received message larger than max (${length} vs. ${MAX_RECEIVE_MESSAGE_BYTES})` });
}
/** grpc-timeout units in milliseconds. */
const TIMEOUT_UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
/** The longest delay a Node timer holds; longer ones fire at once (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Content types naming the proto codec: `application/grpc` means `application/grpc+proto`. */
const PROTO_CONTENT_TYPES = new Set(['application/grpc', 'application/grpc+proto']);

export class FrameError extends Error {
  constructor(readonly error: GrpcError) {
    super(error.message);
  }
}

/** Why the request headers refuse the call before its body is read (grpc-go's early abort), or undefined. */
export function headerRefusal(headers: http2.IncomingHttpHeaders): { httpStatus: number; error: GrpcError } | undefined {
  const method = headers[':method'] ?? '';
  if (method !== 'POST') {
    return { httpStatus: 405, error: { code: GrpcCode.INTERNAL, message: `invalid gRPC request method "${method}", which should be POST` } };
  }
  const contentType = headers['content-type'] ?? '';
  // Parameters after ';' do not change the codec; any other subtype (e.g. +json) is a codec Hourglass does not speak.
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (!PROTO_CONTENT_TYPES.has(mediaType)) {
    return { httpStatus: 415, error: { code: GrpcCode.INVALID_ARGUMENT, message: `invalid gRPC request content-type "${contentType}"` } };
  }
  return undefined;
}

export function readBody(stream: http2.ServerHttp2Stream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    let declared: number | undefined;
    stream.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      chunks.push(chunk);
      // The length prefix tells at once: the answer does not wait for (or hold) the rest of a message over the limit.
      if (declared === undefined && size >= 5) declared = (chunks.length === 1 ? chunk : Buffer.concat(chunks)).readUInt32BE(1);
      if ((declared ?? 0) > MAX_RECEIVE_MESSAGE_BYTES || size > MAX_RECEIVE_MESSAGE_BYTES + 5) {
        refused = true;
        chunks.length = 0;
        reject(tooLarge(Math.max(declared ?? 0, size - 5)));
      }
    });
    stream.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    stream.once('aborted', () => reject(new Error('stream aborted')));
  });
}

/**
 * The single length-prefixed message of a unary request, inflated if the client compressed it. A body
 * shorter than its prefix, or anything after the message, is refused whole: nothing of it is applied.
 */
export function unframe(body: Buffer, encoding: string | undefined): Buffer {
  if (body.length < 5) throw new FrameError({ code: GrpcCode.INTERNAL, message: 'Request has no message' });
  const flag = body.readUInt8(0);
  if (flag > 1) throw new FrameError({ code: GrpcCode.INTERNAL, message: `Received unexpected payload format ${flag}` });
  const compressed = flag === 1;
  const length = body.readUInt32BE(1);
  if (length > MAX_RECEIVE_MESSAGE_BYTES) throw tooLarge(length);
  if (body.length < 5 + length) {
    throw new FrameError({ code: GrpcCode.INTERNAL, message: `Received an incomplete message: ${body.length - 5} of ${length} bytes` });
  }
  if (body.length > 5 + length) {
    const extra = body.length - 5 - length;
    const what = extra >= 5 ? 'a second request message' : `${extra} bytes after the request message`;
    throw new FrameError({ code: GrpcCode.INTERNAL, message: `Received ${what} for a unary method` });
  }
  const message = body.subarray(5);
  if (!compressed) return message;
  const options = { maxOutputLength: MAX_RECEIVE_MESSAGE_BYTES };
  try {
    switch (encoding) {
      case 'gzip':
        return zlib.gunzipSync(message, options);
      case 'deflate':
        return zlib.inflateSync(message, options);
      default:
        throw new FrameError({ code: GrpcCode.UNIMPLEMENTED, message: `Received message compressed with unsupported encoding "${encoding ?? 'identity'}"` });
    }
  } catch (err) {
    if (err instanceof FrameError) throw err;
    if (err instanceof RangeError) {
      throw new FrameError({
        code: GrpcCode.RESOURCE_EXHAUSTED,
        message: `grpc: received message after decompression larger than max ${MAX_RECEIVE_MESSAGE_BYTES}`,
      });
    }
    throw new FrameError({ code: GrpcCode.INTERNAL, message: 'Failed to decompress message' });
  }
}

/**
 * grpc-message: the UTF-8 bytes of the message, percent-encoded outside printable ASCII (and '%'
 * itself). Encoding the bytes (not the UTF-16 units) makes a lone surrogate U+FFFD instead of a throw.
 */
export function encodeGrpcMessage(message: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(message)) return message;
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The grpc-timeout header in milliseconds, at most what a timer holds (2^31 - 1 ms, about 24.8 days). */
export function parseTimeout(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (!match) return undefined;
  return Math.min(MAX_TIMER_MS, Math.ceil(Number(match[1]) * (TIMEOUT_UNIT_MS[match[2] ?? 'S'] ?? 1000)));
}
