import type http2 from 'node:http2';
import type { Logger } from '../common/logger';
import type { Handler, HandlerContext } from './handlers/context';
import { callTarget, type ApiKeyAuthorizer, type ApiKeyGrant } from './auth/api-keys';
import { FrameError, parseTimeout, readBody, unframe } from './grpc-wire';
import { encodeResponse, respondError, respondMessage, type ReflectedType } from './grpc-respond';
import { GrpcCode, toGrpcError, type GrpcError } from './status';

/** A path routed to a handler, with its codecs. */
export interface UnaryRoute {
  kind: 'unary';
  name: string;
  namespaced: boolean;
  requestType: ReflectedType;
  responseType: ReflectedType;
  handler: Handler<never, unknown>;
}

/** What every call of one frontend shares. */
export interface CallHost {
  logger: Logger;
  authorizer?: ApiKeyAuthorizer;
  onRpc?: (method: string, startedAt: number, endedAt: number, code: number) => void;
  /** See {@link callContextPrototype}. */
  contextPrototype: object;
  /** Answers INTERNAL for an error thrown while answering (or resets the stream). */
  failed(stream: http2.ServerHttp2Stream, err: unknown, method: string): void;
}

/** The handler context of a call: the frontend's shared context as prototype, the call's own parts on top. */
interface CallContext extends HandlerContext {
  call: UnaryCall;
}

/**
 * The prototype of every call context of a frontend: its shared context (engine, registries, limits) is inherited,
 * not copied per call, and `signal` asks the call for it, so an AbortController exists only for a handler that
 * reads it (the long polls, queries, updates), not for the completions and starts that make up most calls.
 */
export function callContextPrototype(shared: Omit<HandlerContext, 'signal' | 'metadata'>): object {
  return Object.create(shared, {
    signal: {
      get(this: CallContext): AbortSignal {
        return this.call.signal;
      },
    },
  }) as object;
}

/** One unary call, from its headers to its answer: the deadline, the cancellation, and the one answer it gets. */
export class UnaryCall {
  private answered = false;
  private abort: AbortController | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private readonly startedAt = performance.now();

  constructor(
    private readonly host: CallHost,
    private readonly stream: http2.ServerHttp2Stream,
    private readonly route: UnaryRoute,
    private readonly headers: http2.IncomingHttpHeaders,
    private readonly grant: ApiKeyGrant | undefined,
  ) {
    const timeoutMs = parseTimeout(headers['grpc-timeout']);
    if (timeoutMs !== undefined) this.deadline = setTimeout(onDeadline, timeoutMs, this);
  }

  /** Aborted when the caller cancels (the stream closes unanswered) or the deadline passes; made on first use. */
  get signal(): AbortSignal {
    if (this.abort) return this.abort.signal;
    const abort = (this.abort = new AbortController());
    const { stream } = this;
    if (stream.destroyed || stream.closed || this.answered) abort.abort();
    else stream.once('close', () => this.cancelled());
    return abort.signal;
  }

  /** Reads, decodes and handles the request; settles once the handler has settled. */
  run(): Promise<void> {
    return readBody(this.stream)
      .then(
        (body) => this.handle(body),
        (err: unknown) => this.refuse(err instanceof FrameError ? err.error : { code: GrpcCode.INTERNAL, message: describe(err) }),
      )
      .catch((err: unknown) => this.host.failed(this.stream, err, this.route.name));
  }

  expire(): void {
    if (this.answered) return;
    this.answered = true;
    this.abort?.abort();
    respondError(this.stream, { code: GrpcCode.DEADLINE_EXCEEDED, message: 'Deadline exceeded' });
  }

  private cancelled(): void {
    if (!this.answered) this.abort?.abort();
  }

  private handle(body: Buffer): Promise<void> | void {
    const { route } = this;
    let request: unknown;
    try {
      request = route.requestType.decode(unframe(body, headerValue(this.headers['grpc-encoding'])));
    } catch (err) {
      return this.refuse(err instanceof FrameError ? err.error : { code: GrpcCode.INTERNAL, message: `Error deserializing request: ${describe(err)}` });
    }
    // A handler that throws before returning its promise is answered like one that rejects.
    let pending: Promise<unknown>;
    try {
      this.host.authorizer?.authorize(this.grant, callTarget(this.headers[':path'] ?? '', route.namespaced, request));
      pending = route.handler(this.context(), request as never);
    } catch (err) {
      return this.reject(err);
    }
    return pending.then(
      (response) => this.answer(response),
      (err: unknown) => this.reject(err),
    );
  }

  private context(): HandlerContext {
    const ctx = Object.create(this.host.contextPrototype) as CallContext;
    ctx.call = this;
    ctx.metadata = this.headers;
    return ctx;
  }

  private answer(response: unknown): void {
    if (!this.settle()) return;
    let code: number = GrpcCode.OK;
    try {
      respondMessage(this.stream, encodeResponse(this.route.responseType, response));
    } catch (err) {
      this.host.failed(this.stream, err, this.route.name);
      code = GrpcCode.INTERNAL;
    }
    this.observe(code);
  }

  private reject(err: unknown): void {
    const mapped = toGrpcError(err);
    if (mapped.code === GrpcCode.INTERNAL) {
      this.host.logger.error('request failed', { method: this.route.name, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    } else this.host.logger.debug('request rejected', { method: this.route.name, code: mapped.code, message: mapped.message });
    this.refuse(mapped);
  }

  private refuse(error: GrpcError): void {
    if (!this.settle()) return;
    let code: number = error.code;
    try {
      respondError(this.stream, error);
    } catch (err) {
      this.host.failed(this.stream, err, this.route.name);
      code = GrpcCode.INTERNAL;
    }
    this.observe(code);
  }

  /** Whether this is the call's one answer (the deadline may have answered it already). */
  private settle(): boolean {
    if (this.deadline) clearTimeout(this.deadline);
    if (this.answered) return false;
    this.answered = true;
    return true;
  }

  private observe(code: number): void {
    this.host.onRpc?.(this.route.name, this.startedAt, performance.now(), code);
  }
}

function onDeadline(call: UnaryCall): void {
  call.expire();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
