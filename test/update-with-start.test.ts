import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  Connection,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { google, temporal } from '@temporalio/proto';
import Long from 'long';
import { eventNames, grpcCode, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { addItemUpdate, cart, closeCartSignal, itemsQuery, slowAddItemUpdate } from './workflows';

const env = useHourglassServer();
const Stage = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
const Conflict = temporal.api.enums.v1.WorkflowIdConflictPolicy;
const Reuse = temporal.api.enums.v1.WorkflowIdReusePolicy;
type IExecuteMultiOperationRequest = temporal.api.workflowservice.v1.IExecuteMultiOperationRequest;
type IStartRequest = temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest;
type IUpdateRequest = temporal.api.workflowservice.v1.IUpdateWorkflowExecutionRequest;
const INVALID_ARGUMENT = 3;
const ALREADY_EXISTS = 6;
const ABORTED = 10;
const FAILED = 'Update-with-Start could not be executed.';

// Raw calls go through a connection without the SDK's retry interceptor, so each sees the server's first answer.
let rawConnection: Promise<Connection> | undefined;
function raw(): Promise<Connection> {
  rawConnection ??= Connection.connect({ address: env.address, interceptors: [] });
  return rawConnection;
}
after(async () => {
  await (await rawConnection)?.close();
});

function executeMultiOperation(request: IExecuteMultiOperationRequest): Promise<temporal.api.workflowservice.v1.ExecuteMultiOperationResponse> {
  return raw().then((c) => c.workflowService.executeMultiOperation(request));
}

function updateEvents(names: string[]): string[] {
  return names.filter((n) => n.startsWith('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_'));
}

/** An update-with-start of `cart` + `addItem(n)` as the SDK sends it, with `start` and `update` fields overridden. */
function multiOperation(workflowId: string, n: number, start: IStartRequest = {}, update: IUpdateRequest = {}): IExecuteMultiOperationRequest {
  return {
    namespace: env.namespace,
    operations: [
      {
        startWorkflow: {
          namespace: env.namespace,
          workflowId,
          workflowType: { name: 'cart' },
          taskQueue: { name: workflowId },
          requestId: randomUUID(),
          workflowIdConflictPolicy: Conflict.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
          ...start,
        },
      },
      {
        updateWorkflow: {
          namespace: env.namespace,
          workflowExecution: { workflowId },
          waitPolicy: { lifecycleStage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED },
          request: {
            meta: { updateId: randomUUID() },
            input: { name: addItemUpdate.name, args: { payloads: [defaultPayloadConverter.toPayload(n)] } },
          },
          ...update,
        },
      },
    ],
  };
}

/** The per-operation statuses of a failed ExecuteMultiOperation (MultiOperationExecutionFailure), detail type by name. */
function operationStatuses(err: unknown): { code: number; message: string; detail?: string }[] {
  const bin = (err as { metadata?: { get(key: string): unknown[] } }).metadata?.get('grpc-status-details-bin')[0];
  assert.ok(bin instanceof Buffer, `no status details on ${String(err)}`);
  const [detail] = google.rpc.Status.decode(bin).details;
  assert.equal(detail?.type_url, 'type.googleapis.com/temporal.api.errordetails.v1.MultiOperationExecutionFailure');
  const { statuses } = temporal.api.errordetails.v1.MultiOperationExecutionFailure.decode(detail.value ?? new Uint8Array());
  return statuses.map((s) => ({ code: s.code ?? 0, message: s.message ?? '', detail: s.details?.[0]?.type_url?.split('/').pop() }));
}

const aborted = { code: ABORTED, message: 'Operation was aborted.', detail: 'temporal.api.failure.v1.MultiOperationExecutionAborted' };

describe('update-with-start (ExecuteMultiOperation [Start, Update])', () => {
  test('starts the workflow and returns the result of the update its first workflow task carried', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const startWorkflowOperation = new WithStartWorkflowOperation(cart, { taskQueue, workflowId: taskQueue, workflowIdConflictPolicy: 'FAIL' });
      assert.equal(await env.client.workflow.executeUpdateWithStart(addItemUpdate, { args: [7], startWorkflowOperation }), 7);
      const handle = await startWorkflowOperation.workflowHandle();
      assert.deepEqual(await handle.query(itemsQuery), [7]);
      const names = eventNames((await handle.fetchHistory()).events);
      assert.deepEqual(names.slice(0, 4), [
        'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
        'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
        'EVENT_TYPE_WORKFLOW_TASK_STARTED',
        'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
      ]);
      assert.deepEqual(updateEvents(names), ['EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED']);
      await handle.signal(closeCartSignal);
      assert.deepEqual(await handle.result(), [7]);
    });
  });

  test('USE_EXISTING sends the update to the running workflow instead of starting one', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const existing = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      assert.equal(await existing.executeUpdate(addItemUpdate, { args: [5] }), 5);
      const startWorkflowOperation = new WithStartWorkflowOperation(cart, { taskQueue, workflowId: taskQueue, workflowIdConflictPolicy: 'USE_EXISTING' });
      assert.equal(await env.client.workflow.executeUpdateWithStart(addItemUpdate, { args: [3], startWorkflowOperation }), 8);
      const handle = await startWorkflowOperation.workflowHandle();
      assert.equal((await handle.describe()).runId, existing.firstExecutionRunId);
      await existing.signal(closeCartSignal);
      assert.deepEqual(await existing.result(), [5, 3]);
    });
  });

  test('FAIL on a running workflow raises WorkflowExecutionAlreadyStartedError and sends no update', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const existing = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      const startWorkflowOperation = new WithStartWorkflowOperation(cart, { taskQueue, workflowId: taskQueue, workflowIdConflictPolicy: 'FAIL' });
      const err = await rejectionOf(env.client.workflow.executeUpdateWithStart(addItemUpdate, { args: [3], startWorkflowOperation }));
      assert.ok(err instanceof WorkflowExecutionAlreadyStartedError, `expected WorkflowExecutionAlreadyStartedError, got ${String(err)}`);
      assert.ok((await rejectionOf(startWorkflowOperation.workflowHandle())) instanceof WorkflowExecutionAlreadyStartedError);

      // On the wire: the start's ALREADY_EXISTS (with its details) is the call's code; the update was aborted.
      const wire = await rejectionOf(executeMultiOperation(multiOperation(taskQueue, 1)));
      assert.equal(grpcCode(wire), ALREADY_EXISTS);
      const [start, update] = operationStatuses(wire);
      assert.equal(start?.code, ALREADY_EXISTS);
      assert.equal(start?.detail, 'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure');
      assert.deepEqual(update, aborted);
      assert.deepEqual(await existing.query(itemsQuery), []);
      await existing.signal(closeCartSignal);
      await existing.result();
    });
  });

  test('TERMINATE_EXISTING terminates the running workflow and starts a new one that takes the update', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const existing = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
      const startWorkflowOperation = new WithStartWorkflowOperation(cart, { taskQueue, workflowId: taskQueue, workflowIdConflictPolicy: 'TERMINATE_EXISTING' });
      assert.equal(await env.client.workflow.executeUpdateWithStart(addItemUpdate, { args: [2], startWorkflowOperation }), 2);
      const handle = await startWorkflowOperation.workflowHandle();
      assert.notEqual((await handle.describe()).runId, existing.firstExecutionRunId);
      const old = env.client.workflow.getHandle(taskQueue, existing.firstExecutionRunId);
      assert.equal((await old.describe()).status.name, 'TERMINATED');
      await handle.signal(closeCartSignal);
      assert.deepEqual(await handle.result(), [2]);
    });
  });

  test('an update rejected by its validator raises WorkflowUpdateFailedError, and the workflow it started stays started', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const startWorkflowOperation = new WithStartWorkflowOperation(cart, { taskQueue, workflowId: taskQueue, workflowIdConflictPolicy: 'FAIL' });
      const err = await rejectionOf(env.client.workflow.executeUpdateWithStart(addItemUpdate, { args: [-1], startWorkflowOperation }));
      assert.ok(err instanceof WorkflowUpdateFailedError, `expected WorkflowUpdateFailedError, got ${String(err)}`);
      assert.match(String(err.cause?.message), /negative numbers are not allowed: -1/);
      const handle = await startWorkflowOperation.workflowHandle();
      assert.equal((await handle.describe()).status.name, 'RUNNING');
      assert.deepEqual(updateEvents(eventNames((await handle.fetchHistory()).events)), []);
      await handle.signal(closeCartSignal);
      assert.deepEqual(await handle.result(), []);
    });
  });

  test('waiting for ACCEPTED returns before the update completes; its handle gives the result later', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const startWorkflowOperation = new WithStartWorkflowOperation(cart, { taskQueue, workflowId: taskQueue, workflowIdConflictPolicy: 'FAIL' });
      const update = await env.client.workflow.startUpdateWithStart(slowAddItemUpdate, {
        args: [4, 1500],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
        updateId: 'slow',
        startWorkflowOperation,
      });
      assert.equal(update.updateId, 'slow');
      const handle = await startWorkflowOperation.workflowHandle();
      assert.deepEqual(updateEvents(eventNames((await handle.fetchHistory()).events)), ['EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED']);
      assert.equal(await update.result(), 4);
      await handle.signal(closeCartSignal);
      assert.deepEqual(await handle.result(), [4]);
    });
  });

  test('a start retried with the request ID that started the run updates that run (started: false), whatever the conflict policy', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const requestId = randomUUID();
      const first = await executeMultiOperation(multiOperation(taskQueue, 1, { requestId }));
      const second = await executeMultiOperation(multiOperation(taskQueue, 2, { requestId }));
      const [firstStart, secondStart] = [first.responses[0]?.startWorkflow, second.responses[0]?.startWorkflow];
      assert.equal(firstStart?.started, true);
      assert.equal(secondStart?.started, false);
      assert.equal(secondStart?.runId, firstStart?.runId);
      const outcome = (r: typeof first): unknown => defaultPayloadConverter.fromPayload(r.responses[1]?.updateWorkflow?.outcome?.success?.payloads?.[0] ?? {});
      assert.equal(outcome(first), 1);
      assert.equal(outcome(second), 3);
      const handle = env.client.workflow.getHandle(taskQueue);
      await handle.signal(closeCartSignal);
      assert.deepEqual(await handle.result(), [1, 2]);
    });
  });

  test('an update the reused run closed on before accepting it is sent again by the server, to the run it then starts', async (t) => {
    const taskQueue = uniqueName(t); // no worker polls it until the first run is terminated
    const existing = await env.client.workflow.start(cart, { taskQueue, workflowId: taskQueue });
    const useExisting = { workflowIdConflictPolicy: Conflict.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING };
    const request = multiOperation(taskQueue, 9, useExisting, {});
    const updateId = request.operations?.[1]?.updateWorkflow?.request?.meta?.updateId ?? '';
    const pending = executeMultiOperation(request);
    await waitFor('the update to be admitted to the running workflow', () =>
      env.connection.workflowService
        .pollWorkflowExecutionUpdate({
          namespace: env.namespace,
          updateRef: { workflowExecution: { workflowId: taskQueue, runId: existing.firstExecutionRunId }, updateId },
          waitPolicy: { lifecycleStage: Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED },
        })
        .then((r) => r.stage),
    );
    await existing.terminate('before any worker took the update');
    await withWorker(env, { taskQueue }, async () => {
      const response = await pending;
      const start = response.responses[0]?.startWorkflow;
      assert.equal(start?.started, true);
      assert.notEqual(start?.runId, existing.firstExecutionRunId);
      const outcome = response.responses[1]?.updateWorkflow?.outcome;
      assert.equal(defaultPayloadConverter.fromPayload(outcome?.success?.payloads?.[0] ?? {}), 9);
      const handle = env.client.workflow.getHandle(taskQueue);
      await handle.signal(closeCartSignal);
      assert.deepEqual(await handle.result(), [9]);
    });
  });

  test('the same update ID sent again returns the completed outcome without running the handler again', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async () => {
      const request = multiOperation(taskQueue, 6);
      const first = await executeMultiOperation(request);
      const again = await executeMultiOperation(request);
      assert.deepEqual(again.responses[1]?.updateWorkflow?.outcome, first.responses[1]?.updateWorkflow?.outcome);
      assert.equal(again.responses[1]?.updateWorkflow?.stage, Stage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED);
      const handle = env.client.workflow.getHandle(taskQueue);
      assert.deepEqual(await handle.query(itemsQuery), [6]);
      await handle.signal(closeCartSignal);
      await handle.result();
    });
  });
});

describe('update-with-start requests Temporal refuses (INVALID_ARGUMENT)', () => {
  test('operations other than exactly [Start, Update] are refused outright', async (t) => {
    const id = uniqueName(t);
    const [start = {}, update = {}] = multiOperation(id, 1).operations ?? [];
    for (const operations of [[start], [update, start], [start, update, update], []]) {
      const err = await rejectionOf(executeMultiOperation({ namespace: env.namespace, operations }));
      assert.equal(grpcCode(err), INVALID_ARGUMENT);
      assert.equal((err as Error & { details?: string }).details, 'Operations have to be exactly [Start, Update].');
    }
  });

  const refusals: [string, (id: string) => IExecuteMultiOperationRequest, 'start' | 'update', string][] = [
    ['a cron schedule', (id) => multiOperation(id, 1, { cronSchedule: '* * * * *' }), 'start', 'CronSchedule is not allowed.'],
    ['eager execution', (id) => multiOperation(id, 1, { requestEagerExecution: true }), 'start', 'RequestEagerExecution is not supported.'],
    ['a start delay', (id) => multiOperation(id, 1, { workflowStartDelay: { seconds: Long.fromNumber(5) } }), 'start', 'WorkflowStartDelay is not supported.'],
    [
      'REJECT_DUPLICATE with TERMINATE_EXISTING',
      (id) =>
        multiOperation(id, 1, {
          workflowIdReusePolicy: Reuse.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
          workflowIdConflictPolicy: Conflict.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING,
        }),
      'start',
      'Invalid WorkflowIDReusePolicy: WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE cannot be used together with WorkflowIdConflictPolicy WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING',
    ],
    ['another namespace', (id) => multiOperation(id, 1, { namespace: 'elsewhere' }), 'start', "Operation namespace did not match request's namespace."],
    [
      'a workflow ID of its own',
      (id) => multiOperation(id, 1, {}, { workflowExecution: { workflowId: `${id}-other` } }),
      'update',
      'WorkflowId is not consistent with previous operation(s).',
    ],
    ['a run ID', (id) => multiOperation(id, 1, {}, { workflowExecution: { workflowId: id, runId: randomUUID() } }), 'update', 'RunId is not allowed.'],
    ['a first execution run ID', (id) => multiOperation(id, 1, {}, { firstExecutionRunId: randomUUID() }), 'update', 'FirstExecutionRunId is not allowed.'],
    ['no update meta', (id) => multiOperation(id, 1, {}, { request: { input: { name: 'addItem' } } }), 'update', 'Update meta is not set on request.'],
    ['no update name', (id) => multiOperation(id, 1, {}, { request: { meta: { updateId: 'u' }, input: {} } }), 'update', 'Update name is not set on request.'],
  ];
  for (const [what, request, operation, message] of refusals) {
    test(`an update-with-start with ${what} fails its ${operation} operation with "${message}" and aborts the other`, async (t) => {
      const id = uniqueName(t);
      const err = await rejectionOf(executeMultiOperation(request(id)));
      assert.equal(grpcCode(err), INVALID_ARGUMENT);
      assert.equal((err as Error & { details?: string }).details, FAILED);
      const refused = { code: INVALID_ARGUMENT, message, detail: undefined };
      assert.deepEqual(operationStatuses(err), operation === 'start' ? [refused, aborted] : [aborted, refused]);
      const listed = await env.client.workflow.count(`WorkflowId = '${id}'`);
      assert.equal(listed.count, 0, 'nothing was started');
    });
  }

  test('the SDK reports the refused operation: its status message becomes the error message', async (t) => {
    const taskQueue = uniqueName(t);
    const startWorkflowOperation = new WithStartWorkflowOperation(cart, {
      taskQueue,
      workflowId: taskQueue,
      workflowIdConflictPolicy: 'FAIL',
      cronSchedule: '* * * * *',
    });
    const err = await rejectionOf(env.client.workflow.executeUpdateWithStart(addItemUpdate, { args: [1], startWorkflowOperation }));
    assert.equal(grpcCode(err), INVALID_ARGUMENT);
    assert.match(String((err as Error).cause ?? err), /CronSchedule is not allowed\./);
  });
});
