/**
 * Periodic batch job example: the workflow a schedule starts every night. The schedule, not the workflow, owns the
 * timing (no cron loop, no sleeping until 2 am); each run is one night's batch, named after its scheduled time.
 */
import { workflowInfo } from '@temporalio/workflow';

export async function nightlyReportWorkflow(region: string): Promise<string> {
  const { workflowId } = workflowInfo();
  // The schedule appends the nominal time to the workflow id: `<id>-2024-05-01T02:00:00Z`.
  const night = workflowId.slice(-20, -10);
  return `${region} report for ${night}`;
}
