import { enums } from '../common/proto';
import type { BufferedStart } from '../store/schedule-records';

const P = enums.ScheduleOverlapPolicy;

export interface BufferDecision {
  /** ALLOW_ALL starts: all of them, now. */
  overlappingStarts: BufferedStart[];
  /** At most one start that must not overlap another run. */
  nonOverlappingStart?: BufferedStart;
  newBuffer: BufferedStart[];
  needCancel: boolean;
  needTerminate: boolean;
  overlapSkipped: number;
}

/**
 * What to do with the buffered starts given whether a run of the schedule is still open: Temporal's ProcessBuffer
 * (service/worker/scheduler/buffer.go). Each start's policy is resolved here, not when it was buffered, so an
 * update of the schedule's policy applies to starts already waiting.
 */
export function decideBuffer(
  buffer: readonly BufferedStart[],
  isRunning: boolean,
  resolve: (policy: enums.ScheduleOverlapPolicy) => enums.ScheduleOverlapPolicy,
): BufferDecision {
  const d: BufferDecision = { overlappingStarts: [], newBuffer: [], needCancel: false, needTerminate: false, overlapSkipped: 0 };
  for (const start of buffer) {
    const policy = resolve(start.overlapPolicy);
    if (policy === P.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL) {
      d.overlappingStarts.push(start);
      continue;
    }
    if (!isRunning && !d.nonOverlappingStart) {
      d.nonOverlappingStart = start;
      continue;
    }
    switch (policy) {
      case P.SCHEDULE_OVERLAP_POLICY_SKIP:
        d.overlapSkipped++;
        break;
      case P.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE:
        if (d.newBuffer.length === 0) d.newBuffer.push(start);
        else d.overlapSkipped++;
        break;
      case P.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL:
        d.newBuffer.push(start);
        break;
      case P.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER:
      case P.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER:
        if (isRunning) {
          // Kept in the buffer: it starts once the running one has closed.
          if (policy === P.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER) d.needCancel = true;
          else d.needTerminate = true;
          d.newBuffer.push(start);
        } else {
          // Nothing runs yet, only the start chosen above: this one replaces it.
          d.nonOverlappingStart = start;
        }
        break;
    }
  }
  // The overlapping starts would be cancelled or terminated at once with the others.
  if (d.needCancel || d.needTerminate) d.overlappingStarts = [];
  return d;
}
