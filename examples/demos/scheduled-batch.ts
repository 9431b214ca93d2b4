/** Demo: a nightly schedule for a batch job, its next runs, and a backfill that catches up the last three nights. */
import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { nightlyReportWorkflow } from '../workflows/scheduled-batch';

const DAY = 24 * 3600 * 1000;

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const scheduleId = `nightly-report-${randomUUID().slice(0, 8)}`;
  const handle = await ctx.client.schedule.create({
    scheduleId,
    spec: { cronExpressions: ['0 2 * * *'] },
    action: { type: 'startWorkflow', workflowType: nightlyReportWorkflow, args: ['eu'], taskQueue: ctx.taskQueue, workflowId: scheduleId },
  });
  const lines: string[] = [];
  try {
    const next = (await handle.describe()).info.nextActionTimes.slice(0, 2);
    lines.push(`scheduled-batch: ${scheduleId} runs at 02:00 UTC every night; next: ${next.map((d) => d.toISOString()).join(', ')}`);

    // The job was deployed late: run the three nights it missed, side by side.
    const lastNight = Math.floor((Date.now() - 2 * 3600 * 1000) / DAY) * DAY + 2 * 3600 * 1000;
    await handle.backfill({ start: new Date(lastNight - 2 * DAY), end: new Date(lastNight), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
    let actions = (await handle.describe()).info.recentActions;
    for (let i = 0; i < 100 && actions.length < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      actions = (await handle.describe()).info.recentActions;
    }
    for (const action of actions) {
      const result = await ctx.client.workflow.getHandle<typeof nightlyReportWorkflow>(action.action.workflow.workflowId).result();
      lines.push(`scheduled-batch: backfilled ${action.action.workflow.workflowId} → ${result}`);
    }
  } finally {
    await handle.delete();
  }
  return lines;
}
