/**
 * The runs the web UI specs (and a developer trying the UI) look at, started on one task queue: one of each workflow
 * in test/workflows/ui-workflows.ts, with IDs under a common prefix so a list filter finds them.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';

export interface UiScenarios {
  completed: WorkflowHandle;
  failed: WorkflowHandle;
  waiting: WorkflowHandle;
  parent: WorkflowHandle;
  signalled: WorkflowHandle;
}

/** Starts the five runs and waits until each has reached the state a spec looks at. */
export async function startUiScenarios(client: Client, taskQueue: string, prefix: string): Promise<UiScenarios> {
  const start = (type: string, id: string, args: unknown[] = []): Promise<WorkflowHandle> =>
    client.workflow.start(type, { taskQueue, workflowId: `${prefix}-${id}`, args, memo: { owner: 'ui-spec' } });
  const completed = await start('uiGreeting', 'completed', ['world']);
  const failed = await start('uiFailing', 'failed', ['card expired']);
  const waiting = await start('uiWaiting', 'waiting');
  const parent = await start('uiParent', 'parent');
  const signalled = await start('uiSignalled', 'signalled');
  await Promise.all([
    completed.result(),
    failed.result().catch((e: unknown) => {
      if (!(e instanceof WorkflowFailedError)) throw e;
    }),
    until(async () => Boolean((await waiting.describe()).raw.pendingActivities?.[0]?.lastFailure)),
    // The child's own run is the sign the parent's StartChildWorkflowExecution went through.
    until(() =>
      client.workflow
        .getHandle(`${prefix}-parent-child`)
        .describe()
        .then(
          () => true,
          () => false,
        ),
    ),
    until(async () => (await signalled.describe()).historyLength >= 3),
  ]);
  return { completed, failed, waiting, parent, signalled };
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('scenario did not reach its state in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
