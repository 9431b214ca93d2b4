import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeGrpcMessage, FrameError, parseTimeout, unframe } from '../../../src/api/grpc-wire';
import { GrpcCode, MAX_STATUS_MESSAGE_BYTES, toGrpcError, truncateStatusMessage } from '../../../src/api/status';
import { invalidArgument } from '../../../src/common/errors';

function framed(message: Buffer, length = message.length, flag = 0): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flag, 0);
  header.writeUInt32BE(length, 1);
  return Buffer.concat([header, message]);
}

function frameError(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FrameError, String(err));
    return err.error;
  }
  assert.fail('expected a FrameError');
}

test('grpc-message percent-encodes the UTF-8 bytes outside printable ASCII, and %', () => {
  assert.equal(encodeGrpcMessage('plain message'), 'plain message');
  assert.equal(encodeGrpcMessage('100% ok'), '100%25 ok');
  assert.equal(encodeGrpcMessage('é\n😀'), '%C3%A9%0A%F0%9F%98%80');
});

test('a lone UTF-16 surrogate in grpc-message becomes U+FFFD instead of throwing', () => {
  assert.equal(encodeGrpcMessage('x\ud83d'), 'x%EF%BF%BD');
  assert.equal(decodeURIComponent(encodeGrpcMessage('\udc00 and \ud800')), '\ufffd and \ufffd');
});

test('grpc-timeout is clamped to the longest delay a timer holds, 2^31 - 1 ms', () => {
  assert.equal(parseTimeout('250m'), 250);
  assert.equal(parseTimeout('2S'), 2000);
  assert.equal(parseTimeout('2147484S'), 2 ** 31 - 1);
  assert.equal(parseTimeout('99999999H'), 2 ** 31 - 1);
  assert.equal(parseTimeout('123456789S'), undefined); // more than 8 digits is not a timeout
});

test('a unary body is exactly one message: short, trailing bytes and a second message are refused', () => {
  const message = Buffer.from([0x0a, 0x01, 0x61]);
  assert.deepEqual(unframe(framed(message), undefined), message);
  assert.match(frameError(() => unframe(framed(message, 4), undefined)).message, /incomplete message: 3 of 4 bytes/);
  assert.match(frameError(() => unframe(Buffer.concat([framed(message), Buffer.from([0])]), undefined)).message, /1 bytes after the request message/);
  assert.match(frameError(() => unframe(Buffer.concat([framed(message), framed(message)]), undefined)).message, /second request message/);
  assert.equal(frameError(() => unframe(framed(message, 3, 2), undefined)).code, GrpcCode.INTERNAL);
});

test('status messages are cut at a character boundary to a few KB and marked as truncated', () => {
  assert.equal(truncateStatusMessage('short'), 'short');
  const long = truncateStatusMessage('😀'.repeat(5000));
  assert.ok(Buffer.byteLength(long) <= MAX_STATUS_MESSAGE_BYTES);
  assert.ok(long.endsWith('… (truncated)'));
  assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(long), 'no half of a surrogate pair is left');
  const mapped = toGrpcError(invalidArgument(`unknown name ${'x'.repeat(100_000)}`));
  assert.ok(mapped.message.length < MAX_STATUS_MESSAGE_BYTES + 1);
});
