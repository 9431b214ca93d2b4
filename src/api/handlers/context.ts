import type { Metadata } from '@grpc/grpc-js';
import type { HistoryEngine } from '../../engine/history-engine';
import type { NamespaceRegistry } from '../../engine/namespaces';

/** What every RPC handler gets: the engine, namespaces, and the call's cancellation. */
export interface HandlerContext {
  engine: HistoryEngine;
  namespaces: NamespaceRegistry;
  serverVersion: string;
  /** Aborted when the caller cancels or its deadline passes. */
  signal: AbortSignal;
  metadata: Metadata;
}

export type Handler<Req, Res> = (ctx: HandlerContext, req: Req) => Promise<Res>;
