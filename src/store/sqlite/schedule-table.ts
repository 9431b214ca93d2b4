import type { ScheduleRecord } from '../schedule-records';
import { ConditionFailedError, type ScheduleStore } from '../store';
import type { SqliteDatabase } from './driver';

interface Row {
  data: string;
}

/** Runs one write and answers once it is durable (GroupCommit.write). */
export type DurableWrite = <T>(operation: string, fn: () => T) => Promise<T>;

/**
 * The schedules table behind ScheduleStore. Each call is one SQLite statement, durable before it is answered (the
 * database runs synchronous=FULL unless told otherwise); the record is one JSON document.
 */
export class ScheduleTable implements ScheduleStore {
  private readonly stmt;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly write: DurableWrite,
  ) {
    this.stmt = {
      get: db.prepare<[string, string], Row>('SELECT data FROM schedules WHERE namespace_id = ? AND schedule_id = ?'),
      insert: db.prepare('INSERT INTO schedules (namespace_id, schedule_id, db_version, data) VALUES (?, ?, ?, ?)'),
      update: db.prepare('UPDATE schedules SET db_version = ?, data = ? WHERE namespace_id = ? AND schedule_id = ? AND db_version = ?'),
      delete: db.prepare('DELETE FROM schedules WHERE namespace_id = ? AND schedule_id = ?'),
      list: db.prepare<[string, string, number], Row>('SELECT data FROM schedules WHERE namespace_id = ? AND schedule_id > ? ORDER BY schedule_id LIMIT ?'),
      all: db.prepare<[], Row>('SELECT data FROM schedules'),
    };
  }

  getSchedule(namespaceId: string, scheduleId: string): Promise<ScheduleRecord | undefined> {
    const row = this.stmt.get.get(namespaceId, scheduleId);
    return Promise.resolve(row && (JSON.parse(row.data) as ScheduleRecord));
  }

  createSchedule(record: ScheduleRecord): Promise<void> {
    return this.write('CreateSchedule', () => {
      try {
        this.stmt.insert.run(record.namespaceId, record.scheduleId, record.dbVersion, JSON.stringify(record));
      } catch (err) {
        throw this.db.isConstraintViolation(err) ? new ConditionFailedError(`schedule ${record.scheduleId} exists`) : err;
      }
    });
  }

  updateSchedule(record: ScheduleRecord, expectedDbVersion: number): Promise<void> {
    return this.write('UpdateSchedule', () => {
      const result = this.stmt.update.run(record.dbVersion, JSON.stringify(record), record.namespaceId, record.scheduleId, expectedDbVersion);
      if (result.changes !== 1) throw new ConditionFailedError(`schedule ${record.scheduleId} changed concurrently`);
    });
  }

  deleteSchedule(namespaceId: string, scheduleId: string): Promise<boolean> {
    return this.write('DeleteSchedule', () => this.stmt.delete.run(namespaceId, scheduleId).changes > 0);
  }

  listSchedules(namespaceId: string, afterScheduleId: string, limit: number): Promise<ScheduleRecord[]> {
    return Promise.resolve(this.stmt.list.all(namespaceId, afterScheduleId, limit).map((r) => JSON.parse(r.data) as ScheduleRecord));
  }

  listAllSchedules(): Promise<ScheduleRecord[]> {
    return Promise.resolve(this.stmt.all.all().map((r) => JSON.parse(r.data) as ScheduleRecord));
  }
}
