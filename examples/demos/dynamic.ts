/** Demo: a small JSON definition (all four step types) run by the dynamic workflow, and an invalid one rejected before it runs. */
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import type { WorkflowDefinition } from '../../patterns/dynamic/definition';
import { dynamicWorkflow } from '../workflows/dynamic';

const definition: WorkflowDefinition = {
  name: 'order-o-42',
  defaults: { timeout: '10s', retry: { maximumAttempts: 3, initialInterval: '200ms' } },
  steps: [
    {
      id: 'validate',
      type: 'activity',
      activity: 'dynamicValidateOrder',
      input: {
        orderId: 'o-42',
        items: [
          { sku: 'MUG', quantity: 2, unitPrice: 12 },
          { sku: 'TEE', quantity: 1, unitPrice: 20 },
        ],
      },
    },
    {
      id: 'checks',
      type: 'parallel',
      steps: [
        { id: 'fraud', type: 'activity', activity: 'dynamicCheckFraud', input: { orderId: 'o-42', total: { $expr: 'results.validate.total' } } },
        { id: 'ack', type: 'activity', activity: 'dynamicSendNotification', input: { to: 'c-7', message: 'order received' }, onError: 'continue' },
      ],
    },
    {
      id: 'route',
      type: 'conditional',
      if: 'results.validate.valid && results.fraud.score < 50',
      then: [{ id: 'charge', type: 'activity', activity: 'dynamicChargePayment', input: { orderId: 'o-42', amount: { $expr: 'results.validate.total' } } }],
      else: [{ id: 'review', type: 'activity', activity: 'dynamicRequestReview', input: { orderId: 'o-42', reason: 'fraud score' } }],
    },
    {
      id: 'reserve',
      type: 'loop',
      over: 'results.validate.skus',
      body: [{ id: 'reservation', type: 'activity', activity: 'dynamicReserveInventory', input: { sku: { $expr: 'item' } } }],
    },
  ],
};

export async function run(ctx: { client: Client; taskQueue: string }): Promise<string[]> {
  const { results, failures } = await ctx.client.workflow.execute(dynamicWorkflow, {
    taskQueue: ctx.taskQueue,
    workflowId: `demo-dynamic-${randomUUID()}`,
    args: [definition],
  });
  const validation = results.validate as { total: number };
  const route = results.route as { branch: string };
  const reservations = (results.reserve as { reservation?: { sku: string } }[]).map((r) => r.reservation?.sku ?? '?');
  const lines = [
    `dynamic: definition "${definition.name ?? ''}" ran ${definition.steps.length} top-level steps (activity, parallel, conditional, loop)`,
    `  validate → total ${validation.total}; parallel → fraud score ${(results.fraud as { score: number }).score}, ack ${JSON.stringify(results.ack)}`,
    `  conditional took the "${route.branch}" branch → ${route.branch === 'then' ? `charged ${JSON.stringify(results.charge)}` : 'sent to review'}`,
    `  loop reserved ${reservations.join(', ')}; ${failures.length} step(s) failed and continued`,
  ];

  // A definition with a typo is rejected before any step runs, naming the step.
  const invalid = { steps: [definition.steps[0], { id: 'charge', type: 'activty', activity: 'dynamicChargePayment' }] } as unknown as WorkflowDefinition;
  try {
    await ctx.client.workflow.execute(dynamicWorkflow, { taskQueue: ctx.taskQueue, workflowId: `demo-dynamic-invalid-${randomUUID()}`, args: [invalid] });
    lines.push('  invalid definition: unexpectedly accepted');
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
    lines.push(`  invalid definition rejected before running: ${cause?.message ?? String(err)}`);
  }
  return lines;
}
