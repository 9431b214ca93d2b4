/**
 * Workflows the web UI's browser specs look at: one of each shape a developer opens the UI for (a completed run, a
 * failure after activity retries, a run waiting on a timer and a retrying activity, a parent with a child, a run with
 * signal, query and update handlers).
 */
import { condition, defineQuery, defineSignal, defineUpdate, executeChild, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities';

const quick = proxyActivities<typeof activities>({ startToCloseTimeout: '10s', retry: { initialInterval: '50ms', maximumAttempts: 3 } });
const patient = proxyActivities<typeof activities>({ startToCloseTimeout: '10s', retry: { initialInterval: '1h', backoffCoefficient: 2 } });

export async function uiGreeting(name: string): Promise<{ greeting: string }> {
  return { greeting: await quick.echo(`hello ${name}`) };
}

/** Fails once its activity has failed all three attempts: the failure's cause chain is the activity's. */
export async function uiFailing(reason: string): Promise<void> {
  await quick.failWithType(reason, 'PaymentDeclined');
}

/** Waits on a one-hour timer while an activity waits an hour between retries: both stay pending. */
export async function uiWaiting(): Promise<void> {
  await Promise.all([sleep('1h'), patient.failWithType('inventory service unavailable', 'Unavailable')]);
}

export async function uiChild(label: string): Promise<string> {
  await sleep('1h');
  return label;
}

export async function uiParent(): Promise<string> {
  return executeChild(uiChild, { args: ['child of uiParent'], workflowId: `${workflowInfo().workflowId}-child` });
}

export const uiPokeSignal = defineSignal<[{ by: string }]>('poke');
export const uiFinishSignal = defineSignal('finish');
export const uiPokesQuery = defineQuery<string[]>('pokes');
export const uiLabelUpdate = defineUpdate<string, [string]>('setLabel');

/** Collects `poke` signals until `finish`; `pokes` answers them, `setLabel` renames the run and answers the old label. */
export async function uiSignalled(): Promise<{ pokes: string[]; label: string }> {
  const pokes: string[] = [];
  let label = 'initial';
  let finished = false;
  setHandler(uiPokeSignal, ({ by }) => void pokes.push(by), { description: 'Records who poked the run' });
  setHandler(uiFinishSignal, () => void (finished = true));
  setHandler(uiPokesQuery, () => pokes, { description: 'Who poked the run, in order' });
  setHandler(
    uiLabelUpdate,
    (next) => {
      const previous = label;
      label = next;
      return previous;
    },
    { description: 'Renames the run; answers the previous label' },
  );
  await condition(() => finished);
  return { pokes, label };
}
