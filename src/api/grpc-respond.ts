import http2 from 'node:http2';
import { ENCODED_HISTORY, type EncodedHistory } from '../common/proto';
import { historySize, varintSize, writeHistoryEvents, writeVarint } from '../common/history-bytes';
import { GrpcCode, truncateStatusMessage, type GrpcError } from './status';
import { encodeGrpcMessage, MAX_MESSAGE_BYTES } from './grpc-wire';

/** The codec of a request or response message, from `@temporalio/proto`'s reflection. */
export interface ReflectedType {
  encode(message: unknown): { finish(): Uint8Array };
  decode(data: Uint8Array): unknown;
  fields: Record<string, { id: number } | undefined>;
}

const GRPC_CONTENT_TYPE = 'application/grpc+proto';
/** Encoded google.rpc.Status details sent at most (base64 makes them a third larger in the header block). */
const MAX_DETAILS_BYTES = 8 * 1024;
/**
 * Every successful answer's headers and trailers: node:http2 copies header objects into its own list and never
 * modifies ours, so one frozen object each serves every call (no allocation per answer).
 */
const OK_HEADERS: http2.OutgoingHttpHeaders = Object.freeze({
  ':status': 200,
  'content-type': GRPC_CONTENT_TYPE,
  'grpc-accept-encoding': 'identity,deflate,gzip',
});
const OK_TRAILERS: http2.OutgoingHttpHeaders = Object.freeze({ 'grpc-status': String(GrpcCode.OK), 'grpc-message': '' });
const WITH_TRAILERS = Object.freeze({ waitForTrailers: true });

/** Encodes a response; history events it carries already encoded are appended as its `history` field, byte for byte. */
export function encodeResponse(type: ReflectedType, response: unknown): Uint8Array {
  const message = type.encode(response).finish();
  const events = (response as EncodedHistory | null)?.[ENCODED_HISTORY];
  const field = type.fields.history?.id;
  if (!events || field === undefined) return message;
  const historyLength = historySize(events);
  const tag = (field << 3) | 2;
  const out = Buffer.allocUnsafe(message.length + varintSize(tag) + varintSize(historyLength) + historyLength);
  out.set(message, 0);
  let at = writeVarint(out, message.length, tag);
  at = writeVarint(out, at, historyLength);
  writeHistoryEvents(out, at, events);
  return out;
}

function sendOkTrailers(this: http2.ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

/** One DATA frame with the length-prefixed message, then OK trailers. */
export function respondMessage(stream: http2.ServerHttp2Stream, message: Uint8Array): void {
  if (stream.destroyed || stream.closed) return;
  if (message.length > MAX_MESSAGE_BYTES) {
    return respondError(stream, { code: GrpcCode.RESOURCE_EXHAUSTED, message: `Sent message larger than max (${message.length} vs. ${MAX_MESSAGE_BYTES})` });
  }
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  stream.respond(OK_HEADERS, WITH_TRAILERS);
  stream.once('wantTrailers', sendOkTrailers);
  stream.end(frame);
}

/** A Trailers-Only response: status, message and (Temporal's failure) details in one HEADERS frame. */
export function respondError(stream: http2.ServerHttp2Stream, error: GrpcError, httpStatus = 200): void {
  if (stream.destroyed || stream.closed) return;
  const message = encodeGrpcMessage(truncateStatusMessage(error.message));
  const headers: http2.OutgoingHttpHeaders = { ...OK_HEADERS, ':status': httpStatus, 'grpc-status': String(error.code), 'grpc-message': message };
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
