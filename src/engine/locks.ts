/**
 * Serialises async work per key (per workflow ID): every read-modify-commit of a run happens under
 * its lock, so two RPCs never race on the same mutable state.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** The lock that guards all runs of one workflow ID. */
export function workflowLockKey(namespaceId: string, workflowId: string): string {
  return `${namespaceId}/${workflowId}`;
}
