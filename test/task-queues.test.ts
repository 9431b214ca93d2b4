import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { temporal } from '@temporalio/proto';
import { grpcCode, grpcDetails, rejectionOf, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';
import { waitForFinish } from './workflows';

const env = useHourglassServer();
const { TaskQueueType, TaskQueueKind, DescribeTaskQueueMode } = temporal.api.enums.v1;
type DescribeRequest = temporal.api.workflowservice.v1.IDescribeTaskQueueRequest;
type DescribeResponse = temporal.api.workflowservice.v1.IDescribeTaskQueueResponse;
type PollerInfo = temporal.api.taskqueue.v1.IPollerInfo;

function describeQueue(name: string, request: Partial<DescribeRequest> = {}): Promise<DescribeResponse> {
  return env.client.workflowService.describeTaskQueue({ namespace: env.namespace, taskQueue: { name }, ...request });
}

function accessTimeMs(p: PollerInfo): number {
  return Number(p.lastAccessTime?.seconds ?? 0) * 1000 + Math.floor((p.lastAccessTime?.nanos ?? 0) / 1e6);
}

/** Waits until `identity` is listed as a poller of the queue's `type`, and returns its entry. */
function pollerOf(name: string, type: temporal.api.enums.v1.TaskQueueType, identity: string): Promise<PollerInfo> {
  return waitFor(`${identity} polling ${name} (type ${type})`, async () => {
    const res = await describeQueue(name, { taskQueueType: type });
    return res.pollers?.find((p) => p.identity === identity);
  });
}

async function expectInvalid(call: Promise<unknown>, code: status, message: string | RegExp): Promise<void> {
  const err = await rejectionOf(call);
  assert.equal(grpcCode(err), code, grpcDetails(err));
  if (typeof message === 'string') assert.equal(grpcDetails(err), message);
  else assert.match(grpcDetails(err), message);
}

describe('DescribeTaskQueue', () => {
  test("a running worker is listed on the workflow and the activity queue with its identity, a recent access time and Temporal's default rate", async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async (worker) => {
      const identity = worker.options.identity;
      for (const type of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
        const poller = await pollerOf(taskQueue, type, identity);
        const age = Date.now() - accessTimeMs(poller);
        assert.ok(age >= -1000 && age < 70_000, `lastAccessTime ${age} ms ago`);
        assert.equal(poller.ratePerSecond, 100_000);
      }
      // Unspecified type is the workflow type.
      const res = await describeQueue(taskQueue);
      assert.ok(res.pollers?.some((p) => p.identity === identity));
    });
  });

  test('after its worker stops, the poller is still listed (recently seen)', async (t) => {
    const taskQueue = uniqueName(t);
    const identity = await withWorker(env, { taskQueue }, async (worker) => {
      await pollerOf(taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, worker.options.identity);
      return worker.options.identity;
    });
    const res = await describeQueue(taskQueue, { taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW });
    const poller = res.pollers?.find((p) => p.identity === identity);
    assert.ok(poller, `pollers after shutdown: ${JSON.stringify(res.pollers)}`);
    assert.ok(Date.now() - accessTimeMs(poller) < 70_000);
  });

  test('a queue nobody polls has no pollers and, with reportStats, an empty backlog', async (t) => {
    const taskQueue = uniqueName(t);
    for (const type of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
      const res = await describeQueue(taskQueue, { taskQueueType: type, reportStats: true });
      assert.deepEqual(res.pollers ?? [], []);
      assert.equal(Number(res.stats?.approximateBacklogCount ?? 0), 0);
    }
  });

  test('a workflow started with no worker is counted in the backlog (reportStats and includeTaskQueueStatus)', async (t) => {
    const taskQueue = uniqueName(t);
    const handle = await env.client.workflow.start(waitForFinish, { taskQueue, workflowId: taskQueue });
    try {
      const res = await waitFor('a backlog of one workflow task', async () => {
        const r = await describeQueue(taskQueue, { taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, reportStats: true, includeTaskQueueStatus: true });
        return Number(r.stats?.approximateBacklogCount ?? 0) === 1 ? r : undefined;
      });
      assert.deepEqual(res.pollers ?? [], []);
      assert.ok(Number(res.stats?.approximateBacklogAge?.seconds ?? 0) >= 0);
      assert.equal(Number(res.taskQueueStatus?.backlogCountHint ?? 0), 1);
      const activities = await describeQueue(taskQueue, { taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, reportStats: true });
      assert.equal(Number(activities.stats?.approximateBacklogCount ?? 0), 0);
      // Without reportStats / includeTaskQueueStatus, neither is sent.
      const plain = await describeQueue(taskQueue);
      assert.equal(plain.stats, null);
      assert.equal(plain.taskQueueStatus, null);
    } finally {
      await handle.terminate();
    }
  });

  test('a sticky queue is described with kind STICKY', async (t) => {
    const normal = uniqueName(t);
    const sticky = `${normal}-sticky`;
    const identity = `sticky-poller-${normal}`;
    const abort = new AbortController();
    const poll = env.connection
      .withAbortSignal(abort.signal, () =>
        env.client.workflowService.pollWorkflowTaskQueue({
          namespace: env.namespace,
          taskQueue: { name: sticky, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: normal },
          identity,
        }),
      )
      .catch(() => undefined);
    try {
      const found = await waitFor('the sticky poller', async () => {
        const res = await describeQueue(sticky, {
          taskQueue: { name: sticky, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY, normalName: normal },
          taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return res.pollers?.find((p) => p.identity === identity);
      });
      assert.equal(found.identity, identity);
    } finally {
      abort.abort();
      await poll;
    }
  });

  test('the deprecated ENHANCED mode reports the unversioned queue per type asked', async (t) => {
    const taskQueue = uniqueName(t);
    await withWorker(env, { taskQueue }, async (worker) => {
      const identity = worker.options.identity;
      await pollerOf(taskQueue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY, identity);
      const res = await describeQueue(taskQueue, { apiMode: DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED, reportPollers: true, reportStats: true });
      const unversioned = res.versionsInfo?.[''];
      assert.ok(unversioned, `versionsInfo: ${JSON.stringify(res.versionsInfo)}`);
      for (const type of [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY]) {
        const info: temporal.api.taskqueue.v1.ITaskQueueTypeInfo | undefined = unversioned.typesInfo?.[type];
        assert.ok(
          info?.pollers?.some((p) => p.identity === identity),
          `type ${type}: ${JSON.stringify(info)}`,
        );
        assert.equal(Number(info?.stats?.approximateBacklogCount ?? 0), 0);
      }
    });
    await expectInvalid(
      describeQueue(taskQueue, {
        apiMode: DescribeTaskQueueMode.DESCRIBE_TASK_QUEUE_MODE_ENHANCED,
        taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_STICKY },
      }),
      status.INVALID_ARGUMENT,
      /not valid for a sticky queue/,
    );
  });

  test("bad requests: Temporal's messages for a missing task queue, NOT_FOUND for an unknown namespace", async (t) => {
    const taskQueue = uniqueName(t);
    const { workflowService } = env.client;
    await expectInvalid(workflowService.describeTaskQueue({ namespace: env.namespace }), status.INVALID_ARGUMENT, 'taskQueue is not set');
    await expectInvalid(describeQueue('', { taskQueue: { name: '' } }), status.INVALID_ARGUMENT, 'missing task queue name');
    await expectInvalid(describeQueue('x'.repeat(1001)), status.INVALID_ARGUMENT, 'taskQueue length exceeds limit');
    await expectInvalid(workflowService.describeTaskQueue({ namespace: '', taskQueue: { name: taskQueue } }), status.INVALID_ARGUMENT, /Namespace/);
    await expectInvalid(workflowService.describeTaskQueue({ namespace: `missing-${taskQueue}`, taskQueue: { name: taskQueue } }), status.NOT_FOUND, /missing-/);
  });
});

describe('ListTaskQueuePartitions', () => {
  test('one partition per type, keyed by the queue name, with an owner host', async (t) => {
    const taskQueue = uniqueName(t);
    const res = await env.client.workflowService.listTaskQueuePartitions({ namespace: env.namespace, taskQueue: { name: taskQueue } });
    for (const partitions of [res.workflowTaskQueuePartitions, res.activityTaskQueuePartitions]) {
      assert.equal(partitions?.length, 1);
      assert.equal(partitions[0]?.key, taskQueue);
      assert.ok(partitions[0]?.ownerHostName, 'an owner host');
    }
    await expectInvalid(
      env.client.workflowService.listTaskQueuePartitions({ namespace: env.namespace, taskQueue: { name: '' } }),
      status.INVALID_ARGUMENT,
      'missing task queue name',
    );
  });
});
