import type { IncomingHttpHeaders } from 'node:http2';
import type { BlobSizeLimits } from '../../common/blob-size';
import type { Logger } from '../../common/logger';
import type { HistoryEngine } from '../../engine/history-engine';
import type { NamespaceRegistry } from '../../engine/namespaces';
import type { TimeSkipper } from '../../engine/time/time-skipping';
import type { ScheduleService } from '../../schedules/schedule-service';
import type { SearchAttributeRegistry } from '../../visibility/search-attributes';
import type { VisibilityService } from '../../visibility/service';

/** What every RPC handler gets: the engine, namespaces, and the call's cancellation. */
export interface HandlerContext {
  engine: HistoryEngine;
  namespaces: NamespaceRegistry;
  searchAttributes: SearchAttributeRegistry;
  visibility: VisibilityService;
  schedules: ScheduleService;
  /** Present in time-skipping mode only. */
  timeSkipper?: TimeSkipper;
  logger: Logger;
  /** `limit.blobSize.warn` / `limit.blobSize.error` for request payloads. */
  blobSizeLimits: BlobSizeLimits;
  /** `limit.memoSize.warn` / `limit.memoSize.error` for a start's memo. */
  memoSizeLimits: BlobSizeLimits;
  /** `limit.maxIDLength`: the longest workflow id, type, task queue, signal name, request id or identity a request may carry. */
  maxIdLength: number;
  /** `frontend.activityAPIsEnabled`: whether the activity pause / unpause / reset / update-options APIs answer. */
  activityApisEnabled: boolean;
  /** Aborted when the caller cancels or its deadline passes. */
  signal: AbortSignal;
  /** The call's request headers (gRPC metadata). */
  metadata: IncomingHttpHeaders;
}

export type Handler<Req, Res> = (ctx: HandlerContext, req: Req) => Promise<Res>;

/** RPC name → handler, for one gRPC service. */
export type HandlerTable = Partial<Record<string, Handler<never, unknown>>>;
