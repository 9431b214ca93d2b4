import { resultCodeName, type SqliteDatabase, type SqliteDriver, type SqliteResultCode, type SqliteStatement, TransactionRunner } from './driver';

/** The part of `node:sqlite` used here (its types are not in @types/node 20, the Node this project builds with). */
interface NodeSqlite {
  DatabaseSync: new (location: string) => DatabaseSync;
}
interface DatabaseSync {
  exec(sql: string): void;
  prepare(sql: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  close(): void;
}

/** SQLite's primary result code for a constraint violation; node:sqlite reports the extended code (e.g. 1555). */
const SQLITE_CONSTRAINT = 19;

/**
 * Node's built-in SQLite, or undefined when this Node has none: before 22.5, or 22.5–22.12 without
 * `--experimental-sqlite`.
 */
export function loadNodeSqlite(): SqliteDriver | undefined {
  const sqlite = requireQuietly();
  if (!sqlite) return undefined;
  return { name: 'node', open: (filename) => new NodeSqliteDatabase(new sqlite.DatabaseSync(filename)) };
}

function isConstraintViolation(err: unknown): boolean {
  if (!(err instanceof Error) || (err as { code?: unknown }).code !== 'ERR_SQLITE_ERROR') return false;
  const errcode = (err as { errcode?: unknown }).errcode;
  // Node releases before `errcode` existed still name the constraint in the message ("UNIQUE constraint failed: …").
  return typeof errcode === 'number' ? (errcode & 0xff) === SQLITE_CONSTRAINT : /constraint failed/.test(err.message);
}

/**
 * Loads node:sqlite without its one-time ExperimentalWarning on stderr: it is the default store of every Hourglass
 * server on Node 22, and users would read the warning as ours. Other warnings pass through.
 */
function requireQuietly(): NodeSqlite | undefined {
  // Kept unbound to be put back exactly as it was; called with `process` as its receiver.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(text)) return;
    Reflect.apply(emitWarning, process, [warning, ...rest]);
  };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node:sqlite') as NodeSqlite;
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emitWarning;
  }
}

class NodeSqliteDatabase implements SqliteDatabase {
  readonly driver = 'node';
  private isOpen = true;
  private readonly transactions: TransactionRunner;

  constructor(private readonly db: DatabaseSync) {
    this.transactions = new TransactionRunner(db);
  }

  get open(): boolean {
    return this.isOpen;
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): SqliteStatement<P, R> {
    return this.db.prepare(sql) as SqliteStatement<P, R>;
  }

  pragma(setting: string): void {
    this.db.exec(`PRAGMA ${setting}`);
  }

  transaction<T>(fn: () => T): T {
    return this.transactions.run(fn);
  }

  isConstraintViolation(err: unknown): boolean {
    return isConstraintViolation(err);
  }

  resultCode(err: unknown): SqliteResultCode | undefined {
    if (!(err instanceof Error) || (err as { code?: unknown }).code !== 'ERR_SQLITE_ERROR') return undefined;
    const errcode = (err as { errcode?: unknown }).errcode;
    return typeof errcode === 'number' ? resultCodeName(errcode) : 'SQLITE_OTHER';
  }

  close(): void {
    this.db.close();
    this.isOpen = false;
  }
}
