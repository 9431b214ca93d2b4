/**
 * The dynamic workflow: one workflow type that runs any JSON definition (validated first) over the
 * dynamic example's activities.
 */
import { runDynamicDefinition, type DynamicRunResult } from '../../patterns/dynamic/interpreter';
import type { WorkflowDefinition } from '../../patterns/dynamic/definition';
import type * as activities from '../activities/dynamic';

/** The activities a definition may call: exactly those the example registers. */
const DYNAMIC_ACTIVITIES = [
  'dynamicValidateOrder',
  'dynamicCheckFraud',
  'dynamicReserveInventory',
  'dynamicChargePayment',
  'dynamicRequestReview',
  'dynamicSendNotification',
] as const satisfies readonly (keyof typeof activities)[];

/**
 * Validates `definition` (a non-retryable `InvalidDefinition` failure naming the offending steps if it
 * is wrong, before any activity runs), then interprets it and returns every step's result.
 */
export async function dynamicWorkflow(definition: WorkflowDefinition): Promise<DynamicRunResult> {
  return runDynamicDefinition(definition, { activities: DYNAMIC_ACTIVITIES });
}
