import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import jsonRoot from '@temporalio/proto/protos/json-module';
import type { temporal } from '@temporalio/proto';
import { messageFromJson, messageToJson, type ReflectedMessageType } from '../../../src/api/http/proto-json';
import {
  durationFromJson,
  durationToJson,
  JsonFieldError,
  payloadFromJson,
  payloadToShorthand,
  timestampFromJson,
  timestampToJson,
} from '../../../src/api/http/well-known-json';

// Not resolved up front: the codec resolves the types it reaches, as the server uses it.
const root = jsonRoot as { lookupType(name: string): ReflectedMessageType };
const utf8 = (s: string): Uint8Array => Buffer.from(s);
const shorthand = { payloadShorthand: true };

describe('google.protobuf.Timestamp and Duration in proto3 JSON', () => {
  test('a Timestamp is RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits', () => {
    assert.equal(timestampToJson(0, 0), '1970-01-01T00:00:00Z');
    assert.equal(timestampToJson(1_700_000_000, 500_000_000), '2023-11-14T22:13:20.500Z');
    assert.equal(timestampToJson(1_700_000_000, 1000), '2023-11-14T22:13:20.000001Z');
    assert.equal(timestampToJson(1_700_000_000, 1), '2023-11-14T22:13:20.000000001Z');
  });

  test('a Timestamp is read with any offset and fraction; anything else is refused', () => {
    assert.deepEqual(timestampFromJson('2023-11-14T22:13:20.5Z'), { seconds: '1700000000', nanos: 500_000_000 });
    assert.deepEqual(timestampFromJson('2023-11-15T00:13:20+02:00'), { seconds: '1700000000', nanos: 0 });
    assert.throws(() => timestampFromJson('yesterday'), JsonFieldError);
    assert.throws(() => timestampFromJson(1700000000), JsonFieldError);
  });

  test('a Duration is seconds with a fraction and an "s" suffix, negative with a sign', () => {
    assert.equal(durationToJson(1, 500_000_000), '1.500s');
    assert.equal(durationToJson(10, 0), '10s');
    assert.equal(durationToJson(-1, -500_000_000), '-1.500s');
    assert.deepEqual(durationFromJson('1.5s'), { seconds: '1', nanos: 500_000_000 });
    assert.deepEqual(durationFromJson('-0.25s'), { seconds: '0', nanos: -250_000_000 });
    assert.throws(() => durationFromJson('1m'), JsonFieldError);
  });
});

describe("Temporal's payload shorthand", () => {
  test('a json/plain payload with no other metadata is its JSON value; binary/null is null', () => {
    assert.deepEqual(payloadToShorthand({ metadata: { encoding: utf8('json/plain') }, data: utf8('{"a":[1,2]}') }), { value: { a: [1, 2] } });
    assert.deepEqual(payloadToShorthand({ metadata: { encoding: utf8('binary/null') } }), { value: null });
  });

  test('json/protobuf carries its message type in "_protoMessageType"; other encodings have no shorthand', () => {
    const proto = { metadata: { encoding: utf8('json/protobuf'), messageType: utf8('x.Y') }, data: utf8('{"f":1}') };
    assert.deepEqual(payloadToShorthand(proto), { value: { f: 1, _protoMessageType: 'x.Y' } });
    assert.equal(payloadToShorthand({ metadata: { encoding: utf8('binary/plain') }, data: utf8('x') }), undefined);
    assert.equal(payloadToShorthand({ metadata: { encoding: utf8('json/plain'), encodingDecorator: utf8('z') }, data: utf8('1') }), undefined);
  });

  test('reading: a JSON value becomes json/plain, null binary/null, and an exact { metadata, data } stays standard', () => {
    const plain = payloadFromJson({ a: 1 });
    assert.equal(Buffer.from(plain.metadata?.encoding ?? []).toString(), 'json/plain');
    assert.equal(Buffer.from(plain.data ?? []).toString(), '{"a":1}');
    assert.equal(Buffer.from(payloadFromJson(null).metadata?.encoding ?? []).toString(), 'binary/null');
    const standard = payloadFromJson({ metadata: { encoding: Buffer.from('binary/plain').toString('base64') }, data: Buffer.from('hi').toString('base64') });
    assert.equal(Buffer.from(standard.metadata?.encoding ?? []).toString(), 'binary/plain');
    assert.equal(Buffer.from(standard.data ?? []).toString(), 'hi');
    const notStandard = payloadFromJson({ metadata: { encoding: 'not base64!' }, data: 'x' });
    assert.equal(Buffer.from(notStandard.metadata?.encoding ?? []).toString(), 'json/plain');
    const proto = payloadFromJson({ f: 1, _protoMessageType: 'x.Y' });
    assert.equal(Buffer.from(proto.metadata?.messageType ?? []).toString(), 'x.Y');
    assert.equal(Buffer.from(proto.data ?? []).toString(), '{"f":1}');
  });
});

describe('messages in proto3 JSON', () => {
  const start = root.lookupType('temporal.api.workflowservice.v1.StartWorkflowExecutionRequest');

  test('a request reads camelCase and snake_case names, enums by name, int64 strings, durations and shorthand payloads', () => {
    const message = messageFromJson(
      start,
      {
        workflow_id: 'w',
        workflowType: { name: 't' },
        input: [1, 'two'],
        workflowRunTimeout: '1.5s',
        workflowIdReusePolicy: 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE',
      },
      shorthand,
    ) as temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest;
    assert.equal(message.workflowId, 'w');
    assert.equal(message.workflowIdReusePolicy, 3);
    assert.equal(Number(message.workflowRunTimeout?.seconds), 1);
    assert.equal(message.workflowRunTimeout?.nanos, 500_000_000);
    assert.equal(Buffer.from(message.input?.payloads?.[1]?.data ?? []).toString(), '"two"');
    assert.deepEqual(messageToJson(start, start.decode(start.encode(message).finish()) as Record<string, unknown>, shorthand), {
      workflowId: 'w',
      workflowType: { name: 't' },
      input: [1, 'two'],
      workflowRunTimeout: '1.500s',
      workflowIdReusePolicy: 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE',
    });
  });

  test('values of the wrong type, unknown enum names and unknown fields are refused with the field named', () => {
    assert.throws(() => messageFromJson(start, { workflowId: 5 }, shorthand), /string field workflowId/);
    assert.throws(() => messageFromJson(start, { workflowType: 'x' }, shorthand), /workflowType: expected an object/);
    assert.throws(() => messageFromJson(start, { workflowIdReusePolicy: 'NOPE' }, shorthand), /workflowIdReusePolicy/);
    assert.throws(() => messageFromJson(start, { header: { fields: [] } }, shorthand), /map field header\.fields/);
    assert.throws(() => messageFromJson(start, { bogus: 1 }, shorthand), /unknown field "bogus"/);
  });

  test('int64 is written as a string, bytes as base64, Any with its "@type"', () => {
    const status = root.lookupType('google.rpc.Status');
    const failure = root.lookupType('temporal.api.errordetails.v1.NamespaceNotFoundFailure');
    const any = { type_url: 'type.googleapis.com/temporal.api.errordetails.v1.NamespaceNotFoundFailure', value: failure.encode({ namespace: 'n' }).finish() };
    const json = messageToJson(status, status.decode(status.encode({ code: 5, message: 'm', details: [any] }).finish()) as Record<string, unknown>, shorthand);
    assert.deepEqual(json, { code: 5, message: 'm', details: [{ '@type': any.type_url, namespace: 'n' }] });
    const event = root.lookupType('temporal.api.history.v1.HistoryEvent');
    assert.deepEqual(messageToJson(event, event.decode(event.encode({ eventId: 12, taskId: 3 }).finish()) as Record<string, unknown>, shorthand), {
      eventId: '12',
      taskId: '3',
    });
    const blob = root.lookupType('temporal.api.common.v1.DataBlob');
    assert.deepEqual(messageToJson(blob, blob.decode(blob.encode({ data: Buffer.from('hi') }).finish()) as Record<string, unknown>, shorthand), {
      data: 'aGk=',
    });
  });
});
