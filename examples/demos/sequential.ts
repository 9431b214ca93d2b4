/** Demo: a valid request goes validate → transform → store; an invalid one stops after validation. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { ProcessingRequest } from '../../patterns/domain';
import { sequentialPipelineWorkflow, type SequentialResult } from '../workflows/sequential';

function describe(result: SequentialResult): string {
  return result.status === 'stored'
    ? `sequential: ${result.requestId} ran [${result.stepsRun.join(' → ')}] and was stored at ${result.location}`
    : `sequential: ${result.requestId} was rejected after [${result.stepsRun.join(' → ')}]: ${result.errors.join('; ')}`;
}

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const requests: ProcessingRequest[] = [
    { requestId: `req-valid-${randomUUID().slice(0, 8)}`, payload: { customer: ' ada lovelace ', amount: 12.5 } },
    { requestId: `req-invalid-${randomUUID().slice(0, 8)}`, payload: { customer: '', amount: -1 } },
  ];
  const results = await Promise.all(
    requests.map((request) =>
      ctx.client.workflow.execute(sequentialPipelineWorkflow, { taskQueue: ctx.taskQueue, workflowId: `sequential-${request.requestId}`, args: [request] }),
    ),
  );
  return results.map(describe);
}
