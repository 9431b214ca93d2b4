/**
 * Schema migrations of the SQLite store: a database made by any earlier release (built here by
 * applying only the first k migrations of the real list, then writing rows the way that release
 * wrote them) opens at the latest version with its data intact and readable through the Store API;
 * opening it again changes nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { enums, history, toNumber, workflow } from '../../../src/common/proto';
import { completeActivity } from '../../../src/engine/state/activity-state';
import { applyCommands } from '../../../src/engine/state/commands';
import type { RunMutator } from '../../../src/engine/state/mutator';
import { completeWorkflowTask, startWorkflowTask } from '../../../src/engine/state/workflow-task-state';
import { visibilityRecord } from '../../../src/visibility/record';
import type { MutableState, NamespaceRecord, RunMutation } from '../../../src/store/records';
import type { SqliteDatabase } from '../../../src/store/sqlite/driver';
import { migrations } from '../../../src/store/sqlite/migrations';
import { openDatabase } from '../../../src/store/sqlite/open-database';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store';
import { HOUR, NAMESPACE, NAMESPACE_ID, SECOND, T0, change, jsonPayload, newRun, scheduleActivity, seal, startTimer } from '../fixtures';

const LATEST = migrations.length;
const APPLIED_AT = '2024-06-01T00:00:00.000Z';

let dir = '';
/** The DDL of the store's own bookkeeping table, read from a database the store created (never hand-copied). */
let bookkeepingSql = '';
/** The schema of a database the store created from nothing: what every migrated database must end with. */
let latestSchema: SchemaRow[] = [];
let fileCount = 0;

interface SchemaRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}

function newFile(): string {
  fileCount += 1;
  return join(dir, `db-${fileCount}.sqlite`);
}

/** Durability is not under test: no fsync, to keep the suite fast. */
const PRAGMAS = { synchronous: 'OFF' };

function withDb<T>(file: string, fn: (db: SqliteDatabase) => T): T {
  const db = openDatabase(file);
  db.pragma('synchronous = OFF');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function schemaOf(file: string): SchemaRow[] {
  return withDb(file, (db) => db.prepare<[], SchemaRow>('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all());
}

function appliedMigrations(file: string): { version: number; name: string; applied_at: string }[] {
  return withDb(file, (db) =>
    db.prepare<[], { version: number; name: string; applied_at: string }>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all(),
  );
}

/** Every row of every table, for before/after comparisons. */
function contentsOf(file: string): Record<string, unknown[]> {
  return withDb(file, (db) => {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1, 2`).all()]));
  });
}

async function openAndClose(file: string): Promise<void> {
  const store = new SqliteStore({ filename: file, pragmas: PRAGMAS });
  await store.close();
}

function tableExists(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

// --- Representative data, made by the engine's own state functions ---------------------------------

interface RunFixture {
  ms: MutableState;
  events: { eventId: number; data: Uint8Array }[];
}

const namespace: NamespaceRecord = {
  id: NAMESPACE_ID,
  name: NAMESPACE,
  description: 'the default namespace',
  ownerEmail: 'ops@example.com',
  retentionMs: 72 * HOUR,
  data: { team: 'payments' },
  state: enums.NamespaceState.NAMESPACE_STATE_REGISTERED,
  createdTime: T0 - HOUR,
};

/** Runs a sequence of transactions on a new run, keeping its final state and every event written. */
function recordRun(start: RunMutator, ...steps: ((ms: MutableState) => RunMutator)[]): RunFixture {
  const events: RunMutation['newEvents'] = [];
  const take = (m: RunMutator): MutableState => {
    const mutation = seal(m);
    events.push(...mutation.newEvents);
    return mutation.mutableState;
  };
  let ms = take(start);
  for (const step of steps) ms = take(step(ms));
  return { ms, events };
}

const pollTask = (ms: MutableState): RunMutator => {
  const m = change(ms, T0 + SECOND);
  startWorkflowTask(m, 'poll', 'worker');
  return m;
};

const completeTask =
  (...commands: Parameters<typeof applyCommands>[1]) =>
  (ms: MutableState): RunMutator => {
    const m = change(ms, T0 + 2 * SECOND);
    applyCommands(m, commands, completeWorkflowTask(m, { identity: 'worker' }), () => undefined);
    return m;
  };

/** An open run waiting on an activity and a timer, with memo and search attributes. */
const openRun = recordRun(
  newRun({
    workflowId: 'order-1',
    workflowType: { name: 'Orders' },
    memo: { fields: { note: jsonPayload('rush') } },
    searchAttributes: { indexedFields: { CustomerId: jsonPayload('c-42') } },
  }),
  pollTask,
  completeTask(scheduleActivity('charge-card'), startTimer('reminder', HOUR)),
);

/** A run that completed. */
const closedRun = recordRun(
  newRun({ workflowId: 'order-0', workflowType: { name: 'Orders' } }),
  pollTask,
  completeTask({
    commandType: enums.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
    completeWorkflowExecutionCommandAttributes: { result: { payloads: [jsonPayload('shipped')] } },
  }),
);

const runs = [openRun, closedRun];

/** The state as the store gives it back: JSON leaves out what is undefined. */
function asStored(ms: MutableState): MutableState {
  return JSON.parse(JSON.stringify(ms)) as MutableState;
}

/**
 * A database as the release with schema version `version` left it: the first `version` migrations
 * of the real list, recorded as that release recorded them, and rows written with SQL valid at
 * that version (the tables that exist decide where each piece of data goes).
 */
function databaseAtVersion(version: number): { file: string; hadVisibility: boolean } {
  const file = newFile();
  let hadVisibility = false;
  withDb(file, (db) => {
    if (version === 0) return;
    db.exec(bookkeepingSql);
    for (const m of migrations.slice(0, version)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, APPLIED_AT);
    }
    db.prepare('INSERT INTO namespaces (id, name, data) VALUES (?, ?, ?)').run(namespace.id, namespace.name, JSON.stringify(namespace));
    const activitiesApart = tableExists(db, 'activity_infos');
    for (const { ms, events } of runs) {
      db.prepare('INSERT INTO current_executions (namespace_id, workflow_id, run_id, start_request_id, status) VALUES (?, ?, ?, ?, ?)').run(
        ms.namespaceId,
        ms.workflowId,
        ms.runId,
        ms.startRequestId,
        ms.status,
      );
      const state = JSON.stringify(activitiesApart ? { ...ms, activities: undefined } : ms);
      db.prepare('INSERT INTO executions (run_id, namespace_id, workflow_id, status, db_version, state) VALUES (?, ?, ?, ?, ?, ?)').run(
        ms.runId,
        ms.namespaceId,
        ms.workflowId,
        ms.status,
        ms.dbVersion,
        state,
      );
      if (activitiesApart) {
        for (const a of Object.values(ms.activities)) {
          db.prepare('INSERT INTO activity_infos (run_id, scheduled_event_id, data) VALUES (?, ?, ?)').run(ms.runId, a.scheduledEventId, JSON.stringify(a));
        }
      }
      for (const e of events) {
        if (tableExists(db, 'history_events')) {
          db.prepare('INSERT INTO history_events (run_id, event_id, data) VALUES (?, ?, ?)').run(ms.runId, e.eventId, Buffer.from(e.data));
        } else {
          db.prepare('INSERT INTO history_batches (run_id, first_event_id, last_event_id, data) VALUES (?, ?, ?, ?)').run(
            ms.runId,
            e.eventId,
            e.eventId,
            Buffer.from(e.data),
          );
        }
      }
      if (tableExists(db, 'executions_visibility')) {
        const v = visibilityRecord(ms, new Map([['CustomerId', 'Keyword']]));
        db.prepare(
          `INSERT INTO executions_visibility (namespace_id, run_id, workflow_id, workflow_type, status, task_queue, start_time, execution_time,
             close_time, execution_duration, history_length, history_size_bytes, state_transition_count, search_attributes, info)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          v.namespaceId,
          v.runId,
          v.workflowId,
          v.workflowType,
          v.status,
          v.taskQueue,
          v.startTime,
          v.executionTime,
          v.closeTime ?? null,
          v.executionDurationMs ?? null,
          v.historyLength,
          v.historySizeBytes,
          v.stateTransitionCount,
          JSON.stringify(v.searchAttributes),
          Buffer.from(v.info),
        );
      }
    }
    if (tableExists(db, 'search_attributes')) {
      db.prepare('INSERT INTO search_attributes (namespace_id, name, type) VALUES (?, ?, ?)').run(NAMESPACE_ID, 'CustomerId', 'Keyword');
    }
    hadVisibility = tableExists(db, 'executions_visibility') && tableExists(db, 'search_attributes');
  });
  return { file, hadVisibility };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hourglass-migrations-'));
  const fresh = newFile();
  await openAndClose(fresh);
  latestSchema = schemaOf(fresh);
  const bookkeeping = latestSchema.find((row) => row.name === 'schema_migrations');
  assert.ok(bookkeeping?.sql, 'the store keeps its applied migrations in schema_migrations');
  bookkeepingSql = bookkeeping.sql;
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('migration versions are 1, 2, …, N in list order, each with a name', () => {
  assert.deepEqual(
    migrations.map((m) => m.version),
    migrations.map((_, i) => i + 1),
  );
  for (const m of migrations) assert.ok(m.name.trim().length > 0, `migration ${m.version} has a name`);
});

test('an empty database migrates to the latest version, each migration recorded once, in order', async () => {
  const { file } = databaseAtVersion(0);
  await openAndClose(file);
  assert.deepEqual(
    appliedMigrations(file).map((r) => [r.version, r.name]),
    migrations.map((m) => [m.version, m.name]),
  );
  assert.deepEqual(schemaOf(file), latestSchema);
});

for (let version = 1; version < LATEST; version++) {
  const name = migrations[version - 1]?.name ?? '';
  describe(`a database at schema version ${version} (${name})`, () => {
    let file = '';
    let hadVisibility = false;
    let store: SqliteStore;
    let applied: { version: number; applied_at: string }[] = [];
    let schema: SchemaRow[] = [];

    before(async () => {
      ({ file, hadVisibility } = databaseAtVersion(version));
      // A running store holds the file's lock (no other connection may read it): its schema is read in between.
      await openAndClose(file);
      applied = withDb(file, (db) =>
        db.prepare<[], { version: number; applied_at: string }>('SELECT version, applied_at FROM schema_migrations ORDER BY version').all(),
      );
      schema = schemaOf(file);
      store = new SqliteStore({ filename: file, pragmas: PRAGMAS });
    });

    after(async () => {
      await store.close();
    });

    test('migrates to the latest version: the later migrations are recorded, the earlier ones left as they were', () => {
      assert.deepEqual(
        applied.map((r) => r.version),
        migrations.map((m) => m.version),
      );
      assert.deepEqual(
        applied.filter((r) => r.version <= version).map((r) => r.applied_at),
        Array.from({ length: version }, () => APPLIED_AT),
      );
    });

    test('ends with exactly the schema of a database created at the latest version', () => {
      assert.deepEqual(schema, latestSchema);
    });

    test('its namespace and current-run pointers read back unchanged', async () => {
      assert.deepEqual(await store.getNamespaceByName(NAMESPACE), namespace);
      assert.deepEqual(await store.listNamespaces(), [namespace]);
      for (const { ms } of runs) {
        assert.deepEqual(await store.getCurrentExecution(ms.namespaceId, ms.workflowId), {
          namespaceId: ms.namespaceId,
          workflowId: ms.workflowId,
          runId: ms.runId,
          startRequestId: ms.startRequestId,
          status: ms.status,
        });
      }
    });

    test('its runs read back unchanged through getMutableState, pending activities included', async () => {
      for (const { ms } of runs) assert.deepEqual(await store.getMutableState(ms.namespaceId, ms.workflowId, ms.runId), asStored(ms));
      assert.equal(Object.keys(openRun.ms.activities).length, 1);
    });

    test('listOpenMutableStates finds the open run with its activities, and only it', async () => {
      assert.deepEqual(await store.listOpenMutableStates(), [asStored(openRun.ms)]);
    });

    test('its history reads back event for event through readHistory and readHistoryReverse', async () => {
      for (const { ms, events } of runs) {
        const read = await store.readHistory(ms.runId, 1, ms.nextEventId, 1000);
        assert.deepEqual(
          read.map((d) => Buffer.from(d).toString('base64')),
          events.map((e) => Buffer.from(e.data).toString('base64')),
        );
        assert.deepEqual(
          read.map((d) => toNumber(history.HistoryEvent.decode(d).eventId)),
          events.map((e) => e.eventId),
        );
        const reverse = await store.readHistoryReverse(ms.runId, ms.nextEventId - 1, 2);
        assert.deepEqual(
          reverse.map((d) => toNumber(history.HistoryEvent.decode(d).eventId)),
          [ms.nextEventId - 1, ms.nextEventId - 2],
        );
      }
    });

    test('visibility lists what the database held (List, Count, search attributes)', async () => {
      const query = { namespaceId: NAMESPACE_ID, where: 'workflow_type = ?', params: ['Orders'] };
      const listed = (await store.listExecutions(query, 0, 10)).map((info) => workflow.WorkflowExecutionInfo.decode(info).execution?.runId);
      // Open runs first, then the most recently closed.
      assert.deepEqual(listed, hadVisibility ? [openRun.ms.runId, closedRun.ms.runId] : []);
      assert.equal(await store.countExecutions(query), hadVisibility ? 2 : 0);
      assert.deepEqual([...(await store.listSearchAttributes(NAMESPACE_ID))], hadVisibility ? [['CustomerId', 'Keyword']] : []);
    });

    test('accepts the next change of a migrated run: its activity completes, the row written before the migration is removed', async () => {
      const ms = await store.getMutableState(openRun.ms.namespaceId, openRun.ms.workflowId, openRun.ms.runId);
      assert.ok(ms);
      const m = change(ms, T0 + 3 * SECOND);
      const [pending] = Object.values(ms.activities);
      assert.ok(pending);
      const a = m.activity(pending.scheduledEventId);
      assert.ok(a);
      completeActivity(m, a, { payloads: [jsonPayload('charged')] }, 'activity-worker');
      const mutation = seal(m);
      await store.commit({ runs: [mutation] });
      const reread = await store.getMutableState(ms.namespaceId, ms.workflowId, ms.runId);
      assert.deepEqual(reread?.activities, {});
      assert.equal(reread?.dbVersion, ms.dbVersion + 1);
      const events = await store.readHistory(ms.runId, ms.nextEventId, Number.MAX_SAFE_INTEGER, 1000);
      assert.deepEqual(
        events.map((d) => enums.EventType[history.HistoryEvent.decode(d).eventType]),
        ['EVENT_TYPE_ACTIVITY_TASK_COMPLETED', 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'],
      );
    });
  });
}

for (let version = 0; version <= LATEST; version++) {
  test(`migrating twice in a row is a no-op (database at version ${version})`, async () => {
    const { file } = databaseAtVersion(version);
    await openAndClose(file);
    const schema = schemaOf(file);
    const contents = contentsOf(file);
    await openAndClose(file);
    assert.deepEqual(schemaOf(file), schema);
    assert.deepEqual(contentsOf(file), contents);
  });
}
