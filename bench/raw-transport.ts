/**
 * The WorkflowService calls the raw driver (bench/raw-driver.ts) makes, over one of two transports:
 *
 * - `sdk`: the SDK's `Connection` (grpc-js), as the raw driver always used; kept for the full-history driver so its
 *   rows stay comparable with earlier runs.
 * - `http2`: one node:http2 session and the generated protobuf codecs, nothing else: no interceptors, retries,
 *   metadata or per-call channel machinery. grpc-js costs the driver about as much CPU per RPC as the server spends
 *   answering it, so on a shared machine the driver, not the server, set W4's ceiling.
 */
import http2 from 'node:http2';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const ws = temporal.api.workflowservice.v1;

/** The six calls the driver makes; `signal` ends a long poll early. */
export interface RawWorkflowService {
  startWorkflowExecution(req: temporal.api.workflowservice.v1.IStartWorkflowExecutionRequest): Promise<unknown>;
  pollWorkflowTaskQueue(
    req: temporal.api.workflowservice.v1.IPollWorkflowTaskQueueRequest,
    signal: AbortSignal,
  ): Promise<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse>;
  pollActivityTaskQueue(
    req: temporal.api.workflowservice.v1.IPollActivityTaskQueueRequest,
    signal: AbortSignal,
  ): Promise<temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse>;
  respondWorkflowTaskCompleted(
    req: temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest,
  ): Promise<temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedResponse>;
  respondActivityTaskCompleted(req: temporal.api.workflowservice.v1.IRespondActivityTaskCompletedRequest): Promise<unknown>;
  getWorkflowExecutionHistory(
    req: temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryRequest,
  ): Promise<temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryResponse>;
  close(): Promise<void>;
}

export async function connectSdk(address: string): Promise<RawWorkflowService> {
  const connection = await Connection.connect({ address });
  const svc = connection.workflowService;
  return {
    startWorkflowExecution: (req) => svc.startWorkflowExecution(req),
    pollWorkflowTaskQueue: (req, signal) => connection.withAbortSignal(signal, () => svc.pollWorkflowTaskQueue(req)),
    pollActivityTaskQueue: (req, signal) => connection.withAbortSignal(signal, () => svc.pollActivityTaskQueue(req)),
    respondWorkflowTaskCompleted: (req) => svc.respondWorkflowTaskCompleted(req),
    respondActivityTaskCompleted: (req) => svc.respondActivityTaskCompleted(req),
    getWorkflowExecutionHistory: (req) => svc.getWorkflowExecutionHistory(req),
    close: () => connection.close(),
  };
}

interface Codec<Req, Res> {
  encode(message: Req): { finish(): Uint8Array };
  decode(bytes: Uint8Array): Res;
}

const PATH = '/temporal.api.workflowservice.v1.WorkflowService/';

export function connectHttp2(address: string): Promise<RawWorkflowService> {
  const session = http2.connect(`http://${address}`);
  session.setMaxListeners(0);
  const call = <Req, Res>(method: string, request: Codec<Req, unknown>, response: Codec<unknown, Res>, req: Req, signal?: AbortSignal): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      const message = request.encode(req).finish();
      const framed = Buffer.allocUnsafe(5 + message.length);
      framed.writeUInt8(0, 0);
      framed.writeUInt32BE(message.length, 1);
      framed.set(message, 5);
      const stream = session.request({ ':method': 'POST', ':path': PATH + method, 'content-type': 'application/grpc', te: 'trailers' });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let statusMessage = '';
      const take = (h: http2.IncomingHttpHeaders): void => {
        if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
        if (h['grpc-message'] !== undefined) statusMessage = decodeURIComponent(String(h['grpc-message']));
      };
      const onAbort = (): void => stream.close(http2.constants.NGHTTP2_CANCEL);
      signal?.addEventListener('abort', onAbort, { once: true });
      stream.on('response', take);
      stream.on('trailers', take);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('close', () => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return reject(new Error(`${method}: cancelled`));
        if (status !== '0') return reject(new Error(`${method}: gRPC status ${status ?? 'missing'} ${statusMessage}`));
        const body = Buffer.concat(chunks);
        if (body.length < 5) return reject(new Error(`${method}: no message in the answer`));
        resolve(response.decode(body.subarray(5, 5 + body.readUInt32BE(1))));
      });
      stream.on('error', reject);
      stream.end(framed);
    });
  const service: RawWorkflowService = {
    startWorkflowExecution: (req) => call('StartWorkflowExecution', ws.StartWorkflowExecutionRequest, ws.StartWorkflowExecutionResponse, req),
    pollWorkflowTaskQueue: (req, signal) => call('PollWorkflowTaskQueue', ws.PollWorkflowTaskQueueRequest, ws.PollWorkflowTaskQueueResponse, req, signal),
    pollActivityTaskQueue: (req, signal) => call('PollActivityTaskQueue', ws.PollActivityTaskQueueRequest, ws.PollActivityTaskQueueResponse, req, signal),
    respondWorkflowTaskCompleted: (req) =>
      call('RespondWorkflowTaskCompleted', ws.RespondWorkflowTaskCompletedRequest, ws.RespondWorkflowTaskCompletedResponse, req),
    respondActivityTaskCompleted: (req) =>
      call('RespondActivityTaskCompleted', ws.RespondActivityTaskCompletedRequest, ws.RespondActivityTaskCompletedResponse, req),
    getWorkflowExecutionHistory: (req) =>
      call('GetWorkflowExecutionHistory', ws.GetWorkflowExecutionHistoryRequest, ws.GetWorkflowExecutionHistoryResponse, req),
    close: () => new Promise<void>((resolve) => session.close(() => resolve())),
  };
  return new Promise((resolve, reject) => {
    session.once('connect', () => resolve(service));
    session.once('error', reject);
  });
}
