/** Demo: pause, inspect and resume one process; cancel another mid-way. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { cancelSignal, pauseSignal, resumeSignal, statusQuery } from '../../patterns/process-control';
import { longRunningProcessWorkflow } from '../workflows/long-running';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const id = randomUUID().slice(0, 8);
  const input = { totalSteps: 4, delayBetweenSteps: '300 ms' };
  const [paused, cancelled] = await Promise.all([
    ctx.client.workflow.start(longRunningProcessWorkflow, { taskQueue: ctx.taskQueue, workflowId: `long-running-pause-${id}`, args: [input] }),
    ctx.client.workflow.start(longRunningProcessWorkflow, { taskQueue: ctx.taskQueue, workflowId: `long-running-cancel-${id}`, args: [input] }),
  ]);
  await delay(400);
  await paused.signal(pauseSignal);
  await cancelled.signal(cancelSignal, 'demo');
  await delay(500);
  const whilePaused = await paused.query(statusQuery);
  await paused.signal(resumeSignal);
  const [done, stopped] = await Promise.all([paused.result(), cancelled.result()]);
  return [
    `long-running: paused → status ${whilePaused.status} at ${whilePaused.progress}% (${whilePaused.completedSteps}/${whilePaused.totalSteps} steps)`,
    `long-running: resumed → ${done.status} at ${done.progress}%`,
    `long-running: cancel signal → ${stopped.status} at ${stopped.progress}% (${stopped.completedSteps}/${stopped.totalSteps} steps)`,
  ];
}
