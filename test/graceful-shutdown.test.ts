/**
 * Graceful shutdown of an embedded server (`HourglassServer.close()`), as Temporal's frontend drains: open polls are
 * answered as at the end of their period, new calls are refused with UNAVAILABLE, calls under way are answered.
 * The same under SDK load through the CLI's SIGTERM is `graceful-shutdown-cli.test.ts`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createLogger } from '../src/common/logger';
import { HourglassServer } from '../src/server';
import { grpcCode, rejectionOf, uniqueName, waitFor } from './helpers';
import { frame } from './raw-grpc';

const { enums } = temporal.api;
const UNAVAILABLE = 14;
const namespace = 'default';

interface LogEntry {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** An in-process server whose JSON log lines are kept, and a client connection to it that does not retry. */
async function startServer(
  dynamicConfig: Record<string, string> = {},
  dbFilename?: string,
  httpPort?: number,
): Promise<{ server: HourglassServer; connection: Connection; logs: LogEntry[] }> {
  const logs: LogEntry[] = [];
  const logger = createLogger('info', 'json', (line) => logs.push(JSON.parse(line) as LogEntry));
  const server = await HourglassServer.start({ port: 0, logger, dynamicConfig, dbFilename, httpPort });
  // No retry interceptor: the specs see each answer as the server gave it.
  const connection = await Connection.connect({ address: server.address, interceptors: [] });
  return { server, connection, logs };
}

async function startWorkflow(connection: Connection, workflowId: string, taskQueue: string): Promise<void> {
  await connection.workflowService.startWorkflowExecution({
    namespace,
    workflowId,
    workflowType: { name: 'collectMessages' },
    taskQueue: { name: taskQueue },
    requestId: `${workflowId}-start`,
  });
}

/** GetSystemInfo on an open HTTP/2 connection, at the wire level: the gRPC status it is answered with, or the stream's reset code. */
function getSystemInfo(session: http2.ClientHttp2Session): Promise<{ grpcStatus: number; grpcMessage: string } | { rstCode: number }> {
  return new Promise((resolve, reject) => {
    const req = session.request({
      ':method': 'POST',
      ':path': '/temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let status: { grpcStatus: number; grpcMessage: string } | undefined;
    const take = (h: http2.IncomingHttpHeaders): void => {
      if (h['grpc-status'] !== undefined) status = { grpcStatus: Number(h['grpc-status']), grpcMessage: decodeURIComponent(String(h['grpc-message'] ?? '')) };
    };
    req.on('response', take);
    req.on('trailers', take);
    req.on('error', () => (req.rstCode ? resolve({ rstCode: req.rstCode }) : reject(new Error('stream failed'))));
    req.resume();
    req.on('end', () => (status ? resolve(status) : reject(new Error('no grpc-status'))));
    req.end(frame(new Uint8Array()));
  });
}

describe('graceful shutdown (embedded close())', () => {
  test('open task polls answer empty, history and update long polls answer with what they have, before close() resolves', async (t) => {
    const { server, connection, logs } = await startServer({ 'frontend.shutdownDrainDuration': '30s' });
    const taskQueue = uniqueName(t);
    const workflowId = taskQueue;
    try {
      await startWorkflow(connection, workflowId, `${taskQueue}-nobody-polls`);
      const execution = { workflowId };
      // The history so far, then a long poll for what comes next.
      const first = await connection.workflowService.getWorkflowExecutionHistory({ namespace, execution, waitNewEvent: true });
      const historyPoll = connection.workflowService.getWorkflowExecutionHistory({
        namespace,
        execution,
        waitNewEvent: true,
        nextPageToken: first.nextPageToken,
      });
      // An update no worker takes stays admitted: the call waiting for its acceptance is a long poll.
      const updatePoll = connection.workflowService.updateWorkflowExecution({
        namespace,
        workflowExecution: execution,
        waitPolicy: { lifecycleStage: enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED },
        request: { meta: { updateId: 'u1' }, input: { name: 'nothing' } },
      });
      const workflowPoll = connection.workflowService.pollWorkflowTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'wf-poller' });
      const activityPoll = connection.workflowService.pollActivityTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'act-poller' });
      await waitFor('both pollers to wait on the task queue', async () => {
        const kinds = [enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY];
        const described = await Promise.all(
          kinds.map((taskQueueType) => connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType })),
        );
        return described.every((d) => (d.pollers ?? []).length === 1) || undefined;
      });

      const closing = server.close();
      const [workflowTask, activityTask, history, update] = await Promise.all([workflowPoll, activityPoll, historyPoll, updatePoll]);
      assert.equal(workflowTask.taskToken?.length ?? 0, 0, 'the workflow task poll answers empty');
      assert.equal(activityTask.taskToken?.length ?? 0, 0, 'the activity task poll answers empty');
      assert.deepEqual(history.history?.events ?? [], [], 'nothing new in the history');
      assert.ok((history.nextPageToken?.length ?? 0) > 0, 'the history poll hands back a token to follow the run with');
      assert.equal(update.stage, enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED);
      assert.equal(update.outcome ?? undefined, undefined);
      await closing;

      // Nothing had to be cut: the drain ended as soon as the polls were answered, long before its 30 s.
      const messages = logs.filter((l) => l.level === 'info').map((l) => l.msg);
      assert.deepEqual(messages.slice(-2), ['shutting down', 'stopped']);
      assert.equal(logs.at(-1)?.drained, true);
      assert.ok(!logs.some((l) => l.msg.startsWith('drain time expired')));
    } finally {
      await connection.close().catch(() => undefined);
      await server.close();
    }
  });

  test('a call made while the server drains answers UNAVAILABLE; one still under way at the drain deadline is cut', async (t) => {
    const { server, connection, logs } = await startServer();
    const workflowId = uniqueName(t);
    try {
      await startWorkflow(connection, workflowId, `${workflowId}-nobody-polls`);
      // A query no worker answers is a call under way that shutdown does not end: it holds the drain open.
      const query = connection.workflowService.queryWorkflow({ namespace, execution: { workflowId }, query: { queryType: 'messages' } }).then(
        () => 'answered',
        (err: unknown) => err,
      );
      // Answered after the query's stream arrived on the same connection: the query is under way now.
      await connection.workflowService.getSystemInfo({});
      const session = http2.connect(`http://${server.address}`);
      try {
        await getSystemInfo(session);
        const closing = server.close();
        // A stream the client opened before it saw the GOAWAY is refused unprocessed, as by grpc-go's graceful stop:
        // grpc-js retries such a stream elsewhere and reports UNAVAILABLE ("Stream refused by server").
        const raced = await getSystemInfo(session);
        assert.deepEqual(raced, { rstCode: http2.constants.NGHTTP2_REFUSED_STREAM });
        // The SDK's client saw the GOAWAY: its next call looks for a new connection, which the server no longer accepts.
        const refused = await rejectionOf(connection.workflowService.getSystemInfo({}), 'a call during the drain');
        assert.equal(grpcCode(refused), UNAVAILABLE, String(refused));
        // The drain lasts max(1 s, frontend.shutdownDrainDuration), as Temporal's; then the query is cut, never answered OK.
        const cut = await query;
        assert.ok(grpcCode(cut) !== undefined, `the query is cut at the deadline, not answered: ${String(cut)}`);
        await closing;
      } finally {
        session.destroy();
      }
      assert.ok(logs.some((l) => l.level === 'warn' && l.msg.startsWith('drain time expired') && l.calls === 1));
      assert.equal(logs.at(-1)?.msg, 'stopped');
      assert.equal(logs.at(-1)?.drained, false);
    } finally {
      await connection.close().catch(() => undefined);
      await server.close();
    }
  });

  test('an HTTP API history long poll under way is answered with what there is (nothing new, a token) before close() resolves', async (t) => {
    const server = await HourglassServer.start({ port: 0, httpPort: 0 });
    try {
      const workflows = `http://${server.httpAddress}/api/v1/namespaces/default/workflows`;
      const workflowId = uniqueName(t);
      const started = await fetch(`${workflows}/${workflowId}`, {
        method: 'POST',
        body: JSON.stringify({ workflowType: { name: 'x' }, taskQueue: { name: workflowId } }),
      });
      assert.equal(started.status, 200);
      const first = (await (await fetch(`${workflows}/${workflowId}/history?waitNewEvent=true`)).json()) as { nextPageToken: string };
      const poll = fetch(`${workflows}/${workflowId}/history?waitNewEvent=true&nextPageToken=${encodeURIComponent(first.nextPageToken)}`);
      await waitFor('the long poll to be under way', () => (server.callsInFlight > 0 ? true : undefined));
      const closing = server.close();
      const answer = await poll;
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { history: {}, nextPageToken: first.nextPageToken });
      await closing;
    } finally {
      await server.close();
    }
  });

  test('an HTTP API request that arrives while the server drains is answered 503 with UNAVAILABLE, as grpc-gateway writes it', async (t) => {
    const { server, connection } = await startServer({}, undefined, 0);
    const workflowId = uniqueName(t);
    const socket = net.connect(Number(new URL(`http://${server.httpAddress}`).port), '127.0.0.1');
    try {
      await startWorkflow(connection, workflowId, `${workflowId}-nobody-polls`);
      // A query no worker answers holds the drain open.
      const query = connection.workflowService.queryWorkflow({ namespace, execution: { workflowId }, query: { queryType: 'messages' } }).catch(() => undefined);
      await connection.workflowService.getSystemInfo({});
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('error', () => undefined);
      // One request, and in the same packet the start of a second: once the first is answered, the server has read both.
      socket.write('GET /api/v1/system-info HTTP/1.1\r\nHost: localhost\r\n\r\nGET /api/v1/system-info HTTP/1.1\r\nHost: local');
      await waitFor('the first answer', () => (received.includes('\r\n\r\n{') ? true : undefined));
      received = '';
      const closing = server.close();
      socket.write('host\r\n\r\n');
      await new Promise((resolve) => socket.once('close', resolve));
      assert.match(received, /^HTTP\/1\.1 503 /);
      assert.match(received, /\r\nconnection: close\r\n/i);
      assert.deepEqual(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4)), { code: UNAVAILABLE, message: 'Hourglass is shutting down', details: [] });
      await closing;
      await query;
    } finally {
      socket.destroy();
      await connection.close().catch(() => undefined);
      await server.close();
    }
  });

  test('close() is idempotent: concurrent calls share one promise, a later call resolves too', async () => {
    const { server, connection } = await startServer();
    await connection.close();
    const first = server.close();
    const second = server.close();
    assert.equal(first, second);
    await first;
    assert.equal(server.close(), first);
    await server.close();
  });

  test('starts under way when close() begins are each either answered OK and kept on the database, or refused', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-close-'));
    const dbFilename = path.join(dir, 'x.db');
    try {
      const { server, connection } = await startServer({}, dbFilename);
      const prefix = uniqueName(t);
      const ids = Array.from({ length: 60 }, (_, i) => `${prefix}-${i}`);
      const starts = ids.map((id) =>
        startWorkflow(connection, id, prefix).then(
          () => 'ok' as const,
          (err: unknown) => grpcCode(err),
        ),
      );
      // Close once the first is answered: the rest are under way, or arrive during the drain.
      await starts[0];
      const closing = server.close();
      const outcomes = await Promise.all(starts);
      await closing;
      await connection.close();
      for (const outcome of outcomes) assert.ok(outcome === 'ok' || outcome === UNAVAILABLE, `unexpected outcome ${String(outcome)}`);
      t.diagnostic(`answered OK: ${outcomes.filter((o) => o === 'ok').length} of ${outcomes.length}`);
      assert.ok(!fs.existsSync(`${dbFilename}-wal`) || fs.statSync(`${dbFilename}-wal`).size === 0, 'the WAL is checkpointed at close');

      const reopened = await startServer({}, dbFilename);
      try {
        for (const [i, id] of ids.entries()) {
          if (outcomes[i] !== 'ok') continue;
          const described = await reopened.connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: id } });
          assert.equal(described.workflowExecutionInfo?.execution?.workflowId, id);
        }
      } finally {
        await reopened.connection.close();
        await reopened.server.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
