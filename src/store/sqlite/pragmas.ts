/**
 * The SQLite pragmas a user may set (the Temporal CLI's `--sqlite-pragma`), in one place for the store
 * that applies them and the CLI that validates them. No imports: the CLI loads this before SQLite.
 */

/** The pragmas SqliteStore accepts, as in the Temporal CLI. */
export const SETTABLE_PRAGMAS: readonly string[] = ['journal_mode', 'synchronous'];

/** A pragma value is one bare word (WAL, NORMAL, 1): it is written into the PRAGMA statement as is. */
export const PRAGMA_VALUE = /^[A-Za-z0-9_]+$/;
