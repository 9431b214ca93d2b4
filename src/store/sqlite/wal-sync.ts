import fs from 'node:fs';
import path from 'node:path';
import type { StorageFaults } from './storage-faults';

/**
 * The store's own fsync of SQLite's write-ahead log, run on the libuv threadpool so the event loop keeps serving while
 * the disk syncs. SQLite then syncs nothing itself (synchronous=OFF): COMMIT write()s the WAL frames, and a group
 * commit is acknowledged only after an fdatasync of the WAL that started after its COMMIT has completed; checkpoints are
 * the store's too (WalCheckpoint), their syncs on the threadpool as well. Together that is what synchronous=FULL gives:
 * every acknowledged change survives a power loss.
 *
 * The descriptor stays open for the store's life. The file is the one SQLite writes as long as the connection is open:
 * in WAL mode with locking_mode=EXCLUSIVE SQLite deletes the WAL only when the connection closes; after a checkpoint it
 * reuses it in place and never unlinks or recreates it (a spec checks the inode after many checkpoints).
 */
export class WalSync {
  private closed = false;

  private constructor(
    private readonly fd: number,
    readonly walPath: string,
    private readonly faults: StorageFaults | undefined,
  ) {}

  /**
   * Opens the WAL SQLite created next to `filename` (it exists once a connection in WAL mode has read the database) and
   * makes its directory entry durable: with synchronous=FULL SQLite would fsync the directory at the WAL's first sync,
   * which at NORMAL comes only with the first checkpoint; without it a power loss could lose the whole new file.
   */
  static open(filename: string, faults?: StorageFaults): WalSync {
    const walPath = `${filename}-wal`;
    const fd = fs.openSync(walPath, 'r+');
    try {
      syncDirectory(path.dirname(path.resolve(walPath)));
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    return new WalSync(fd, walPath, faults);
  }

  /** fdatasync(2) of the WAL: every frame write()n before the call is on the disk when it resolves. */
  sync = (): Promise<void> => {
    if (this.closed) return Promise.reject(new Error(`${this.walPath} is closed`));
    try {
      this.faults?.strikeSync('wal', this.walPath);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return new Promise((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
  };

  /** The WAL file's size in bytes (reused in place, it is the most ever written between two checkpoints). */
  size(): number {
    return fs.fstatSync(this.fd).size;
  }

  /** Whether the path still names the file this descriptor syncs (SQLite has not recreated it). */
  isCurrent(): boolean {
    const held = fs.fstatSync(this.fd);
    try {
      const named = fs.statSync(this.walPath);
      return named.ino === held.ino && named.dev === held.dev;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** fsync of a directory, where the OS allows one (Windows opens no directory for it; its metadata is journaled). */
function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
