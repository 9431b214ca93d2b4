import fs from 'node:fs';
import { DatabaseFileError } from './database-file-error';
import type { SqliteDatabase } from './driver';
import { HOURGLASS_APPLICATION_ID, migrations } from './migrations';

const SQLITE_MAGIC = 'SQLite format 3\0';
const HEADER_BYTES = 100;

/**
 * Files this process has open as a store, by device and inode. SQLite's lock is an fcntl lock, which a process never
 * conflicts with itself on, and which the OS drops when the process closes *any* descriptor of the file: so a second
 * store in this process is refused here, before anything opens the file (a second SQLite library in the process, e.g.
 * the other driver, would otherwise be granted the lock).
 */
const openFiles = new Set<string>();

/** Identity of the file, stat'ed without opening it; undefined when it does not exist yet. */
function fileKey(filename: string): string | undefined {
  try {
    const st = fs.statSync(filename);
    return `${st.dev}:${st.ino}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function inUse(filename: string): DatabaseFileError {
  return new DatabaseFileError(
    filename,
    `database file ${filename} is in use by another Hourglass server (or another program holds its lock); stop it or use another file`,
  );
}

/** Refuses the file if this process already serves it. */
export function checkNotOpenHere(filename: string): void {
  const key = fileKey(filename);
  if (key !== undefined && openFiles.has(key)) throw inUse(filename);
}

/**
 * Registers the opened file (refusing it if another path to it is open here); returns the function that forgets it
 * at close.
 */
export function claimFile(filename: string): () => void {
  const key = fileKey(filename);
  if (key === undefined) return () => undefined;
  if (openFiles.has(key)) throw inUse(filename);
  openFiles.add(key);
  return () => openFiles.delete(key);
}

/**
 * Before SQLite sees the file: a file that exists and is not empty must start with SQLite's header and be as long as
 * the header says. Read with plain file I/O, so a file refused here was never opened by SQLite (which could roll back a
 * journal or checkpoint a WAL into it).
 */
export function checkDatabaseHeader(filename: string): void {
  let fd: number;
  try {
    fd = fs.openSync(filename, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // a new database
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return; // SQLite treats an empty file as an empty database
    const header = Buffer.alloc(HEADER_BYTES);
    const read = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    const magic = header.toString('latin1', 0, SQLITE_MAGIC.length) === SQLITE_MAGIC;
    if (magic && read < HEADER_BYTES) throw corrupt(filename, `it is truncated: ${size} bytes, shorter than SQLite's header`);
    if (!magic) {
      throw new DatabaseFileError(filename, `database file ${filename} is not an SQLite database (it does not start with SQLite's header)`);
    }
    const rawPageSize = header.readUInt16BE(16);
    const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
    if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw corrupt(filename, `its header gives an invalid page size ${rawPageSize}`);
    // The page count in the header is trusted by SQLite only when the change counter matches "version-valid-for". A
    // crash during a checkpoint (or a rollback-journal commit) can leave the file short of it, with the WAL (or the
    // journal) that makes it whole: then SQLite's recovery decides, not this check.
    const pages = header.readUInt32BE(28);
    const valid = header.readUInt32BE(24) === header.readUInt32BE(92);
    if (valid && pages > 0 && size < pages * pageSize && !hasRecoveryFile(filename)) {
      throw corrupt(filename, `it is truncated: ${size} bytes where its header says ${pages} pages of ${pageSize} bytes`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether a WAL or rollback journal with content lies next to the file (left by a crash, for SQLite to recover from). */
function hasRecoveryFile(filename: string): boolean {
  return ['-wal', '-journal'].some((suffix) => {
    try {
      return fs.statSync(filename + suffix).size > 0;
    } catch {
      return false;
    }
  });
}

export function corrupt(filename: string, why: string): DatabaseFileError {
  return new DatabaseFileError(filename, `database file ${filename} is corrupt (${why}); restore it from a backup or use another file`);
}

/**
 * Takes SQLite's exclusive lock on the file and keeps it until the connection closes (`locking_mode=EXCLUSIVE`): a
 * second Hourglass, in this process or another, cannot open the file while this one runs. It is an OS lock, so a
 * killed server leaves none behind. No waiting: a held lock is refused at once.
 */
export function lockDatabase(db: SqliteDatabase, filename: string): void {
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    // A transaction that writes nothing: it takes the lock (which EXCLUSIVE mode then keeps) and leaves the file as is.
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (err) {
    throw refusal(db, filename, err);
  }
}

/** A driver error met while opening or checking the file, as the reason the file is refused. */
export function refusal(db: SqliteDatabase, filename: string, err: unknown): unknown {
  const code = db.resultCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return inUse(filename);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return corrupt(filename, message);
  return err;
}

/**
 * Reads the schema, writing nothing: an empty database is new; one with tables must be Hourglass's (its
 * application_id, or the first migration of a database created before the marker) at a schema version this build
 * knows. Runs before any pragma or migration that would write to the file.
 */
export function checkSchema(db: SqliteDatabase, filename: string): void {
  let tables: string[];
  let applicationId: number;
  let versions: { version: number; name: string }[] = [];
  try {
    tables = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      .all()
      .map((r) => r.name);
    if (tables.length === 0) return;
    applicationId = db.prepare<[], { application_id: number }>('PRAGMA application_id').get()?.application_id ?? 0;
    if (tables.includes('schema_migrations')) versions = db.prepare<[], { version: number; name: string }>('SELECT version, name FROM schema_migrations').all();
  } catch (err) {
    throw refusal(db, filename, err);
  }
  const first = migrations[0];
  // Before the marker existed, a database was known by its first migration (or by the bookkeeping table alone, left by
  // a crash before that migration committed).
  const onlyBookkeeping = tables.length === 1 && tables[0] === 'schema_migrations' && versions.length === 0;
  const beforeMarker = applicationId === 0 && (onlyBookkeeping || versions.some((v) => v.version === first?.version && v.name === first.name));
  if (applicationId !== HOURGLASS_APPLICATION_ID && !beforeMarker) {
    const shown = tables.length > 5 ? `${tables.slice(0, 5).join(', ')}, …` : tables.join(', ');
    const marker = applicationId === 0 ? 'no Hourglass schema' : `application_id 0x${applicationId.toString(16)}, not Hourglass's`;
    throw new DatabaseFileError(
      filename,
      `database file ${filename} is not an Hourglass database (it has tables ${shown} and ${marker}); Hourglass uses it only if it created it`,
    );
  }
  const known = migrations.at(-1)?.version ?? 0;
  const newest = Math.max(0, ...versions.map((v) => v.version));
  if (newest > known) {
    throw new DatabaseFileError(
      filename,
      `database file ${filename} has schema version ${newest}, newer than this Hourglass supports (${known}): it was written by a newer Hourglass; ` +
        'run that version or a later one',
    );
  }
}
