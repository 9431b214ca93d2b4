import fs from 'node:fs';
import type { SqliteDatabase } from './driver';
import type { StorageFaults } from './storage-faults';
import type { WalSync } from './wal-sync';

/** SQLite's automatic checkpoint comes at 1,000 frames of WAL; the store's own comes at the same size. */
export const CHECKPOINT_WAL_FRAMES = 1000;
/** A WAL frame: its 24-byte header and a page (SQLite's default page size, which the store keeps). */
const FRAME_BYTES = 24 + 4096;

/**
 * The store's own checkpoints, when it syncs the WAL itself (WalSync): SQLite's automatic checkpoint would fsync the
 * WAL and then the database file inside a COMMIT, on the event loop. So SQLite runs at synchronous=OFF with
 * wal_autocheckpoint=0, and a checkpoint is three steps, the syncs on the libuv threadpool:
 *
 * 1. the WAL is durable (a WAL fdatasync that started after the last commit), so no page reaches the database file
 *    before the WAL frame it comes from is on the disk;
 * 2. `wal_checkpoint(PASSIVE)` copies the frames into the database file (write()s only, on the event loop);
 * 3. an fdatasync of the database file.
 *
 * No write may reach the WAL from step 1 to step 3: after a complete checkpoint SQLite writes the WAL from its start
 * again, over frames the database file may not yet hold durably. The caller holds writes until `run` settles.
 *
 * The WAL is reused in place, never truncated: overwriting allocated blocks keeps each fdatasync to the data, where a
 * file that grows again after a truncate makes every sync commit the file system's journal too. Its size therefore
 * says little of how much was written since the last checkpoint, and the drivers do not expose SQLite's WAL hook. So
 * the store counts its writes and learns, from each checkpoint's frame count, how many frames a write makes; and, for
 * writes much larger than the ones it learnt from, a WAL file that grew by a checkpoint's size is due as well.
 *
 * The database file's descriptor stays open until after the SQLite connection closes: a close() of any descriptor of
 * a file drops the process's fcntl locks on it, SQLite's exclusive lock among them.
 */
export class WalCheckpoint {
  private closed = false;
  /** Writes (transactions) since the last checkpoint, and the frames one made on average up to the last one. */
  private writes = 0;
  private framesPerWrite = 1;
  private sizeAtCheckpoint: number;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly wal: WalSync,
    private readonly fd: number,
    private readonly dbPath: string,
    private readonly walFrames: number,
    private readonly faults: StorageFaults | undefined,
  ) {
    this.sizeAtCheckpoint = wal.size();
  }

  /** Takes over the checkpoints of `db` (a connection in WAL mode on `filename`, whose WAL the store syncs itself). */
  static open(db: SqliteDatabase, filename: string, wal: WalSync, walFrames = CHECKPOINT_WAL_FRAMES, faults?: StorageFaults): WalCheckpoint {
    const fd = fs.openSync(filename, 'r');
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('synchronous = OFF');
    return new WalCheckpoint(db, wal, fd, filename, walFrames, faults);
  }

  /** Counts `n` writes (transactions) made to the WAL. */
  wrote(n: number): void {
    this.writes += n;
  }

  /** Whether the WAL has grown, by estimate, past the size at which a checkpoint is due. */
  due(): boolean {
    if (this.closed) return false;
    return this.writes * this.framesPerWrite >= this.walFrames || this.wal.size() - this.sizeAtCheckpoint >= this.walFrames * FRAME_BYTES;
  }

  /** Runs the three steps; `walDurable` resolves once everything written to the WAL so far is on the disk. */
  async run(walDurable: () => Promise<void>): Promise<void> {
    await walDurable();
    const row = this.db.prepare<[], { busy: number; log: number; checkpointed: number }>('PRAGMA wal_checkpoint(PASSIVE)').get();
    if (row && this.writes > 0) this.framesPerWrite = Math.max(row.log / this.writes, 0.01);
    this.writes = 0;
    this.sizeAtCheckpoint = this.wal.size();
    await this.syncDatabaseFile();
  }

  /**
   * Before the connection closes: SQLite's closing checkpoint then syncs the WAL and the database file itself before it
   * deletes the WAL (a shutdown may block the event loop).
   */
  beforeClose(): void {
    if (this.db.open) this.db.pragma('synchronous = FULL');
  }

  /** After the connection closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }

  private syncDatabaseFile(): Promise<void> {
    try {
      this.faults?.strikeSync('database', this.dbPath);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
  }
}
