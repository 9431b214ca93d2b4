/**
 * Activity-side deduplication by idempotency key.
 *
 * Temporal runs an activity at least once: when a worker crashes or a timeout fires after the
 * side effect happened, the retry performs it again unless the callee deduplicates. Payment
 * providers do this with an idempotency key; this store does the same in memory for examples and
 * tests. In production keep the keys where the side effect is (a unique constraint in the same
 * database transaction, or the provider's own idempotency-key header).
 */

export interface IdempotentOutcome<T> {
  result: T;
  /** True when the result was recorded by an earlier call with the same key. */
  duplicate: boolean;
}

export class IdempotencyStore<T> {
  private readonly entries = new Map<string, Promise<T>>();

  /**
   * Performs `effect` once per `key`: later (or concurrent) calls with the same key get the first
   * call's result. A failed effect is forgotten so a retry can perform it.
   */
  async once(key: string, effect: () => Promise<T>): Promise<IdempotentOutcome<T>> {
    const existing = this.entries.get(key);
    if (existing) return { result: await existing, duplicate: true };
    const pending = effect();
    this.entries.set(key, pending);
    try {
      return { result: await pending, duplicate: false };
    } catch (err) {
      this.entries.delete(key);
      throw err;
    }
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
