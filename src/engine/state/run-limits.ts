import type { BlobSizeLimits } from '../../common/blob-size';
import { DEFAULT_DYNAMIC_CONFIG, type DynamicConfig } from '../../common/dynamic-config';

/** The dynamic config limits that decide what a change to a run writes. */
export interface RunLimits {
  /** `limit.historySize.suggestContinueAsNew` / `limit.historyCount.suggestContinueAsNew`. */
  suggestContinueAsNew: { historySizeBytes: number; historyCount: number };
  /** `limit.blobSize.*`: a command payload over the error limit terminates the run. */
  blobSize: BlobSizeLimits;
}

export function runLimitsOf(config: DynamicConfig): RunLimits {
  return {
    suggestContinueAsNew: {
      historySizeBytes: config['limit.historySize.suggestContinueAsNew'],
      historyCount: config['limit.historyCount.suggestContinueAsNew'],
    },
    blobSize: { warnBytes: config['limit.blobSize.warn'], errorBytes: config['limit.blobSize.error'] },
  };
}

/** Temporal's defaults. */
export const DEFAULT_RUN_LIMITS: RunLimits = runLimitsOf(DEFAULT_DYNAMIC_CONFIG);
