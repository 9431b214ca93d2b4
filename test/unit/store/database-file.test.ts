/**
 * Which files the store accepts at open, beyond the refusals the storage-faults spec shows through the server: the
 * Hourglass databases of every earlier release are accepted and marked, and so is what a crash during the very first
 * start can leave behind.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { checkDatabaseHeader } from '../../../src/store/sqlite/database-file';
import { DatabaseFileError } from '../../../src/store/sqlite/database-file-error';
import { HOURGLASS_APPLICATION_ID } from '../../../src/store/sqlite/migrations';
import { openDatabase } from '../../../src/store/sqlite/open-database';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-database-file-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newFile = (): string => path.join(dir, `f-${++n}.db`);

function applicationId(file: string): number | undefined {
  const db = openDatabase(file);
  try {
    return db.prepare<[], { application_id: number }>('PRAGMA application_id').get()?.application_id;
  } finally {
    db.close();
  }
}

function raw(file: string, sql: string): void {
  const db = openDatabase(file);
  db.exec(sql);
  db.close();
}

async function opens(file: string): Promise<void> {
  const store = new SqliteStore({ filename: file, pragmas: { synchronous: 'OFF' } });
  await store.close();
}

test('a new database is marked as Hourglass’s (SQLite application_id)', async () => {
  const file = newFile();
  await opens(file);
  assert.equal(applicationId(file), HOURGLASS_APPLICATION_ID);
});

test('an Hourglass database from before the mark (application_id 0, its migrations recorded) opens and is marked', async () => {
  const file = newFile();
  await opens(file);
  raw(file, 'PRAGMA application_id = 0');
  await opens(file);
  assert.equal(applicationId(file), HOURGLASS_APPLICATION_ID);
});

test('what a crash before the first migration leaves (the bookkeeping table alone) opens as a new database', async () => {
  const file = newFile();
  raw(file, 'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  await opens(file);
  assert.equal(applicationId(file), HOURGLASS_APPLICATION_ID);
});

test('an empty file opens as a new database', async () => {
  const file = newFile();
  fs.writeFileSync(file, '');
  await opens(file);
  assert.equal(applicationId(file), HOURGLASS_APPLICATION_ID);
});

test("a database marked by another program's application_id is refused, naming it", () => {
  const file = newFile();
  raw(file, 'PRAGMA application_id = 1; CREATE TABLE t (x)');
  assert.throws(
    () => new SqliteStore({ filename: file }),
    (err) => err instanceof DatabaseFileError && /is not an Hourglass database \(it has tables t and application_id 0x1, not Hourglass's\)/.test(err.message),
  );
});

test('an unsupported pragma is refused before the file is created', () => {
  const file = newFile();
  assert.throws(() => new SqliteStore({ filename: file, pragmas: { cache_size: '10' } }), /unsupported SQLite pragma "cache_size"/);
  assert.equal(fs.existsSync(file), false);
});

test('a file shorter than its header says is left to SQLite’s recovery when a WAL or journal lies next to it (a crash mid-checkpoint)', async () => {
  const file = newFile();
  await opens(file);
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(file, bytes.subarray(0, bytes.length - 4096));
  assert.throws(() => checkDatabaseHeader(file), /is corrupt \(it is truncated/);
  for (const suffix of ['-wal', '-journal']) {
    fs.writeFileSync(file + suffix, Buffer.alloc(32));
    assert.doesNotThrow(() => checkDatabaseHeader(file));
    fs.rmSync(file + suffix);
  }
});
