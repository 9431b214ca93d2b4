import { condition, defineSignal, defineUpdate, setHandler, startChild, uuid4, workflowInfo } from '@temporalio/workflow';

export const resetMessageSignal = defineSignal<[string]>('message');
export const resetMessageUpdate = defineUpdate<number, [string]>('messageUpdate');

export interface ResetProbeResult {
  runId: string;
  /** Drawn after the messages arrived: seeded from the run id the SDK was given last. */
  uuid: string;
  messages: string[];
}

/** Collects messages (by signal or update) until it has `expected` of them; reports which run and seed finished it. */
export async function resetProbe(expected: number): Promise<ResetProbeResult> {
  const messages: string[] = [];
  setHandler(resetMessageSignal, (message) => void messages.push(message));
  setHandler(resetMessageUpdate, (message) => messages.push(message));
  await condition(() => messages.length >= expected);
  return { runId: workflowInfo().runId, uuid: uuid4(), messages };
}

/** A parent waiting for a resetProbe child that needs one message. */
export async function resetProbeParent(childId: string): Promise<ResetProbeResult> {
  const child = await startChild(resetProbe, { workflowId: childId, args: [1] });
  return child.result();
}
