import { loadBetterSqlite3 } from './better-sqlite3-driver';
import { SQLITE_DRIVERS, SQLITE_DRIVER_ENV, type SqliteDatabase, type SqliteDriver, type SqliteDriverName } from './driver';
import { loadNodeSqlite } from './node-sqlite-driver';

/**
 * Opens `filename` (or `:memory:`) with the chosen driver: `requested`, else HOURGLASS_SQLITE_DRIVER, else node:sqlite
 * when this Node has it and better-sqlite3 otherwise. A driver that cannot be loaded is an error that says why.
 */
export function openDatabase(filename: string, requested?: SqliteDriverName): SqliteDatabase {
  return sqliteDriver(requested).open(filename);
}

/** Each driver is loaded once: a native module that failed to load cannot be required again. */
let nodeSqlite: { driver: SqliteDriver | undefined } | undefined;
let betterSqlite3: { driver: SqliteDriver } | { error: unknown } | undefined;

function loadNode(): SqliteDriver | undefined {
  return (nodeSqlite ??= { driver: loadNodeSqlite() }).driver;
}

function loadBetter(): SqliteDriver {
  if (!betterSqlite3) {
    try {
      betterSqlite3 = { driver: loadBetterSqlite3() };
    } catch (error) {
      betterSqlite3 = { error };
    }
  }
  if ('error' in betterSqlite3) throw betterSqlite3.error;
  return betterSqlite3.driver;
}

export function sqliteDriver(requested?: SqliteDriverName): SqliteDriver {
  const name = requested ?? driverFromEnvironment();
  if (name === 'node') return loadNode() ?? failNodeSqlite();
  if (name === 'better-sqlite3') return loadBetterSqlite3WithReason();
  const node = loadNode();
  if (node) return node;
  try {
    return loadBetter();
  } catch (err) {
    throw new Error(
      `no SQLite driver: this Node (${process.version}) has no node:sqlite (built in from Node 22.5) and better-sqlite3 could not be loaded ` +
        `(${reason(err)}); use Node >= 22.5 or install better-sqlite3 (npm install better-sqlite3)`,
      { cause: err },
    );
  }
}

function driverFromEnvironment(): SqliteDriverName | undefined {
  const value = process.env[SQLITE_DRIVER_ENV];
  if (value === undefined || value === '') return undefined;
  if ((SQLITE_DRIVERS as readonly string[]).includes(value)) return value as SqliteDriverName;
  throw new Error(`invalid ${SQLITE_DRIVER_ENV} "${value}" (expected ${SQLITE_DRIVERS.join(' or ')})`);
}

function failNodeSqlite(): never {
  throw new Error(
    `the SQLite driver "node" needs node:sqlite, which this Node (${process.version}) does not have: ` +
      'it is built in from Node 22.5 (22.5 to 22.12 need --experimental-sqlite)',
  );
}

function loadBetterSqlite3WithReason(): SqliteDriver {
  try {
    return loadBetter();
  } catch (err) {
    throw new Error(`the SQLite driver "better-sqlite3" could not be loaded (${reason(err)}); install it with npm install better-sqlite3`, { cause: err });
  }
}

function reason(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
