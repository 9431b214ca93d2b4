import { ServiceError } from '../../../common/errors';
import type { MutableState } from '../../../store/records';

/**
 * Per-run update limits: Temporal's `history.maxInFlightUpdates` and `history.maxTotalUpdates`
 * (common/dynamicconfig/constants.go). Zero disables a limit, as there.
 */
export interface UpdateLimits {
  maxInFlight: number;
  maxTotal: number;
}

export const DEFAULT_UPDATE_LIMITS: UpdateLimits = { maxInFlight: 10, maxTotal: 2000 };

/**
 * Why a run cannot take one more update, or undefined when it can; checked only for an update ID the run does not
 * know yet. Counted as Temporal's update registry counts (service/history/workflow/update/registry.go): in flight are
 * the updates admitted, sent or accepted and not completed; the total adds the completed ones. A rejected update
 * leaves no trace in the run, so it counts for neither once rejected.
 */
export function updateLimitError(ms: Pick<MutableState, 'updates'>, inRegistry: Iterable<string>, limits: UpdateLimits): ServiceError | undefined {
  const known = new Set(inRegistry);
  let completed = 0;
  for (const [updateId, update] of Object.entries(ms.updates)) {
    if (update.completedEventId === undefined) known.add(updateId);
    else if (!known.has(updateId)) completed++;
  }
  if (limits.maxInFlight > 0 && known.size >= limits.maxInFlight) return inFlightLimitReached(limits.maxInFlight);
  if (limits.maxTotal > 0 && known.size + completed >= limits.maxTotal) return totalLimitReached(limits.maxTotal);
  return undefined;
}

/** RESOURCE_EXHAUSTED with cause CONCURRENT_LIMIT: the SDK client retries it after a back-off. */
function inFlightLimitReached(max: number): ServiceError {
  return new ServiceError('RESOURCE_EXHAUSTED', `limit on number of concurrent in-flight updates has been reached (${max})`, {
    type: 'ResourceExhausted',
    cause: 'concurrent-limit',
    scope: 'namespace',
  });
}

/** FAILED_PRECONDITION: this run will never take another update; a continued-as-new one would. */
function totalLimitReached(max: number): ServiceError {
  return new ServiceError(
    'FAILED_PRECONDITION',
    `The limit on the total number of distinct updates in this workflow has been reached (${max}). ` +
      'Make sure any duplicate updates share an Update ID so the server can deduplicate them, and consider rejecting updates that you ' +
      "aren't going to process. You can also Continue-as-New to avoid this; we recommend you check Continue-as-New Suggested in your Workflow.",
  );
}
