import type { SqliteDatabase, SqliteDriverName } from './driver';
import { checkDatabaseHeader, checkNotOpenHere, checkSchema, claimFile, lockDatabase, refusal } from './database-file';
import { migrate } from './migrations';
import { openDatabase } from './open-database';
import { PRAGMA_VALUE, SETTABLE_PRAGMAS } from './pragmas';
import { withStorageFaults, type StorageFaults } from './storage-faults';
import { WalCheckpoint } from './wal-checkpoint';
import { WalSync } from './wal-sync';

export interface StoreDatabaseOptions {
  /** A file path; absent means an in-memory database. */
  filename?: string;
  pragmas?: Record<string, string>;
  driver?: SqliteDriverName;
  /** @internal Injected storage faults (specs only). */
  faults?: StorageFaults;
  /** @internal The WAL size, in frames, at which the store checkpoints (specs make it small); default CHECKPOINT_WAL_FRAMES. */
  checkpointWalFrames?: number;
}

/** The syncs the store makes itself instead of SQLite: of the WAL after each group commit, and of its checkpoints. */
export interface OwnSyncs {
  sync: WalSync;
  checkpoint: WalCheckpoint;
}

/** An open store database, and what to call when closing it. */
export interface StoreDatabase {
  db: SqliteDatabase;
  release: () => void;
  /**
   * Present when the store makes its commits durable itself (see WalSync) and checkpoints itself (WalCheckpoint): the
   * user's synchronous=FULL on a file in WAL mode, run by SQLite at OFF. Absent for an in-memory database, another
   * journal mode, or a synchronous setting the user lowered (NORMAL, OFF: no fsync of ours either) or raised (EXTRA:
   * SQLite syncs as told).
   */
  wal?: OwnSyncs;
}

const SYNCHRONOUS_FULL = 2;
/** SQLite's default page cache size: negative means KiB, not pages. */
const PAGE_CACHE_KIB = -2000;

/**
 * Opens the store's database. For a file, in this order, so that a file refused at any step is left byte for byte as
 * it was: not open in this process; an SQLite header that is whole; SQLite's exclusive lock (no second writer);
 * Hourglass's schema at a version this build knows. Only then the pragmas (WAL rewrites the header) and migrations.
 */
export function openStoreDatabase(options: StoreDatabaseOptions): StoreDatabase {
  const { filename } = options;
  const pragmas = { journal_mode: filename ? 'WAL' : 'MEMORY', synchronous: 'FULL', ...options.pragmas };
  for (const [name, value] of Object.entries(pragmas)) {
    if (!SETTABLE_PRAGMAS.includes(name)) throw new Error(`unsupported SQLite pragma "${name}" (supported: ${SETTABLE_PRAGMAS.join(', ')})`);
    if (!PRAGMA_VALUE.test(value)) throw new Error(`invalid value "${value}" for SQLite pragma "${name}"`);
  }
  if (filename) {
    checkNotOpenHere(filename);
    checkDatabaseHeader(filename);
  }
  const opened = openDatabase(filename ?? ':memory:', options.driver);
  let release = (): void => undefined;
  let wal: WalSync | undefined;
  let checkpoint: WalCheckpoint | undefined;
  try {
    if (filename) {
      lockDatabase(opened, filename);
      release = claimFile(filename);
      checkSchema(opened, filename);
    }
    try {
      for (const [name, value] of Object.entries(pragmas)) {
        if (name === 'journal_mode' && !filename) continue; // an in-memory database has no file to journal
        opened.pragma(`${name} = ${value}`);
      }
      opened.pragma('foreign_keys = ON');
      // SQLite's own default page cache (2 MiB), which node:sqlite keeps; better-sqlite3's build raises it to 16 MiB,
      // which costs the server that much RSS for no measurable CPU (W2: 4.57–4.69 against 4.65–4.74 CPU-ms per
      // workflow). Misses are read from the OS page cache. An in-memory database lives in its cache: left alone.
      if (filename) opened.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
      migrate(opened);
    } catch (err) {
      throw filename ? refusal(opened, filename, err) : err;
    }
    // After the migrations, which SQLite made durable itself: from here on the store syncs the WAL off the event loop.
    if (filename && syncsWalItself(opened)) {
      wal = WalSync.open(filename, options.faults);
      checkpoint = WalCheckpoint.open(opened, filename, wal, options.checkpointWalFrames, options.faults);
    }
  } catch (err) {
    opened.close(); // before our descriptors: closing one of the database file would drop SQLite's lock
    checkpoint?.close();
    wal?.close();
    release();
    throw err;
  }
  return { db: options.faults ? withStorageFaults(opened, options.faults) : opened, release, wal: wal && checkpoint && { sync: wal, checkpoint } };
}

/** The settings in effect (a file system may refuse WAL): synchronous=FULL with a write-ahead log. */
function syncsWalItself(db: SqliteDatabase): boolean {
  const synchronous = db.prepare<[], { synchronous: number }>('PRAGMA synchronous').get()?.synchronous;
  const journalMode = db.prepare<[], { journal_mode: string }>('PRAGMA journal_mode').get()?.journal_mode;
  return synchronous === SYNCHRONOUS_FULL && journalMode?.toLowerCase() === 'wal';
}
