import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { ActivityCompletionError, ActivityNotFoundError, NamespaceNotFoundError } from '@temporalio/client';
import { activityInfo, CompleteAsyncError } from '@temporalio/activity';
import { Reader, Writer } from 'protobufjs/minimal';
import { activities, grpcCode, grpcDetails, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { sequentialActivities } from './workflows';

/** Two namespaces: tokens are checked against the request's. */
const env = useHourglassServer({ namespaces: ['tokens-other'] });

/** Reads one string field of a Temporal `Task` token. */
function stringField(token: Uint8Array, wanted: number): string {
  const r = Reader.create(token);
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === wanted && (tag & 7) === 2) return r.string();
    r.skipType(tag & 7);
  }
  return '';
}

/** A `temporal.server.api.token.v1.Task` built by hand, as another Temporal tool would. */
function taskToken(f: { namespaceId: string; workflowId: string; runId: string; scheduledEventId: number; attempt: number; activityId: string }): Uint8Array {
  const w = Writer.create();
  w.uint32((1 << 3) | 2).string(f.namespaceId);
  w.uint32((2 << 3) | 2).string(f.workflowId);
  w.uint32((3 << 3) | 2).string(f.runId);
  w.uint32((4 << 3) | 0).int64(f.scheduledEventId);
  w.uint32((5 << 3) | 0).int32(f.attempt);
  w.uint32((6 << 3) | 2).string(f.activityId);
  w.uint32((8 << 3) | 2).string('echo');
  return w.finish();
}

/**
 * Runs `sequentialActivities(['a'])` with an `echo` that hands its token out and completes asynchronously; `fn` gets
 * the captured token while the activity is open and returns what to complete it with.
 */
async function withOpenActivity(taskQueue: string, fn: (token: Uint8Array) => Promise<string>): Promise<string[]> {
  let captured: Uint8Array | undefined;
  const echo = async (): Promise<string> => {
    captured = activityInfo().taskToken;
    throw new CompleteAsyncError();
  };
  return withWorker(env, { taskQueue, activities: { ...activities, echo } }, async () => {
    const handle = await env.client.workflow.start(sequentialActivities, { taskQueue, workflowId: taskQueue, args: [['a']] });
    const token = await waitFor('the activity to start', () => captured);
    await env.client.activity.complete(token, await fn(token));
    return handle.result();
  });
}

describe('task tokens (Temporal format)', () => {
  test('a token captured in the activity completes it asynchronously, after heartbeats', async (t) => {
    const taskQueue = uniqueName(t);
    const result = await withOpenActivity(taskQueue, async (token) => {
      assert.equal(stringField(token, 2), taskQueue, 'workflow_id (2) is the workflow id');
      assert.equal(stringField(token, 6), '1', 'activity_id (6) is the activity id');
      await env.client.activity.heartbeat(token, { progress: 1 });
      return 'async';
    });
    assert.deepEqual(result, ['ASYNC']);
  });

  test('a well-formed token for an activity that does not exist is ActivityNotFoundError', async (t) => {
    const taskQueue = uniqueName(t);
    let stale: Uint8Array | undefined;
    await withOpenActivity(taskQueue, async (token) => {
      const real = { namespaceId: stringField(token, 1), workflowId: taskQueue, runId: stringField(token, 3), scheduledEventId: 5, attempt: 1 };
      const noSuchActivity = taskToken({ ...real, scheduledEventId: 999, activityId: 'nope' });
      const noSuchWorkflow = taskToken({ ...real, workflowId: `${taskQueue}-missing`, activityId: '1' });
      for (const bad of [noSuchActivity, noSuchWorkflow]) {
        assert.ok((await rejectionOf(env.client.activity.complete(bad, 'x'))) instanceof ActivityNotFoundError);
        assert.ok((await rejectionOf(env.client.activity.heartbeat(bad))) instanceof ActivityNotFoundError);
        assert.ok((await rejectionOf(env.client.activity.fail(bad, new Error('x')))) instanceof ActivityNotFoundError);
      }
      stale = token;
      return 'done';
    });
    // Completed, the activity's own token names an activity that no longer exists.
    assert.ok(stale);
    assert.ok((await rejectionOf(env.client.activity.complete(stale, 'again'))) instanceof ActivityNotFoundError);
  });

  test("garbage is INVALID_ARGUMENT 'Error deserializing task token.'", async () => {
    const garbage = [Buffer.from('not a task token'), randomBytes(48), Buffer.from('hg1:{"kind":"activity"}')];
    for (const taskToken of garbage) {
      const err = await rejectionOf(env.connection.workflowService.respondActivityTaskCompleted({ namespace: env.namespace, taskToken }));
      assert.equal(grpcCode(err), status.INVALID_ARGUMENT, grpcDetails(err));
    }
    const err = await rejectionOf(env.connection.workflowService.recordActivityTaskHeartbeat({ namespace: env.namespace, taskToken: Buffer.from('nope') }));
    assert.equal(grpcCode(err), status.INVALID_ARGUMENT);
    assert.equal(grpcDetails(err), 'Error deserializing task token.');
    const viaSdk = await rejectionOf(env.client.activity.complete(Buffer.from('not a task token'), 'x'));
    assert.ok(viaSdk instanceof ActivityCompletionError);
    assert.equal(viaSdk.message, 'Error deserializing task token.');
  });

  test("namespaces are checked in Temporal's order: the request's, then the token, then the token's", async (t) => {
    const taskQueue = uniqueName(t);
    await withOpenActivity(taskQueue, async (token) => {
      const svc = env.connection.workflowService;
      // An unknown request namespace is reported before the token is looked at.
      const unknown = await rejectionOf(svc.respondActivityTaskCompleted({ namespace: 'no-such-namespace', taskToken: Buffer.from('garbage') }));
      assert.equal(grpcCode(unknown), status.NOT_FOUND);
      assert.match(grpcDetails(unknown), /Namespace no-such-namespace is not found/);
      // A token from another namespace than the request's.
      const mismatch = await rejectionOf(svc.respondActivityTaskCompleted({ namespace: 'tokens-other', taskToken: token }));
      assert.equal(grpcCode(mismatch), status.INVALID_ARGUMENT);
      assert.equal(grpcDetails(mismatch), 'Operation requested with a token from a different namespace.');
      // A token naming a namespace id nobody registered.
      const forged = taskToken({
        namespaceId: 'not-a-namespace-id',
        workflowId: taskQueue,
        runId: stringField(token, 3),
        scheduledEventId: 5,
        attempt: 1,
        activityId: '1',
      });
      assert.ok((await rejectionOf(env.client.activity.complete(forged, 'x'))) instanceof NamespaceNotFoundError);
      // Without a request namespace, the token's is used.
      await svc.recordActivityTaskHeartbeat({ taskToken: token });
      return 'ordered';
    });
  });
});
