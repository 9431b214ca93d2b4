/* No imports: the CLI loads this to recognise the error without loading the store. */

/**
 * A database file Hourglass refuses at start: another server has it open, or it is not a database this build can use
 * (not SQLite, damaged, not Hourglass's, or written by a newer Hourglass). Nothing was written to the file.
 */
export class DatabaseFileError extends Error {
  constructor(
    readonly filename: string,
    message: string,
  ) {
    super(message);
    this.name = 'DatabaseFileError';
  }
}
