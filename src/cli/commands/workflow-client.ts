/**
 * A small unary WorkflowService client for the CLI's client commands: `@grpc/grpc-js` for the transport and the
 * message types reflected from `@temporalio/proto` (the SDK client is a devDependency, not shipped with the CLI).
 * Requests are written and answers read as proto3 JSON objects, with the HTTP API's converter.
 */
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import jsonRoot from '@temporalio/proto/protos/json-module';
import { messageFromJson, messageToJson, type JsonOptions, type ReflectedMessageType } from '../../api/http/proto-json';

const SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';

interface ReflectedRoot {
  lookupService(name: string): {
    resolveAll(): { methods: Record<string, { resolvedRequestType: ReflectedMessageType | null; resolvedResponseType: ReflectedMessageType | null }> };
  };
}

/** A failed call: the server's gRPC status message, or the transport's (server down, deadline exceeded). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export class WorkflowServiceClient {
  private readonly client: Client;
  private readonly methods = (jsonRoot as ReflectedRoot).lookupService(SERVICE).resolveAll().methods;

  constructor(
    address: string,
    private readonly timeoutMs = 10_000,
  ) {
    this.client = new Client(address, credentials.createInsecure());
  }

  /** Calls `method` with a JSON request; the answer is proto3 JSON written with `options` (payload shorthand or not). */
  call(method: string, request: Record<string, unknown>, options: JsonOptions): Promise<Record<string, unknown>> {
    const rpc = this.methods[method];
    const requestType = rpc?.resolvedRequestType;
    const responseType = rpc?.resolvedResponseType;
    if (!requestType || !responseType) return Promise.reject(new Error(`unknown WorkflowService method ${method}`));
    const message = messageFromJson(requestType, request, { payloadShorthand: false });
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        `/${SERVICE}/${method}`,
        (m: unknown) => Buffer.from(requestType.encode(m).finish()),
        (bytes: Buffer) => bytes,
        message,
        new Metadata(),
        { deadline: Date.now() + this.timeoutMs },
        (err: ServiceError | null, bytes?: Buffer) => {
          if (err) return reject(new RpcError(err.code, err.details || err.message));
          const decoded = responseType.decode(bytes ?? Buffer.alloc(0)) as Record<string, unknown>;
          resolve(messageToJson(responseType, decoded, options) as Record<string, unknown>);
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
