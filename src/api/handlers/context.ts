import type { Metadata } from '@grpc/grpc-js';
import type { HistoryEngine } from '../../engine/history-engine';
import type { NamespaceRegistry } from '../../engine/namespaces';
import type { TimeSkipper } from '../../engine/time-skipping';

/** What every RPC handler gets: the engine, namespaces, and the call's cancellation. */
export interface HandlerContext {
  engine: HistoryEngine;
  namespaces: NamespaceRegistry;
  serverVersion: string;
  /** Present in time-skipping mode only. */
  timeSkipper?: TimeSkipper;
  /** Aborted when the caller cancels or its deadline passes. */
  signal: AbortSignal;
  metadata: Metadata;
}

export type Handler<Req, Res> = (ctx: HandlerContext, req: Req) => Promise<Res>;
