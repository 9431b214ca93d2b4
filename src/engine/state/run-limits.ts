import type { BlobSizeLimits } from '../../common/blob-size';
import { DEFAULT_DYNAMIC_CONFIG, type DynamicConfig } from '../../common/dynamic-config';
import type { SearchAttributeLimits } from '../../common/search-attribute-limits';
import type { MutableState } from '../../store/records';
import { isRunning } from './status';

/** The dynamic config limits that decide what a change to a run writes. */
export interface RunLimits {
  /** `limit.historySize.suggestContinueAsNew` / `limit.historyCount.suggestContinueAsNew`. */
  suggestContinueAsNew: { historySizeBytes: number; historyCount: number };
  /** `limit.blobSize.*`: a command payload over the error limit terminates the run. */
  blobSize: BlobSizeLimits;
  /** `limit.historySize.error` / `limit.historyCount.error`: past them the run is terminated. */
  history: { sizeErrorBytes: number; countError: number };
  /** `limit.numPending*.error`: a command that would add one more past them fails the workflow task (0: no limit). */
  pending: PendingLimits;
  /** `limit.memoSize.*`: a command's memo over the error limit terminates the run. */
  memoSize: BlobSizeLimits;
  /** `frontend.searchAttributes*Limit`: a command's search attributes over them terminate the run. */
  searchAttributes: SearchAttributeLimits;
  /** `limit.maxIDLength`: a command naming a longer id, type, name or task queue fails the workflow task. */
  maxIdLength: number;
  /** `history.maximumSignalsPerExecution`: signals a run may receive (0: no limit). */
  maxSignals: number;
}

export interface PendingLimits {
  activities: number;
  childExecutions: number;
  signals: number;
  cancelRequests: number;
}

export function runLimitsOf(config: DynamicConfig): RunLimits {
  return {
    suggestContinueAsNew: {
      historySizeBytes: config['limit.historySize.suggestContinueAsNew'],
      historyCount: config['limit.historyCount.suggestContinueAsNew'],
    },
    blobSize: { warnBytes: config['limit.blobSize.warn'], errorBytes: config['limit.blobSize.error'] },
    history: { sizeErrorBytes: config['limit.historySize.error'], countError: config['limit.historyCount.error'] },
    pending: {
      activities: config['limit.numPendingActivities.error'],
      childExecutions: config['limit.numPendingChildExecutions.error'],
      signals: config['limit.numPendingSignals.error'],
      cancelRequests: config['limit.numPendingCancelRequests.error'],
    },
    memoSize: { warnBytes: config['limit.memoSize.warn'], errorBytes: config['limit.memoSize.error'] },
    searchAttributes: searchAttributeLimitsOf(config),
    maxIdLength: config['limit.maxIDLength'],
    maxSignals: config['history.maximumSignalsPerExecution'],
  };
}

export function searchAttributeLimitsOf(config: DynamicConfig): SearchAttributeLimits {
  return {
    numberOfKeys: config['frontend.searchAttributesNumberOfKeysLimit'],
    sizeOfValue: config['frontend.searchAttributesSizeOfValueLimit'],
    totalSize: config['frontend.searchAttributesTotalSizeLimit'],
  };
}

/** Temporal's defaults. */
export const DEFAULT_RUN_LIMITS: RunLimits = runLimitsOf(DEFAULT_DYNAMIC_CONFIG);

/**
 * Why a change to a running run must instead terminate it, as Temporal's enforceHistorySizeCheck /
 * enforceHistoryCountCheck decide before each update is persisted: the history already persisted
 * over the size limit, or the event count with this change's events over the count limit. The
 * reason is Temporal's termination reason (and the message of the INVALID_ARGUMENT the call gets).
 */
export function historyLimitExceeded(pending: MutableState, historyLength: number, limits: RunLimits['history']): string | undefined {
  if (!isRunning(pending.status)) return undefined;
  if (pending.historySizeBytes > limits.sizeErrorBytes) return 'Workflow history size exceeds limit.';
  if (historyLength > limits.countError) return 'Workflow history count exceeds limit.';
  return undefined;
}
