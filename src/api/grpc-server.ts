import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import jsonRoot from '@temporalio/proto/protos/json-module';
import type { Logger } from '../common/logger';
import { healthHandlers, operatorHandlers, testServiceHandlers, workflowServiceHandlers } from './routes';
import type { Handler, HandlerContext } from './handlers/context';
import { toGrpcError } from './status';

interface ReflectedType {
  encode(message: unknown): { finish(): Uint8Array };
  decode(data: Uint8Array): unknown;
}
interface ReflectedMethod {
  name: string;
  requestStream?: boolean;
  responseStream?: boolean;
  resolvedRequestType: ReflectedType | null;
  resolvedResponseType: ReflectedType | null;
}
interface ReflectedService {
  fullName: string;
  methodsArray: ReflectedMethod[];
  resolveAll(): ReflectedService;
}
interface ReflectedRoot {
  lookupService(name: string): ReflectedService;
}

export type HandlerTable = Partial<Record<string, Handler<never, unknown>>>;

export interface GrpcFrontendOptions {
  logger: Logger;
  context: Omit<HandlerContext, 'signal' | 'metadata'>;
}

/**
 * gRPC wiring: service and method lists come from `@temporalio/proto`'s reflection, so every RPC
 * Temporal defines is served — by its handler, or with UNIMPLEMENTED naming the method.
 */
export class GrpcFrontend {
  readonly server: Server;

  constructor(private readonly options: GrpcFrontendOptions) {
    this.server = new Server({
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
    this.addService('temporal.api.workflowservice.v1.WorkflowService', workflowServiceHandlers);
    this.addService('temporal.api.operatorservice.v1.OperatorService', operatorHandlers);
    this.addService('temporal.api.testservice.v1.TestService', testServiceHandlers);
    this.addService('grpc.health.v1.Health', healthHandlers);
  }

  listen(ip: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${ip}:${port}`, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
    });
  }

  /** Stops accepting calls and ends the open ones. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.tryShutdown(() => resolve());
      // Long polls would hold a graceful shutdown for a minute: cut them.
      setTimeout(() => this.server.forceShutdown(), 100).unref();
    });
  }

  private addService(serviceName: string, handlers: HandlerTable): void {
    const service = (jsonRoot as ReflectedRoot).lookupService(serviceName).resolveAll();
    const definition: Record<string, ServiceDefinition[string]> = {};
    const implementation: UntypedServiceImplementation = {};
    for (const method of service.methodsArray) {
      const req = method.resolvedRequestType;
      const res = method.resolvedResponseType;
      if (!req || !res) continue;
      definition[method.name] = {
        path: `/${serviceName}/${method.name}`,
        requestStream: !!method.requestStream,
        responseStream: !!method.responseStream,
        requestSerialize: (value: unknown) => Buffer.from(req.encode(value).finish()),
        requestDeserialize: (bytes: Buffer) => req.decode(bytes),
        responseSerialize: (value: unknown) => Buffer.from(res.encode(value).finish()),
        responseDeserialize: (bytes: Buffer) => res.decode(bytes),
      };
      if (method.requestStream || method.responseStream) {
        implementation[method.name] = (call: { emit(e: string, err: unknown): void }) =>
          call.emit('error', { code: GrpcStatus.UNIMPLEMENTED, details: `${serviceName}/${method.name} (streaming) is not implemented by Hourglass` });
        continue;
      }
      const handler = handlers[method.name];
      implementation[method.name] = handler
        ? this.unary(method.name, handler)
        : (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
            callback({ code: GrpcStatus.UNIMPLEMENTED, details: `Method ${serviceName}/${method.name} is not implemented by Hourglass yet` });
    }
    this.server.addService(definition, implementation);
  }

  private unary(name: string, handler: Handler<never, unknown>) {
    return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      const ctx: HandlerContext = { ...this.options.context, signal: abort.signal, metadata: call.metadata };
      handler(ctx, call.request as never).then(
        (response) => callback(null, response),
        (err: unknown) => {
          const mapped = toGrpcError(err);
          if (mapped.code === GrpcStatus.INTERNAL) this.options.logger.error('request failed', { method: name, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
          else this.options.logger.debug('request rejected', { method: name, code: mapped.code, message: mapped.details });
          callback(mapped);
        },
      );
    };
  }
}
