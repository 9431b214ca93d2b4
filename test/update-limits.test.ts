import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection, WithStartWorkflowOperation, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { google, temporal } from '@temporalio/proto';
import { grpcCode, grpcDetails, needsInProcessServer, rejectionOf, uniqueName, useHourglassServer, withWorker } from './helpers';
import { addItemUpdate, cart, closeCartSignal, itemsQuery, slowAddItemUpdate } from './workflows';

/** Small limits in place of Temporal's 10 in flight and 2000 in all (history.maxInFlightUpdates, history.maxTotalUpdates). */
const env = useHourglassServer({ dynamicConfig: { 'history.maxInFlightUpdates': 2, 'history.maxTotalUpdates': 3 } });
const RESOURCE_EXHAUSTED = 8;
const FAILED_PRECONDITION = 9;

// A client without the SDK's retry interceptor sees the first answer (the SDK retries RESOURCE_EXHAUSTED).
let noRetry: Promise<Client> | undefined;
function clientWithoutRetries(): Promise<Client> {
  noRetry ??= Connection.connect({ address: env.address, interceptors: [] }).then((connection) => new Client({ connection, namespace: env.namespace }));
  return noRetry;
}
after(async () => {
  await (await noRetry)?.connection.close();
});

function statusDetails(err: unknown): google.protobuf.IAny[] {
  let e: unknown = err;
  while (e && typeof e === 'object' && !('metadata' in e)) e = (e as { cause?: unknown }).cause;
  const bin = (e as { metadata?: { get(key: string): unknown[] } } | undefined)?.metadata?.get('grpc-status-details-bin')[0];
  return bin instanceof Buffer ? google.rpc.Status.decode(bin).details : [];
}

describe('per-run update limits', needsInProcessServer('the limits are server options'), () => {
  test('past the in-flight limit an update fails early with RESOURCE_EXHAUSTED; a completed one frees its place', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      const accepted = { waitForStage: WorkflowUpdateStage.ACCEPTED } as const;
      const a = await handle.startUpdate(slowAddItemUpdate, { ...accepted, args: [1, 1500], updateId: 'a' });
      const b = await handle.startUpdate(slowAddItemUpdate, { ...accepted, args: [2, 1500], updateId: 'b' });

      const client = await clientWithoutRetries();
      const err = await rejectionOf(client.workflow.getHandle(taskQueue).executeUpdate(addItemUpdate, { args: [3], updateId: 'c' }));
      assert.equal(grpcCode(err), RESOURCE_EXHAUSTED);
      assert.match(String(err), /Workflow Update failed/);
      const [detail] = statusDetails(err);
      assert.equal(detail?.type_url, 'type.googleapis.com/temporal.api.errordetails.v1.ResourceExhaustedFailure');
      const failure = temporal.api.errordetails.v1.ResourceExhaustedFailure.decode(detail.value ?? new Uint8Array());
      assert.equal(failure.cause, temporal.api.enums.v1.ResourceExhaustedCause.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT);

      // An update the run already has is no new update: it is answered.
      const again = await client.workflow.getHandle(taskQueue).startUpdate(slowAddItemUpdate, { ...accepted, args: [1, 1500], updateId: 'a' });
      assert.equal(again.updateId, 'a');

      assert.equal((await a.result()) + (await b.result()), 1 + 3);
      assert.equal(await handle.executeUpdate(addItemUpdate, { args: [3], updateId: 'c' }), 6);
      await handle.signal(closeCartSignal);
      assert.deepEqual((await handle.result()).sort(), [1, 2, 3]);
    });
  });

  test('past the total limit an update fails with FAILED_PRECONDITION; rejected updates do not count', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const handle = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      assert.equal(await handle.executeUpdate(addItemUpdate, { args: [1], updateId: 'one' }), 1);
      assert.ok((await rejectionOf(handle.executeUpdate(addItemUpdate, { args: [-1] }))) instanceof WorkflowUpdateFailedError);
      assert.equal(await handle.executeUpdate(addItemUpdate, { args: [2] }), 3);
      assert.equal(await handle.executeUpdate(addItemUpdate, { args: [3] }), 6);

      const err = await rejectionOf(handle.executeUpdate(addItemUpdate, { args: [4] }));
      assert.equal(grpcCode(err), FAILED_PRECONDITION);
      assert.match(
        grpcDetails((err as Error).cause),
        /^The limit on the total number of distinct updates in this workflow has been reached \(3\)\. Make sure any duplicate updates share an Update ID/,
      );
      // A completed update sent again is still answered from history.
      assert.equal(await handle.executeUpdate(addItemUpdate, { args: [1], updateId: 'one' }), 1);

      // Update-with-start reusing the run: the start is aborted, the update fails as it would alone.
      const startWorkflowOperation = new WithStartWorkflowOperation(cart, { taskQueue, workflowId: taskQueue, workflowIdConflictPolicy: 'USE_EXISTING' });
      const uws = await rejectionOf(env.client.workflow.executeUpdateWithStart(addItemUpdate, { args: [5], startWorkflowOperation }));
      assert.equal(grpcCode(uws), FAILED_PRECONDITION);
      // The SDK raises the gRPC error with the failed operation's code and message.
      assert.match((uws as Error).message, /^The limit on the total number of distinct updates/);

      assert.deepEqual(await handle.query(itemsQuery), [1, 2, 3]);
      await handle.signal(closeCartSignal);
      await handle.result();
    });
  });
});
