/** Demo: workflow time, seeded randomness and an activity's real randomness. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { deterministicWorkflow } from '../workflows/deterministic';

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const result = await ctx.client.workflow.execute(deterministicWorkflow, {
    taskQueue: ctx.taskQueue,
    workflowId: `deterministic-${randomUUID()}`,
    args: [{ wait: '300 ms' }],
  });
  return [
    `deterministic: workflow clock advanced ${result.finishedAt - result.startedAt} ms across a durable sleep (run started ${new Date(result.runStartTime).toISOString()})`,
    `deterministic: seeded Math.random() rolled ${result.roll}, uuid4() gave ${result.requestId} — the same on every replay`,
    `deterministic: real randomness came from an activity and is recorded in history: ${result.token}`,
  ];
}
