import { persistenceUnavailable } from '../../common/errors';
import type { Transaction } from '../records';
import { DurabilityBarrier } from './durability-barrier';
import type { SqliteDatabase } from './driver';
import { asUnavailable, guarded, isStorageFault } from './persistence-errors';
import type { WalCheckpoint } from './wal-checkpoint';
import type { OwnSyncs } from './store-database';

interface PendingCommit {
  txn: Transaction;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: commits that arrive in the same turn of the event loop are written in one SQLite transaction (each in
 * its own savepoint, so one that fails is rolled back alone) and share one sync. No caller's promise settles before the
 * transaction holding its change is durable.
 *
 * With a WalSync (synchronous=FULL on a WAL file), SQLite's COMMIT only write()s; the sync is the WAL's fdatasync on the
 * threadpool, awaited through a DurabilityBarrier, so while the disk syncs the event loop runs timers, polls and the
 * next group's statements, and groups that commit meanwhile share the next fdatasync. Effects (matching, notifications,
 * the mutable-state cache) run only once a commit settles, so memory never runs ahead of the disk. Reads on the
 * connection can: a history or describe read may show a change committed in SQLite but not yet synced and so not yet
 * acknowledged. A process crash keeps such a change anyway (it is in the OS page cache, which outlives the process);
 * only a power loss or OS crash could drop it, and then it was never acknowledged.
 *
 * While a WAL sync runs, new commits wait for it to finish and then go in one group. They could not be acknowledged
 * before the sync after it anyway, which starts as that group is written; so the wait costs no latency, and under load
 * a group holds everything that arrived during one fsync, with one COMMIT, instead of one group per event-loop turn.
 *
 * With a WalSync comes a WalCheckpoint: when the WAL has grown past its size, the next flush waits while the checkpoint
 * runs (its syncs on the threadpool too), and so do single writes; commits meanwhile queue up and go in one group after.
 *
 * A failed fdatasync (EIO, ENOSPC) fails every commit it covered and every commit waiting for the next one with
 * UNAVAILABLE. Their transactions are committed in SQLite's view but may not be on the disk, and a later fdatasync can
 * succeed without having written them (the kernel may have dropped the failed pages), so nothing after it could be
 * trusted: as PostgreSQL does after a failed fsync, the store accepts no more writes, every one answered UNAVAILABLE,
 * until the server is restarted and SQLite recovers from what the disk holds. A failed checkpoint (an fdatasync of the
 * database file, or SQLite's copy into it) is treated the same way.
 */
export class GroupCommit {
  private pending: PendingCommit[] = [];
  private readonly barrier: DurabilityBarrier | undefined;
  private readonly checkpoint: WalCheckpoint | undefined;
  /** The checkpoint running now: no write may reach the WAL until it settles. */
  private checkpointing: Promise<void> | undefined;
  private checkpointFailure: { error: Error } | undefined;
  /** Whether a flush waits for the WAL sync in flight. */
  private waitingForSync = false;
  /** @internal How many checkpoints completed. */
  checkpoints = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly writeTransaction: (txn: Transaction) => void,
    wal: OwnSyncs | undefined,
  ) {
    this.barrier = wal && new DurabilityBarrier(wal.sync.sync);
    this.checkpoint = wal?.checkpoint;
  }

  /** @internal How many fdatasyncs of the WAL were started (0 when SQLite syncs, or nothing does). */
  get syncs(): number {
    return this.barrier?.syncs ?? 0;
  }

  commit(txn: Transaction): Promise<void> {
    const refused = this.refusal(operationOf(txn));
    if (refused) return Promise.reject(refused);
    return new Promise((resolve, reject) => {
      this.pending.push({ txn, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /**
   * One store operation outside group commit (namespaces, search attributes, schedules, a deletion): run now, answered
   * once durable; a storage fault rejects as UNAVAILABLE named after `operation`.
   */
  write<T>(operation: string, fn: () => T): Promise<T> {
    if (this.checkpointing) return this.checkpointing.then(() => this.write(operation, fn));
    const refused = this.refusal(operation);
    if (refused) return Promise.reject(refused);
    const written = guarded(this.db, operation, fn);
    this.checkpoint?.wrote(1);
    const barrier = this.barrier;
    if (!barrier) return written;
    const durable = written.then((result) =>
      barrier.whenDurable().then(
        () => result,
        (err: unknown) => Promise.reject(syncFailed(operation, err)),
      ),
    );
    // After the write asked for its sync, so that a checkpoint's own sync never makes it wait for the one after.
    void written.then(
      () => this.checkpointIfDue(),
      () => undefined,
    );
    return durable;
  }

  /** Writes what is pending and waits for its sync: every commit made has settled when this resolves. */
  async close(): Promise<void> {
    await this.checkpointing;
    if (this.pending.length > 0) this.flush(true);
    await this.barrier?.idle();
    await this.checkpointing; // one that last flush started
  }

  /**
   * Writes every pending commit in one transaction; each settles only once that transaction is durable. A change that
   * fails on its data (a conflict) is rolled back alone; a storage fault (disk full, I/O error) fails the whole group,
   * rolled back, with UNAVAILABLE: SQLite may have ended the transaction already, and nothing may be written after
   * that outside one.
   */
  private flush(afterSync = false): void {
    if (this.pending.length === 0 || this.checkpointing) return; // the checkpoint flushes when it is done
    const barrier = this.barrier;
    if (!afterSync && barrier?.syncing) {
      // Once only: a sync that started meanwhile (for a single write) is not waited for as well.
      if (!this.waitingForSync) {
        this.waitingForSync = true;
        void barrier.synced().then(() => {
          this.waitingForSync = false;
          this.flush(true);
        });
      }
      return;
    }
    const batch = this.pending;
    this.pending = [];
    const refused = this.refusal('UpdateWorkflowExecution');
    if (refused) {
      for (const item of batch) item.reject(this.refusal(operationOf(item.txn)));
      return;
    }
    const failures: unknown[] = [];
    let written = false;
    try {
      this.db.transaction(() => {
        batch.forEach((item, i) => {
          try {
            this.db.transaction(() => this.writeTransaction(item.txn)); // nested: its own savepoint
          } catch (err) {
            if (isStorageFault(this.db, err)) throw err;
            failures[i] = err;
          }
        });
        written = true; // what fails from here on is the COMMIT
        this.checkpoint?.wrote(batch.length);
      });
    } catch (err) {
      for (const item of batch) item.reject(asUnavailable(this.db, operationOf(item.txn), err, written));
      return;
    }
    const settle = (): void => batch.forEach((item, i) => (i in failures ? item.reject(failures[i]) : item.resolve()));
    if (!this.barrier || failures.length === batch.length) {
      settle();
    } else {
      this.barrier
        .whenDurable()
        .then(settle, (err: unknown) => batch.forEach((item, i) => item.reject(i in failures ? failures[i] : syncFailed(operationOf(item.txn), err))));
    }
    // After the group asked for its sync, so that a checkpoint's own sync never makes it wait for the one after.
    this.checkpointIfDue();
  }

  /** Starts a checkpoint when the WAL has grown past its size; from now until it settles, writes wait. */
  private checkpointIfDue(): void {
    const { checkpoint, barrier } = this;
    if (!checkpoint || !barrier || this.checkpointing || !checkpoint.due()) return;
    this.checkpointing = checkpoint
      .run(() => barrier.whenDurable())
      .then(() => void (this.checkpoints += 1))
      .catch((err: unknown) => {
        this.checkpointFailure ??= { error: err instanceof Error ? err : new Error(String(err)) };
      })
      .finally(() => {
        this.checkpointing = undefined;
        this.flush();
      });
  }

  /** Once a sync or a checkpoint has failed: the UNAVAILABLE every write gets, without being made. */
  private refusal(operation: string): Error | undefined {
    const synced = this.barrier?.failure;
    const failure = synced ?? this.checkpointFailure;
    if (!failure) return undefined;
    const what = synced ? 'an fsync of its write-ahead log' : 'a checkpoint of its write-ahead log';
    return persistenceUnavailable(operation, `the store accepts no writes since ${what} failed (${messageOf(failure.error)}); restart the server`);
  }
}

/** A commit the failed fdatasync covered: committed in SQLite, perhaps not on the disk, never acknowledged. */
function syncFailed(operation: string, err: unknown): Error {
  return persistenceUnavailable(operation, messageOf(err), true);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Temporal's name for the persistence operation a commit is: creating runs only, or changing one. */
function operationOf(txn: Transaction): string {
  return txn.runs.every((run) => run.expectedDbVersion === 0) ? 'CreateWorkflowExecution' : 'UpdateWorkflowExecution';
}
