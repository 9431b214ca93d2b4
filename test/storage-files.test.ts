/**
 * The database file at start: one Hourglass per file (a second server, in this process or another, is refused naming
 * the file; a SIGKILLed one leaves no lock behind), and a file that is not a database this build can use (not SQLite,
 * damaged, another program's, written by a newer Hourglass) is refused with a clear message and left byte for byte as
 * it was.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { HourglassServer } from '../src/server';
import { DatabaseFileError } from '../src/store/sqlite/database-file-error';
import { openDatabase } from '../src/store/sqlite/open-database';
import { kill, startCli } from './dev-server-process';
import { freePort, needsInProcessServer, repoRoot } from './helpers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-storage-files-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = (name = 'db'): string => path.join(dir, `${name}-${++files}.db`);

/** Runs the CLI until it exits on its own; its exit code and stderr. */
function runCliToExit(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'hourglass.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

const startDev = (db: string): string[] => ['server', 'start-dev', '--port', '0', '--headless', '--db-filename', db];
const inUse = (db: string): RegExp => new RegExp(`^database file ${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is in use by another Hourglass server`);

describe('one Hourglass per database file', needsInProcessServer('starts servers on files of its own'), () => {
  test('a second HourglassServer.start on a file a running server uses fails naming the file, by any path to it', async () => {
    const db = newFile();
    const first = await HourglassServer.start({ port: 0, dbFilename: db });
    try {
      for (const other of [db, path.join(path.dirname(db), '.', path.basename(db))]) {
        await assert.rejects(
          HourglassServer.start({ port: 0, dbFilename: other }),
          (err) => err instanceof DatabaseFileError && inUse(other).test(err.message),
        );
      }
    } finally {
      await first.close();
    }
    const again = await HourglassServer.start({ port: 0, dbFilename: db });
    await again.close();
  });

  test('`hourglass server start-dev` on a file a running server uses exits 1 with that message, no stack trace', async () => {
    const db = newFile();
    const first = await HourglassServer.start({ port: 0, dbFilename: db });
    try {
      const { code, stderr } = await runCliToExit(startDev(db));
      assert.equal(code, 1);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, new RegExp(`^hourglass: cannot start the server: ${inUse(db).source.slice(1)}`));
      assert.doesNotMatch(stderr, /\n\s+at /);
    } finally {
      await first.close();
    }
  });

  test('a server in another process holds the file until it is SIGKILLed, and leaves no lock behind', async () => {
    const db = newFile();
    const cli = await startCli(await freePort(), db);
    await assert.rejects(HourglassServer.start({ port: 0, dbFilename: db }), (err) => err instanceof DatabaseFileError && inUse(db).test(err.message));
    await kill(cli.child);
    const after = await HourglassServer.start({ port: 0, dbFilename: db });
    await after.close();
  });
});

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A real Hourglass database with a workflow in it, closed cleanly. */
async function hourglassDatabase(): Promise<string> {
  const db = newFile('hourglass');
  const server = await HourglassServer.start({ port: 0, dbFilename: db });
  const connection = await Connection.connect({ address: server.address });
  await new Client({ connection }).workflow.start('anything', { taskQueue: 'q', workflowId: 'w' });
  await connection.close();
  await server.close();
  return db;
}

async function copyWith(edit: (bytes: Buffer) => Buffer): Promise<string> {
  const file = newFile('edited');
  fs.writeFileSync(file, edit(fs.readFileSync(await hourglassDatabase())));
  return file;
}

const UNUSABLE: { what: string; make: () => Promise<string>; message: RegExp }[] = [
  {
    what: 'a file that is not SQLite',
    make: () => {
      const file = newFile('text');
      fs.writeFileSync(file, 'name,amount\nalice,10\n'.repeat(50));
      return Promise.resolve(file);
    },
    message: /is not an SQLite database \(it does not start with SQLite's header\)$/,
  },
  {
    what: 'an Hourglass database whose first 100 bytes are garbage',
    make: () => copyWith((b) => Buffer.concat([Buffer.alloc(100, 0xa5), b.subarray(100)])),
    message: /is not an SQLite database/,
  },
  {
    what: 'an Hourglass database cut short of its header',
    make: () => copyWith((b) => b.subarray(0, 60)),
    message: /is corrupt \(it is truncated: 60 bytes, shorter than SQLite's header\)/,
  },
  {
    what: 'an Hourglass database truncated by a page',
    make: () => copyWith((b) => b.subarray(0, b.length - 4096)),
    message: /is corrupt \(it is truncated: \d+ bytes where its header says \d+ pages of \d+ bytes\)/,
  },
  {
    what: 'an Hourglass database whose schema page is garbage',
    make: () => copyWith((b) => Buffer.concat([b.subarray(0, 100), Buffer.alloc(4096 - 100, 0xee), b.subarray(4096)])),
    message: /is corrupt \(/,
  },
  {
    what: 'an SQLite database of another program',
    make: () => {
      const file = newFile('foreign');
      const db = openDatabase(file);
      db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE orders (id INTEGER PRIMARY KEY); INSERT INTO users VALUES (1, 'a')");
      db.close();
      return Promise.resolve(file);
    },
    message: /is not an Hourglass database \(it has tables orders, users and no Hourglass schema\)/,
  },
  {
    what: 'an Hourglass database written by a newer Hourglass (a schema version this build does not know)',
    make: async () => {
      const file = await hourglassDatabase();
      const db = openDatabase(file);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(99, 'from the future', new Date().toISOString());
      db.close();
      return file;
    },
    message: /has schema version 99, newer than this Hourglass supports \(\d+\)/,
  },
];

describe(
  'a database file Hourglass cannot use is refused at start with a clear message, byte for byte untouched',
  needsInProcessServer('starts servers on files of its own'),
  () => {
    for (const { what, make, message } of UNUSABLE) {
      test(what, async () => {
        const file = await make();
        const before = { hash: sha256(file), siblings: fs.readdirSync(dir).sort() };
        await assert.rejects(HourglassServer.start({ port: 0, dbFilename: file }), (err) => {
          assert.ok(err instanceof DatabaseFileError, String(err));
          assert.ok(err.message.startsWith(`database file ${file} `), err.message);
          assert.match(err.message, message);
          return true;
        });
        assert.deepEqual({ hash: sha256(file), siblings: fs.readdirSync(dir).sort() }, before);
      });
    }

    test('`hourglass server start-dev` on such a file exits 1 with the message, no stack trace, and leaves it as it was', async () => {
      const file = await UNUSABLE[UNUSABLE.length - 1]!.make();
      const hash = sha256(file);
      const { code, stderr } = await runCliToExit(startDev(file));
      assert.equal(code, 1);
      assert.match(stderr, /^hourglass: cannot start the server: database file .* has schema version 99, newer than this Hourglass supports/);
      assert.doesNotMatch(stderr, /\n\s+at /);
      assert.equal(sha256(file), hash);
    });
  },
);
