import { ApplicationFailure, CancellationScope, condition, defineSignal, isCancellation, setHandler, sleep } from '@temporalio/workflow';

export async function returnValue<T>(value: T): Promise<T> {
  return value;
}

export async function failWorkflow(message: string): Promise<never> {
  throw ApplicationFailure.create({ message, type: 'WorkflowFailureType', nonRetryable: true });
}

export const finishSignal = defineSignal('finish');

/** Runs until it receives the `finish` signal. */
export async function waitForFinish(): Promise<string> {
  let finished = false;
  setHandler(finishSignal, () => void (finished = true));
  await condition(() => finished);
  return 'finished';
}

export async function sleeper(ms: number): Promise<string> {
  await sleep(ms);
  return `slept ${ms}ms`;
}

/**
 * Starts a 1 s timer in a cancellation scope, cancels it in a later workflow task (so the server has seen the
 * timer start), sleeps 1.5 s more and reports whether the timer callback ever ran.
 */
export async function cancelledTimer(): Promise<{ fired: boolean; cancelled: boolean }> {
  let fired = false;
  let cancelled = false;
  const scope = new CancellationScope();
  const timer = scope
    .run(() => sleep(1000))
    .then(
      () => void (fired = true),
      (err) => {
        if (!isCancellation(err)) throw err;
        cancelled = true;
      },
    );
  await sleep(100);
  scope.cancel();
  await timer;
  await sleep(1500);
  return { fired, cancelled };
}
