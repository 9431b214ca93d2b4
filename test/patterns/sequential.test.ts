/**
 * Sequential pipeline: validate → transform → store, each step's output feeding the next; an
 * invalid request stops after validation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { needsTimeSkipping, uniqueName } from '../helpers';
import { usePatternEnvironment } from './pattern-environment';
import type { ProcessingRequest } from '../../patterns/domain';
import * as realActivities from '../../examples/activities/sequential';
import type { SequentialRecord } from '../../examples/activities/sequential';
import { sequentialPipelineWorkflow } from '../../examples/workflows/sequential';

/** The real activities, wrapped to record the order of calls and what each received. */
function recordingActivities() {
  const calls: { step: string; input: unknown }[] = [];
  const activities = {
    sequentialValidate: async (request: ProcessingRequest) => {
      calls.push({ step: 'validate', input: request });
      return realActivities.sequentialValidate(request);
    },
    sequentialTransform: async (request: ProcessingRequest) => {
      calls.push({ step: 'transform', input: request });
      return realActivities.sequentialTransform(request);
    },
    sequentialStore: async (record: SequentialRecord) => {
      calls.push({ step: 'store', input: record });
      return `memory://records/${record.requestId}`;
    },
  };
  return { calls, activities };
}

describe('sequential pipeline', needsTimeSkipping(), () => {
  const pattern = usePatternEnvironment('sequential');

  async function runPipeline(taskQueue: string, request: ProcessingRequest) {
    const { calls, activities } = recordingActivities();
    const result = await pattern.run(taskQueue, activities, () =>
      pattern.env.client.workflow.execute(sequentialPipelineWorkflow, { taskQueue, workflowId: taskQueue, args: [request] }),
    );
    return { result, calls };
  }

  test('a valid request runs validate, transform and store in order, each fed by the previous step', async (t) => {
    const request: ProcessingRequest = { requestId: 'req-1', payload: { customer: '  ada lovelace ', amount: 12.345 } };
    const { result, calls } = await runPipeline(uniqueName(t), request);
    assert.deepEqual(
      calls.map((c) => c.step),
      ['validate', 'transform', 'store'],
    );
    assert.deepEqual(calls[1]?.input, request, 'transform gets the validated request');
    assert.deepEqual(calls[2]?.input, { requestId: 'req-1', customer: 'ADA LOVELACE', amountCents: 1235 }, "store gets transform's output");
    assert.deepEqual(result, { status: 'stored', requestId: 'req-1', location: 'memory://records/req-1', stepsRun: ['validate', 'transform', 'store'] });
  });

  test('an invalid request stops after validation: nothing is transformed or stored, and the result lists why', async (t) => {
    const request: ProcessingRequest = { requestId: 'req-2', payload: { customer: ' ', amount: -5 } };
    const { result, calls } = await runPipeline(uniqueName(t), request);
    assert.deepEqual(
      calls.map((c) => c.step),
      ['validate'],
    );
    assert.deepEqual(result, {
      status: 'invalid',
      requestId: 'req-2',
      errors: ['customer is required', 'amount must be a non-negative number'],
      stepsRun: ['validate'],
    });
  });
});
