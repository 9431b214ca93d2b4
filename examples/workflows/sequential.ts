/**
 * Sequential pipeline example: validate → transform → store, each step feeding the next. An
 * invalid request stops after validation with a result that lists the problems — nothing is
 * transformed or stored.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/sequential';
import type { ProcessingRequest } from '../../patterns/domain';

const { sequentialValidate, sequentialTransform, sequentialStore } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3 },
});

export type SequentialStep = 'validate' | 'transform' | 'store';

export type SequentialResult =
  | { status: 'stored'; requestId: string; location: string; stepsRun: SequentialStep[] }
  | { status: 'invalid'; requestId: string; errors: string[]; stepsRun: SequentialStep[] };

export async function sequentialPipelineWorkflow(request: ProcessingRequest): Promise<SequentialResult> {
  const validation = await sequentialValidate(request);
  if (!validation.valid) return { status: 'invalid', requestId: request.requestId, errors: validation.errors, stepsRun: ['validate'] };
  const record = await sequentialTransform(request);
  const location = await sequentialStore(record);
  return { status: 'stored', requestId: request.requestId, location, stepsRun: ['validate', 'transform', 'store'] };
}
