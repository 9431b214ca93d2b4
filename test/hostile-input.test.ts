/**
 * Hostile input (issue 17, the defects a fuzzer found): whatever a client sends — broken framing, a
 * foreign content type, an enormous timeout or name, a filter built to exhaust the parser, values of
 * the wrong type, a malformed protocol message — is answered with the gRPC status Temporal (or
 * grpc-go) gives, nothing of a refused request is applied, and the server keeps serving.
 */
import assert from 'node:assert/strict';
import type http2 from 'node:http2';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import Long from 'long';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { delay, grpcCode, rejectionOf, uniqueName, useHourglassServer } from './helpers';
import { frame, rawCall, type Answer } from './raw-grpc';

const { workflowservice } = temporal.api;
const SERVICE = '/temporal.api.workflowservice.v1.WorkflowService';
const Code = { OK: 0, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, INTERNAL: 13 } as const;

const env = useHourglassServer();

/** One raw call to this file's server. */
function call(path: string, body: Buffer, headers: http2.OutgoingHttpHeaders = {}): { answer: Promise<Answer>; cancel: () => void } {
  return rawCall(env.address, path, body, headers);
}

function startRequest(workflowId: string): Uint8Array {
  return workflowservice.v1.StartWorkflowExecutionRequest.encode({
    namespace: env.namespace,
    workflowId,
    workflowType: { name: 'never-run' },
    taskQueue: { name: workflowId },
    requestId: randomUUID(),
  }).finish();
}

async function assertNotStarted(workflowId: string): Promise<void> {
  const err = await rejectionOf(env.client.workflow.getHandle(workflowId).describe(), `describe ${workflowId}`);
  assert.ok(err instanceof WorkflowNotFoundError, `${workflowId} should not exist`);
}

/** The gRPC status message along an error's cause chain (the SDK wraps a failed call in its own error). */
function grpcDetails(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const { details } = e as { details?: unknown };
    if (typeof details === 'string') return details;
    e = (e as { cause?: unknown }).cause;
  }
  return String(err);
}

async function assertStillServing(): Promise<void> {
  const info = await env.connection.workflowService.getSystemInfo({});
  assert.ok(info.serverVersion);
}

describe('gRPC framing: a unary request is exactly one whole message', () => {
  test('a body shorter than its length prefix is INTERNAL and nothing of it is applied', async (t) => {
    const workflowId = uniqueName(t);
    const message = startRequest(workflowId);
    const answer = await call(`${SERVICE}/StartWorkflowExecution`, frame(message, { length: message.length + 10 })).answer;
    assert.equal(answer.grpcStatus, Code.INTERNAL);
    assert.match(answer.grpcMessage ?? '', /incomplete message/);
    await assertNotStarted(workflowId);
  });

  test('trailing bytes after the message are INTERNAL and nothing is applied', async (t) => {
    const workflowId = uniqueName(t);
    const answer = await call(`${SERVICE}/StartWorkflowExecution`, Buffer.concat([frame(startRequest(workflowId)), Buffer.from([1, 2])])).answer;
    assert.equal(answer.grpcStatus, Code.INTERNAL);
    await assertNotStarted(workflowId);
  });

  test('a second message in a unary call is INTERNAL and neither is applied', async (t) => {
    const workflowId = uniqueName(t);
    const body = Buffer.concat([frame(startRequest(workflowId)), frame(startRequest(`${workflowId}-2`))]);
    const answer = await call(`${SERVICE}/StartWorkflowExecution`, body).answer;
    assert.equal(answer.grpcStatus, Code.INTERNAL);
    assert.match(answer.grpcMessage ?? '', /second request message/);
    await assertNotStarted(workflowId);
    await assertNotStarted(`${workflowId}-2`);
  });

  test('a compressed flag other than 0 or 1 is INTERNAL', async () => {
    const body = frame(workflowservice.v1.GetSystemInfoRequest.encode({}).finish());
    body.writeUInt8(7, 0);
    const answer = await call(`${SERVICE}/GetSystemInfo`, body).answer;
    assert.equal(answer.grpcStatus, Code.INTERNAL);
    await assertStillServing();
  });
});

describe('content types: only the proto codec is spoken', () => {
  const getSystemInfo = (): Buffer => frame(workflowservice.v1.GetSystemInfoRequest.encode({}).finish());

  test('application/grpc, application/grpc+proto and either with parameters are answered', async () => {
    for (const contentType of ['application/grpc', 'application/grpc+proto', 'application/grpc; charset=utf-8', 'application/grpc+proto;x=1']) {
      const answer = await call(`${SERVICE}/GetSystemInfo`, getSystemInfo(), { 'content-type': contentType }).answer;
      assert.equal(answer.grpcStatus, Code.OK, contentType);
    }
  });

  test('any other content type gets HTTP 415 with INVALID_ARGUMENT naming it, as grpc-go answers', async () => {
    for (const contentType of ['application/grpc+json', 'application/json', 'text/plain', 'application/grpcx']) {
      const answer = await call(`${SERVICE}/GetSystemInfo`, getSystemInfo(), { 'content-type': contentType }).answer;
      assert.equal(answer.httpStatus, 415, contentType);
      assert.equal(answer.grpcStatus, Code.INVALID_ARGUMENT, contentType);
      assert.equal(answer.grpcMessage, `invalid gRPC request content-type "${contentType}"`);
    }
  });

  test('a method other than POST gets HTTP 405', async () => {
    const answer = await call(`${SERVICE}/GetSystemInfo`, Buffer.alloc(0), { ':method': 'PUT' }).answer;
    assert.equal(answer.httpStatus, 405);
    assert.equal(answer.grpcStatus, Code.INTERNAL);
  });
});

describe('grpc-timeout', () => {
  test('a timeout of 2^31 ms or more does not expire at once: the long poll is held', async (t) => {
    const poll = frame(workflowservice.v1.PollWorkflowTaskQueueRequest.encode({ namespace: env.namespace, taskQueue: { name: uniqueName(t) } }).finish());
    for (const timeout of ['2147484S', '99999999H']) {
      const { answer, cancel } = call(`${SERVICE}/PollWorkflowTaskQueue`, poll, { 'grpc-timeout': timeout });
      const first = await Promise.race([answer, delay(500).then(() => 'still polling' as const)]);
      cancel();
      answer.catch(() => undefined);
      assert.equal(first, 'still polling', `grpc-timeout ${timeout}`);
    }
  });

  test('a short timeout still ends the poll with DEADLINE_EXCEEDED', async (t) => {
    const poll = frame(workflowservice.v1.PollWorkflowTaskQueueRequest.encode({ namespace: env.namespace, taskQueue: { name: uniqueName(t) } }).finish());
    const answer = await call(`${SERVICE}/PollWorkflowTaskQueue`, poll, { 'grpc-timeout': '100m' }).answer;
    assert.equal(answer.grpcStatus, Code.DEADLINE_EXCEEDED);
  });
});

describe('client input echoed in status messages', () => {
  test('a 70 KB namespace name is INVALID_ARGUMENT "Namespace length exceeds limit.", as Temporal limits it to limit.maxIDLength', async () => {
    const namespace = 'n'.repeat(70 * 1024);
    const err = await rejectionOf(env.connection.workflowService.describeNamespace({ namespace }));
    assert.equal(grpcCode(err), Code.INVALID_ARGUMENT);
    assert.equal(grpcDetails(err), 'Namespace length exceeds limit.');
    const raw = await call(`${SERVICE}/DescribeNamespace`, frame(workflowservice.v1.DescribeNamespaceRequest.encode({ namespace }).finish())).answer;
    assert.equal(raw.grpcStatus, Code.INVALID_ARGUMENT);
  });

  test('a 1001-character workflow id on a start is INVALID_ARGUMENT "WorkflowId exceeds maximum allowed length (1001/1000)"', async () => {
    const err = await rejectionOf(env.client.workflow.start('never-run', { workflowId: 'w'.repeat(1001), taskQueue: 'hostile-input' }));
    assert.equal(grpcCode(err), Code.INVALID_ARGUMENT);
    assert.equal(grpcDetails(err), 'WorkflowId exceeds maximum allowed length (1001/1000)');
  });

  test('a message quoting 70 KB of input is truncated in the trailers: the status arrives, not RST_STREAM', async () => {
    const name = 'A'.repeat(70 * 1024);
    const request = workflowservice.v1.CountWorkflowExecutionsRequest.encode({ namespace: env.namespace, query: `${name} = 'x'` }).finish();
    const answer = await call(`${SERVICE}/CountWorkflowExecutions`, frame(request)).answer;
    assert.equal(answer.grpcStatus, Code.INVALID_ARGUMENT);
    assert.match(answer.grpcMessage ?? '', /^invalid query: unknown search attribute 'AAAA/);
    assert.match(answer.grpcMessage ?? '', /… \(truncated\)$/);
    assert.ok(Buffer.byteLength(answer.grpcMessage ?? '') <= 4096);
    await assertStillServing();
  });

  test('an emoji where a list filter expects a token is INVALID_ARGUMENT naming it, through the SDK; the server keeps serving', async () => {
    const err = await rejectionOf(
      (async () => {
        for await (const _ of env.client.workflow.list({ query: 'WorkflowId = 😀' })) void _;
      })(),
    );
    assert.equal(grpcCode(err), Code.INVALID_ARGUMENT);
    assert.match(grpcDetails(err), /unexpected character '😀' at position 14/);
    await assertStillServing();
  });
});

describe('list filters built to exhaust the server', () => {
  async function listError(query: string): Promise<unknown> {
    return rejectionOf(
      (async () => {
        for await (const _ of env.client.workflow.list({ query })) void _;
      })(),
      `list ${query.slice(0, 40)}`,
    );
  }

  test('deep nesting, long NOT chains, huge IN lists and expressions are INVALID_ARGUMENT naming the bound', async () => {
    const cases: [string, RegExp][] = [
      [`${'('.repeat(20_000)}WorkflowId = 'x'${')'.repeat(20_000)}`, /nested deeper than 100 levels/],
      [`${'NOT '.repeat(200_000)}WorkflowId = 'x'`, /nested deeper than 100 levels/],
      [`WorkflowId IN (${Array.from({ length: 50_000 }, (_, i) => `'w${i}'`).join(',')})`, /more than 5000 values/],
      [Array.from({ length: 50_000 }, (_, i) => `WorkflowId = 'w${i}'`).join(' OR '), /more than 1000 comparisons/],
    ];
    for (const [query, message] of cases) {
      const err = await listError(query);
      assert.equal(grpcCode(err), Code.INVALID_ARGUMENT, query.slice(0, 40));
      assert.match(grpcDetails(err), message);
      const countErr = await rejectionOf(env.client.workflow.count(query));
      assert.equal(grpcCode(countErr), Code.INVALID_ARGUMENT, query.slice(0, 40));
    }
    await assertStillServing();
  });

  test('a chain of 900 ORs is answered', async () => {
    const query = Array.from({ length: 900 }, (_, i) => `WorkflowId = 'absent-${i}'`).join(' OR ');
    assert.equal((await env.client.workflow.count(query)).count, 0);
  });

  test('a Datetime literal out of range is INVALID_ARGUMENT', async () => {
    const err = await listError('StartTime > 99999999999999999999999');
    assert.equal(grpcCode(err), Code.INVALID_ARGUMENT);
    assert.match(grpcDetails(err), /requires an RFC 3339 datetime/);
  });

  test('a page token that is not one the server gave is INVALID_ARGUMENT "Invalid NextPageToken."', async () => {
    for (const token of ['abc', ' ', '1e300', '-1']) {
      const err = await rejectionOf(
        env.connection.workflowService.listWorkflowExecutions({ namespace: env.namespace, pageSize: 5, nextPageToken: Buffer.from(token) }),
      );
      assert.equal(grpcCode(err), Code.INVALID_ARGUMENT, token);
      assert.equal(grpcDetails(err), 'Invalid NextPageToken.');
    }
  });
});

describe('search attribute values of the wrong type', () => {
  const json = (text: string): temporal.api.common.v1.IPayload => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(text) });
  const bytes: temporal.api.common.v1.IPayload = { metadata: { encoding: Buffer.from('binary/plain') }, data: Buffer.from([1, 2, 3]) };
  const bad: [string, temporal.api.common.v1.IPayload, string][] = [
    ['CustomIntField', json('"abc"'), 'invalid value for search attribute CustomIntField of type Int: abc'],
    ['CustomKeywordField', bytes, 'invalid value for search attribute CustomKeywordField of type Keyword: [1 2 3]'],
    ['CustomKeywordField', json('{not json'), 'invalid value for search attribute CustomKeywordField of type Keyword: value from <'],
    ['CustomBoolField', json('"yes"'), 'invalid value for search attribute CustomBoolField of type Bool: yes'],
    ['CustomDatetimeField', json('"tomorrow"'), 'invalid value for search attribute CustomDatetimeField of type Datetime: tomorrow'],
  ];

  test('a start or signal-with-start carrying one is INVALID_ARGUMENT naming the attribute; describe and list keep working', async (t) => {
    for (const [name, payload, message] of bad) {
      const workflowId = `${uniqueName(t)}-${name}`;
      const common = {
        namespace: env.namespace,
        workflowId,
        workflowType: { name: 'never-run' },
        taskQueue: { name: workflowId },
        searchAttributes: { indexedFields: { [name]: payload } },
      };
      const start = await rejectionOf(env.connection.workflowService.startWorkflowExecution({ ...common, requestId: randomUUID() }));
      assert.equal(grpcCode(start), Code.INVALID_ARGUMENT, name);
      assert.ok(grpcDetails(start).startsWith(message), `${grpcDetails(start)} starts with ${message}`);
      const signalWithStart = await rejectionOf(
        env.connection.workflowService.signalWithStartWorkflowExecution({ ...common, signalName: 's', requestId: randomUUID() }),
      );
      assert.equal(grpcCode(signalWithStart), Code.INVALID_ARGUMENT, name);
      assert.ok(grpcDetails(signalWithStart).startsWith(message));
      await assertNotStarted(workflowId);
    }
    assert.ok((await env.client.workflow.count()).count >= 0);
  });

  test('a schedule whose start action carries one is INVALID_ARGUMENT', async (t) => {
    const err = await rejectionOf(
      env.connection.workflowService.createSchedule({
        namespace: env.namespace,
        scheduleId: uniqueName(t),
        requestId: randomUUID(),
        schedule: {
          spec: { interval: [{ interval: { seconds: Long.fromNumber(3600) } }] },
          action: {
            startWorkflow: {
              workflowId: uniqueName(t),
              workflowType: { name: 'never-run' },
              taskQueue: { name: 'hostile-input' },
              searchAttributes: { indexedFields: { CustomIntField: json('1.5') } },
            },
          },
        },
      }),
    );
    assert.equal(grpcCode(err), Code.INVALID_ARGUMENT);
    assert.match(grpcDetails(err), /invalid value for search attribute CustomIntField of type Int: 1\.5/);
  });
});

describe('a malformed update protocol message in a workflow task completion', () => {
  test('a body that is not the message its type names is INVALID_ARGUMENT and fails the task with BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE', async (t) => {
    const workflowId = uniqueName(t);
    const service = env.connection.workflowService;
    await service.startWorkflowExecution({
      namespace: env.namespace,
      workflowId,
      workflowType: { name: 'raw' },
      taskQueue: { name: workflowId },
      requestId: randomUUID(),
    });
    const bodies = [
      // A length-delimited field 1 announcing 5 bytes, holding one.
      { type_url: 'type.googleapis.com/temporal.api.update.v1.Acceptance', value: Buffer.from([0x0a, 0x05, 0x01]) },
      { type_url: 'type.googleapis.com/temporal.api.common.v1.Payload', value: Buffer.alloc(0) },
    ];
    for (const body of bodies) {
      const task = await service.pollWorkflowTaskQueue({ namespace: env.namespace, taskQueue: { name: workflowId }, identity: 'raw' });
      const err = await rejectionOf(
        service.respondWorkflowTaskCompleted({
          namespace: env.namespace,
          taskToken: task.taskToken,
          identity: 'raw',
          messages: [{ id: 'm1', protocolInstanceId: 'u1', body }],
        }),
      );
      assert.equal(grpcCode(err), Code.INVALID_ARGUMENT, body.type_url);
    }
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const failures = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
    assert.equal(failures.length, 1); // the second attempt is left to time out, as Temporal does
    assert.equal(
      failures[0]?.workflowTaskFailedEventAttributes?.cause,
      temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
    );
    assert.match(failures[0]?.workflowTaskFailedEventAttributes?.failure?.message ?? '', /unable to unmarshal request/);
  });
});
