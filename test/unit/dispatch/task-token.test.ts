import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import protobuf from 'protobufjs';
import { Reader, Writer } from 'protobufjs/minimal';
import { ServiceError } from '../../../src/common/errors';
import {
  type ActivityTaskToken,
  decodeActivityTaskToken,
  decodeQueryTaskToken,
  decodeWorkflowTaskToken,
  encodeTaskToken,
  type QueryTaskToken,
  taskTokenNamespaceId,
  type WorkflowTaskToken,
} from '../../../src/engine/dispatch/task-token';

/**
 * Temporal's token messages as its server declares them (proto/internal/temporal/server/api/token/v1/message.proto),
 * with the imported clock and timestamp messages declared alongside: a codec independent of ours.
 */
const TEMPORAL_PROTO = `
syntax = "proto3";
package temporal.server.api.token.v1;
message VectorClock { int32 shard_id = 1; int64 clock = 2; int64 cluster_id = 3; }
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message Task {
  string namespace_id = 1;
  string workflow_id = 2;
  string run_id = 3;
  int64 scheduled_event_id = 4;
  int32 attempt = 5;
  string activity_id = 6;
  string workflow_type = 7;
  string activity_type = 8;
  VectorClock clock = 9;
  int64 started_event_id = 10;
  int64 version = 11;
  Timestamp started_time = 12;
  int64 start_version = 13;
  bytes component_ref = 14;
  int32 activity_attempt_stamp = 15;
}
message QueryTask { string namespace_id = 1; string task_queue = 2; string task_id = 3; }
`;
const root = protobuf.parse(TEMPORAL_PROTO, { keepCase: true }).root;
const TemporalTask = root.lookupType('temporal.server.api.token.v1.Task');
const TemporalQueryTask = root.lookupType('temporal.server.api.token.v1.QueryTask');

const activity: ActivityTaskToken = {
  kind: 'activity',
  namespaceId: '5b3e6c1a-0a8e-4b43-9f1e-2f4a2b6f3c11',
  workflowId: 'order-42',
  runId: '0f6c2a8e-9d1b-4c1e-8f3a-6e5d4c3b2a19',
  scheduledEventId: 5,
  attempt: 2,
  activityId: '1',
};
const workflow: WorkflowTaskToken = {
  kind: 'workflow',
  namespaceId: activity.namespaceId,
  workflowId: 'order-42',
  runId: activity.runId,
  scheduledEventId: 2 ** 40,
  attempt: 1,
  startedEventId: 2 ** 40 + 1,
};
const query: QueryTaskToken = { kind: 'query', namespaceId: activity.namespaceId, queryId: 'c8f0b1de-query' };

function rejects(fn: () => unknown, code: ServiceError['code'], message?: RegExp | string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ServiceError, `expected a ServiceError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

describe('task tokens', () => {
  test('each kind round-trips through its own decoder', () => {
    assert.deepEqual(decodeActivityTaskToken(encodeTaskToken(activity)), activity);
    assert.deepEqual(decodeWorkflowTaskToken(encodeTaskToken(workflow)), workflow);
    assert.deepEqual(decodeQueryTaskToken(encodeTaskToken(query)), query);
    assert.equal(taskTokenNamespaceId(encodeTaskToken(workflow)), workflow.namespaceId);
  });

  test('an activity token is the protobuf Task message, byte for byte as Go marshals it', () => {
    const small: ActivityTaskToken = { ...activity, namespaceId: 'ns', workflowId: 'wf', runId: 'r', activityId: 'a' };
    // 1:"ns" 2:"wf" 3:"r" 4:5 5:2 6:"a" — fields in number order, length-delimited strings, varint integers.
    assert.equal(Buffer.from(encodeTaskToken(small)).toString('hex'), '0a026e73120277661a017220052802320161');

    const bytes = encodeTaskToken(activity);
    const seen: Record<number, unknown> = {};
    const r = Reader.create(bytes);
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      if ([1, 2, 3, 6].includes(field)) {
        assert.equal(tag & 7, 2, `field ${field} is length-delimited`);
        seen[field] = r.string();
      } else {
        assert.equal(tag & 7, 0, `field ${field} is a varint`);
        seen[field] = field === 5 ? r.int32() : Number(r.int64());
      }
    }
    assert.deepEqual(seen, { 1: activity.namespaceId, 2: 'order-42', 3: activity.runId, 4: 5, 5: 2, 6: '1' });

    const viaTemporal = TemporalTask.toObject(TemporalTask.decode(bytes), { longs: Number, defaults: true });
    assert.equal(viaTemporal.namespace_id, activity.namespaceId);
    assert.equal(viaTemporal.workflow_id, activity.workflowId);
    assert.equal(viaTemporal.run_id, activity.runId);
    assert.equal(viaTemporal.scheduled_event_id, 5);
    assert.equal(viaTemporal.attempt, 2);
    assert.equal(viaTemporal.activity_id, '1');
    assert.equal(viaTemporal.started_event_id, 0);
  });

  test('a workflow token carries started_event_id (10) and no activity id', () => {
    const t = TemporalTask.toObject(TemporalTask.decode(encodeTaskToken(workflow)), { longs: Number, defaults: true });
    assert.equal(t.scheduled_event_id, 2 ** 40);
    assert.equal(t.started_event_id, 2 ** 40 + 1);
    assert.equal(t.activity_id, '');
  });

  test('a query token is the QueryTask message: task_id (3) is the query id', () => {
    const t = TemporalQueryTask.toObject(TemporalQueryTask.decode(encodeTaskToken(query)), { defaults: true });
    assert.deepEqual(t, { namespace_id: query.namespaceId, task_queue: '', task_id: query.queryId });
    const built = TemporalQueryTask.encode({ namespace_id: 'ns-id', task_queue: 'orders', task_id: 'q-1' }).finish();
    assert.deepEqual(decodeQueryTaskToken(built), { kind: 'query', namespaceId: 'ns-id', queryId: 'q-1' });
  });

  test("a token built by hand with Temporal's field numbers, extra fields and all, decodes", () => {
    const w = Writer.create();
    w.uint32((1 << 3) | 2).string('ns-id');
    w.uint32((2 << 3) | 2).string('wf-id');
    w.uint32((3 << 3) | 2).string('run-id');
    w.uint32((4 << 3) | 0).int64(11);
    w.uint32((5 << 3) | 0).int32(3);
    w.uint32((6 << 3) | 2).string('act-7');
    w.uint32((7 << 3) | 2).string('OrderWorkflow');
    w.uint32((8 << 3) | 2).string('chargeCard');
    w.uint32((9 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 0)
      .int32(1)
      .uint32((2 << 3) | 0)
      .int64(99)
      .ldelim(); // clock
    w.uint32((11 << 3) | 0).int64(0);
    w.uint32((12 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 0)
      .int64(1_700_000_000)
      .ldelim(); // started_time
    w.uint32((13 << 3) | 0).int64(1);
    w.uint32((15 << 3) | 0).int32(4);
    const expected = { kind: 'activity', namespaceId: 'ns-id', workflowId: 'wf-id', runId: 'run-id', scheduledEventId: 11, attempt: 3, activityId: 'act-7' };
    assert.deepEqual(decodeActivityTaskToken(w.finish()), expected);

    const reflected = TemporalTask.encode(
      TemporalTask.fromObject({
        namespace_id: 'ns-id',
        workflow_id: 'wf-id',
        run_id: 'run-id',
        scheduled_event_id: 2,
        attempt: 1,
        workflow_type: 'OrderWorkflow',
        started_event_id: 3,
        version: 0,
        started_time: { seconds: 1_700_000_000, nanos: 5 },
      }),
    ).finish();
    assert.deepEqual(decodeWorkflowTaskToken(reflected), {
      kind: 'workflow',
      namespaceId: 'ns-id',
      workflowId: 'wf-id',
      runId: 'run-id',
      scheduledEventId: 2,
      attempt: 1,
      startedEventId: 3,
    });
  });

  test("bytes that are not a Task are INVALID_ARGUMENT with Temporal's message", () => {
    const message = 'Error deserializing task token.';
    rejects(() => decodeActivityTaskToken(Buffer.from('not a task token')), 'INVALID_ARGUMENT', message);
    rejects(() => decodeWorkflowTaskToken(Buffer.from([0x0a, 0x05, 0x61])), 'INVALID_ARGUMENT', message); // truncated string
    rejects(() => decodeWorkflowTaskToken(Buffer.from([0x0a, 0x02, 0xff, 0xfe])), 'INVALID_ARGUMENT', message); // not UTF-8
    rejects(() => decodeQueryTaskToken(Buffer.from([0x0f, 0x00])), 'INVALID_ARGUMENT', message); // wire type 7
    rejects(() => decodeActivityTaskToken(Buffer.from('hg1:{"kind":"activity"}')), 'INVALID_ARGUMENT'); // an older Hourglass token
    for (let i = 0; i < 50; i++) rejects(() => decodeActivityTaskToken(randomBytes(48)), 'INVALID_ARGUMENT');
  });

  test('a well-formed Task without a namespace id, or without its run, is INVALID_ARGUMENT', () => {
    const noNamespace = TemporalTask.encode({ workflow_id: 'wf', run_id: 'r', activity_id: 'a' }).finish();
    rejects(() => decodeActivityTaskToken(noNamespace), 'INVALID_ARGUMENT', 'Namespace not set on request.');
    rejects(() => decodeQueryTaskToken(TemporalQueryTask.encode({ task_id: 'q' }).finish()), 'INVALID_ARGUMENT', 'Namespace not set on request.');
    const noRun = TemporalTask.encode({ namespace_id: 'ns', workflow_id: 'wf', activity_id: 'a' }).finish();
    rejects(() => decodeActivityTaskToken(noRun), 'INVALID_ARGUMENT', 'Error deserializing task token.');
  });

  test('a token of the other kind names no such task: NOT_FOUND, as Temporal finds none at its scheduled event id', () => {
    rejects(() => decodeActivityTaskToken(encodeTaskToken(workflow)), 'NOT_FOUND', /Activity task not found/);
    rejects(() => decodeWorkflowTaskToken(encodeTaskToken(activity)), 'NOT_FOUND', /Workflow task not found/);
  });
});
