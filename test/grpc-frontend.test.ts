/**
 * The gRPC frontend at the wire level: what a client that is not the SDK (or a broken one) gets.
 * Every malformed call is answered with a gRPC status, and the server keeps serving.
 */
import assert from 'node:assert/strict';
import type http2 from 'node:http2';
import zlib from 'node:zlib';
import { describe, test } from 'node:test';
import { temporal } from '@temporalio/proto';
import { useHourglassServer } from './helpers';
import { frame, rawCall, type Answer } from './raw-grpc';

const { workflowservice } = temporal.api;
const SERVICE = '/temporal.api.workflowservice.v1.WorkflowService';

function call(address: string, path: string, body: Buffer, headers: http2.OutgoingHttpHeaders = {}): Promise<Answer> {
  return rawCall(address, path, body, headers).answer;
}

function getSystemInfo(): Buffer {
  return frame(workflowservice.v1.GetSystemInfoRequest.encode({}).finish());
}

describe('gRPC frontend', () => {
  const env = useHourglassServer();

  test('a plain call is answered with one message and status OK in the trailers', async () => {
    const answer = await call(env.address, `${SERVICE}/GetSystemInfo`, getSystemInfo());
    assert.equal(answer.httpStatus, 200);
    assert.equal(answer.grpcStatus, 0);
    const length = answer.body.readUInt32BE(1);
    const info = workflowservice.v1.GetSystemInfoResponse.decode(answer.body.subarray(5, 5 + length));
    assert.ok(info.serverVersion);
  });

  test('gzip and deflate requests are inflated, as the SDK worker sends them', async () => {
    const message = workflowservice.v1.GetSystemInfoRequest.encode({}).finish();
    for (const [encoding, compress] of [
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
    ] as const) {
      const answer = await call(env.address, `${SERVICE}/GetSystemInfo`, frame(compress(message), { compressed: true }), { 'grpc-encoding': encoding });
      assert.equal(answer.grpcStatus, 0, encoding);
    }
  });

  test('an unsupported compression is UNIMPLEMENTED naming it', async () => {
    const answer = await call(env.address, `${SERVICE}/GetSystemInfo`, frame(Buffer.from('x'), { compressed: true }), { 'grpc-encoding': 'snappy' });
    assert.equal(answer.grpcStatus, 12);
    assert.match(answer.grpcMessage ?? '', /snappy/);
  });

  test('an unknown method is UNIMPLEMENTED; a malformed message is INTERNAL; the server keeps serving', async () => {
    const unknown = await call(env.address, '/no.such.Service/Nothing', getSystemInfo());
    assert.equal(unknown.grpcStatus, 12);
    const garbage = await call(env.address, `${SERVICE}/StartWorkflowExecution`, frame(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])));
    assert.equal(garbage.grpcStatus, 13);
    const truncated = await call(env.address, `${SERVICE}/GetSystemInfo`, Buffer.from([0, 0, 0]));
    assert.equal(truncated.grpcStatus, 13);
    const after = await call(env.address, `${SERVICE}/GetSystemInfo`, getSystemInfo());
    assert.equal(after.grpcStatus, 0);
  });

  test("a message claiming more than 4 MiB (grpc-go's default, which Temporal's frontend keeps) is RESOURCE_EXHAUSTED", async () => {
    const header = Buffer.alloc(5);
    header.writeUInt32BE(4 * 1024 * 1024 + 1, 1);
    const answer = await call(env.address, `${SERVICE}/GetSystemInfo`, header);
    assert.equal(answer.grpcStatus, 8);
  });

  test('a long poll past the caller’s grpc-timeout ends with DEADLINE_EXCEEDED', async () => {
    const poll = frame(
      workflowservice.v1.PollWorkflowTaskQueueRequest.encode({ namespace: env.namespace, taskQueue: { name: 'grpc-frontend-deadline' } }).finish(),
    );
    const answer = await call(env.address, `${SERVICE}/PollWorkflowTaskQueue`, poll, { 'grpc-timeout': '200m' });
    assert.equal(answer.grpcStatus, 4);
  });

  test('anything but a gRPC POST gets HTTP 415', async () => {
    const answer = await call(env.address, `${SERVICE}/GetSystemInfo`, getSystemInfo(), { 'content-type': 'text/plain' });
    assert.equal(answer.httpStatus, 415);
  });
});
