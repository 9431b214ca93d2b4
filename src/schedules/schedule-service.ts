import { invalidArgument, scheduleAlreadyExists, scheduleConflictTokenMismatch, scheduleNotFound } from '../common/errors';
import { encodeMemo, encodeSearchAttributes, msToTimestamp, timestampToMs, type workflowservice } from '../common/proto';
import type { Clock } from '../engine/time/clock';
import type { NamespaceRecord } from '../store/records';
import type { ScheduleRecord } from '../store/schedule-records';
import type { ScheduleStore } from '../store/store';
import type { SearchAttributeType } from '../visibility/search-attribute-type';
import { decodeConflictToken, describeResponse, encodeConflictToken, listEntry, queryAttributes } from './schedule-info';
import { scheduleFilter } from './schedule-query';
import { advanceTime, applyPatch, newProgress, type ScheduleDoc } from './schedule-state';
import type { Scheduler } from './scheduler';
import { canonicalize, jitterSeed, matchingTimes } from './spec';
import { compile, encodeSchedule, toDoc } from './schedule-doc';

export interface ScheduleServiceHost {
  store: Pick<ScheduleStore, 'getSchedule' | 'listSchedules'>;
  scheduler: Scheduler;
  clock: Clock;
}

const INITIAL_CONFLICT_TOKEN = 1;
const DEFAULT_PAGE_SIZE = 1000;

/**
 * The ScheduleService RPCs of WorkflowService, after the API layer has resolved the namespace and checked the
 * request's fields and search attributes. Every change goes through the Scheduler (one transaction each).
 */
export class ScheduleService {
  constructor(private readonly host: ScheduleServiceHost) {}

  async createSchedule(ns: NamespaceRecord, req: workflowservice.ICreateScheduleRequest): Promise<workflowservice.ICreateScheduleResponse> {
    const scheduleId = req.scheduleId ?? '';
    const requestId = req.requestId ?? '';
    const existing = await this.host.store.getSchedule(ns.id, scheduleId);
    if (existing) {
      // The same request again (a client retry) succeeds as the first did.
      if (existing.createRequestId === requestId) return { conflictToken: encodeConflictToken(existing.conflictToken) };
      throw scheduleAlreadyExists(scheduleId);
    }
    const now = this.host.clock.now();
    const doc: ScheduleDoc = {
      namespaceId: ns.id,
      scheduleId,
      schedule: req.schedule ?? {},
      progress: newProgress(now),
      conflictToken: INITIAL_CONFLICT_TOKEN,
      searchAttributes: encodeSearchAttributes(req.searchAttributes?.indexedFields ?? {}),
    };
    // Stored in Temporal's canonical form: cron strings become structured calendars.
    doc.schedule.spec = canonicalize(doc.schedule.spec).canonical;
    // The initial patch is part of the record the create writes, so it cannot be lost apart from it.
    if (req.initialPatch) applyPatch(doc, req.initialPatch, now);
    const record: ScheduleRecord = {
      namespaceId: ns.id,
      scheduleId,
      createRequestId: requestId,
      conflictToken: doc.conflictToken,
      dbVersion: 1,
      schedule: encodeSchedule(doc.schedule),
      memo: encodeMemo(req.memo?.fields ?? {}),
      searchAttributes: doc.searchAttributes,
      progress: doc.progress,
    };
    try {
      await this.host.scheduler.create(record);
    } catch (err) {
      // Lost a race with a create of the same id.
      const winner = await this.host.store.getSchedule(ns.id, scheduleId);
      if (winner?.createRequestId === requestId) return { conflictToken: encodeConflictToken(winner.conflictToken) };
      if (winner) throw scheduleAlreadyExists(scheduleId);
      throw err;
    }
    return { conflictToken: encodeConflictToken(doc.conflictToken) };
  }

  async describeSchedule(ns: NamespaceRecord, scheduleId: string): Promise<workflowservice.IDescribeScheduleResponse> {
    const record = await this.host.store.getSchedule(ns.id, scheduleId);
    if (!record) throw scheduleNotFound();
    return describeResponse(record);
  }

  /** Replaces spec, action, policies and state (not the info); Temporal's processUpdate. */
  async updateSchedule(ns: NamespaceRecord, req: workflowservice.IUpdateScheduleRequest): Promise<workflowservice.IUpdateScheduleResponse> {
    const expected = decodeConflictToken(req.conflictToken);
    const schedule = { ...req.schedule, spec: canonicalize(req.schedule?.spec).canonical };
    await this.host.scheduler.update(ns.id, req.scheduleId ?? '', (doc, spec, now) => {
      if (expected !== undefined && expected !== doc.conflictToken) throw scheduleConflictTokenMismatch();
      // The time up to now is decided under the old spec.
      advanceTime(doc, spec, now);
      doc.schedule = schedule;
      if (req.searchAttributes) doc.searchAttributes = encodeSearchAttributes(req.searchAttributes.indexedFields ?? {});
      doc.progress.updateTime = now;
      doc.conflictToken++;
    });
    return {};
  }

  async patchSchedule(ns: NamespaceRecord, req: workflowservice.IPatchScheduleRequest): Promise<workflowservice.IPatchScheduleResponse> {
    await this.host.scheduler.update(ns.id, req.scheduleId ?? '', (doc, spec, now) => {
      advanceTime(doc, spec, now);
      if (req.patch) applyPatch(doc, req.patch, now);
    });
    return {};
  }

  async deleteSchedule(ns: NamespaceRecord, scheduleId: string): Promise<workflowservice.IDeleteScheduleResponse> {
    await this.host.scheduler.delete(ns.id, scheduleId);
    return {};
  }

  /** The namespace's schedules in id order, filtered by the query; the page token is the last id returned. */
  async listSchedules(
    ns: NamespaceRecord,
    req: workflowservice.IListSchedulesRequest,
    attributes: ReadonlyMap<string, SearchAttributeType>,
  ): Promise<workflowservice.IListSchedulesResponse> {
    const pageSize = req.maximumPageSize && req.maximumPageSize > 0 ? Math.min(req.maximumPageSize, DEFAULT_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
    const matches = scheduleFilter(req.query ?? '', attributes);
    let after = req.nextPageToken?.length ? Buffer.from(req.nextPageToken).toString('utf8') : '';
    const out: ScheduleRecord[] = [];
    for (;;) {
      const batch = await this.host.store.listSchedules(ns.id, after, DEFAULT_PAGE_SIZE);
      for (const record of batch) {
        after = record.scheduleId;
        if (!matches(queryAttributes(toDoc(record)))) continue;
        out.push(record);
        if (out.length === pageSize) break;
      }
      if (out.length === pageSize || batch.length < DEFAULT_PAGE_SIZE) break;
    }
    const more = out.length === pageSize && (await this.host.store.listSchedules(ns.id, after, 1)).length > 0;
    return { schedules: out.map(listEntry), nextPageToken: more ? Buffer.from(after) : undefined };
  }

  async listScheduleMatchingTimes(
    ns: NamespaceRecord,
    req: workflowservice.IListScheduleMatchingTimesRequest,
  ): Promise<workflowservice.IListScheduleMatchingTimesResponse> {
    const record = await this.host.store.getSchedule(ns.id, req.scheduleId ?? '');
    if (!record) throw scheduleNotFound();
    if (!req.startTime || !req.endTime) throw invalidArgument('missing or invalid query');
    const options = { jitterSeed: jitterSeed(ns.id, record.scheduleId) };
    const times = matchingTimes(compile(toDoc(record)), timestampToMs(req.startTime), timestampToMs(req.endTime), options);
    return { startTime: times.map(msToTimestamp) };
  }
}
