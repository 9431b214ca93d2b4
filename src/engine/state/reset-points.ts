import type { MutableState, ResetPointRecord } from '../../store/records';

/** Temporal's `history.historyMaxAutoResetPoints` default: only the newest points are kept. */
export const MAX_AUTO_RESET_POINTS = 20;

/**
 * Temporal's addResetPointFromCompletion: a completed workflow task adds a reset point when its
 * pair of binary checksum and build id has none yet, so the first task of each worker build is a
 * point to reset to. Resettable unless a child, external signal or external cancel is pending.
 */
export function addResetPointFromCompletion(ms: MutableState, binaryChecksum: string, buildId: string, completedEventId: number, now: number): void {
  const points = ms.autoResetPoints ?? [];
  if (points.some((p) => p.binaryChecksum === binaryChecksum && p.buildId === buildId)) return;
  const resettable = Object.keys(ms.children).length === 0 && Object.keys(ms.externalRequests).length === 0;
  const point: ResetPointRecord = { binaryChecksum, buildId, runId: ms.runId, firstWorkflowTaskCompletedId: completedEventId, createTime: now, resettable };
  ms.autoResetPoints = [...points, point].slice(-MAX_AUTO_RESET_POINTS);
}
