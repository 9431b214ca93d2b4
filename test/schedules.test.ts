import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleHandle } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import Long from 'long';
import { grpcCode, uniqueName, useHourglassServer, waitFor, withWorker } from './helpers';

const env = useHourglassServer();

const HOUR = 3600_000;
const SCHEDULED_BY = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);
const CUSTOM_KEYWORD = defineSearchAttributeKey('CustomKeywordField', SearchAttributeType.KEYWORD);

/** Go's time.RFC3339 to the second, as Temporal appends it to a scheduled workflow's id. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function createHourly(scheduleId: string, taskQueue: string, workflowType = 'returnValue', args: unknown[] = ['done']): Promise<ScheduleHandle> {
  return env.client.schedule.create({
    scheduleId,
    spec: { intervals: [{ every: '1h' }] },
    action: { type: 'startWorkflow', workflowType, args, taskQueue, workflowId: `${scheduleId}-wf` },
  });
}

describe('schedules', () => {
  test('a created schedule describes its spec, action, default policies, info and the next 10 action times', async (t) => {
    const id = uniqueName(t);
    const handle = await createHourly(id, id);
    const d = await handle.describe();
    assert.equal(d.scheduleId, id);
    assert.deepEqual(
      d.spec.intervals?.map((i) => i.every),
      [HOUR],
    );
    assert.equal(d.action.type, 'startWorkflow');
    assert.equal(d.action.workflowType, 'returnValue');
    assert.equal(d.action.taskQueue, id);
    assert.equal(d.policies.overlap, ScheduleOverlapPolicy.SKIP);
    assert.equal(d.policies.catchupWindow, 365 * 24 * HOUR);
    assert.equal(d.state.paused, false);
    assert.equal(d.info.numActionsTaken, 0);
    assert.ok(Math.abs(d.info.createdAt.getTime() - Date.now()) < 5000);
    const next = d.info.nextActionTimes.map((x) => x.getTime());
    assert.equal(next.length, 10);
    for (const [i, tm] of next.entries()) {
      assert.equal(tm % HOUR, 0, 'interval times are aligned to the epoch');
      if (i > 0) assert.equal(tm - (next[i - 1] ?? 0), HOUR);
    }
    await handle.delete();
  });

  test('a cron string is kept as the structured calendar Temporal makes of it, and ListScheduleMatchingTimes answers from it', async (t) => {
    const id = uniqueName(t);
    const handle = await env.client.schedule.create({
      scheduleId: id,
      spec: { cronExpressions: ['30 9 * * MON'], timezone: 'Europe/Paris' },
      action: { type: 'startWorkflow', workflowType: 'returnValue', args: [1], taskQueue: id },
    });
    const d = await handle.describe();
    assert.equal(d.spec.calendars?.length, 1);
    assert.deepEqual(d.spec.calendars?.[0]?.hour, [{ start: 9, end: 9, step: 1 }]);
    assert.equal(d.spec.timezone, 'Europe/Paris');
    for (const next of d.info.nextActionTimes) {
      const paris = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(next);
      assert.equal(paris, 'Mon 09:30');
    }
    const start = new Date('2024-01-01T00:00:00Z');
    const res: temporal.api.workflowservice.v1.IListScheduleMatchingTimesResponse = await env.client.workflowService.listScheduleMatchingTimes({
      namespace: env.namespace,
      scheduleId: id,
      startTime: { seconds: Long.fromNumber(start.getTime() / 1000) },
      endTime: { seconds: Long.fromNumber(start.getTime() / 1000 + 15 * 24 * 3600) },
    });
    assert.deepEqual(
      res.startTime?.map((x) => new Date(Number(x.seconds) * 1000).toISOString()),
      ['2024-01-01T08:30:00.000Z', '2024-01-08T08:30:00.000Z', '2024-01-15T08:30:00.000Z'],
    );
    await handle.delete();
  });

  test('a structured calendar with ranges, steps and an exclusion fires only at its matching times, in its time zone', async (t) => {
    const id = uniqueName(t);
    const handle = await env.client.schedule.create({
      scheduleId: id,
      spec: {
        // 08:00 and 12:00 on weekdays in New York, but never on the 1st of a month.
        calendars: [{ hour: { start: 8, end: 12, step: 4 }, dayOfWeek: { start: 'MONDAY', end: 'FRIDAY' }, comment: 'weekday mornings and noons' }],
        // An exclusion matches exact times: unset fields are 0, so the whole day needs its hours, minutes and seconds.
        skip: [{ dayOfMonth: 1, hour: { start: 0, end: 23 }, minute: { start: 0, end: 59 }, second: { start: 0, end: 59 } }],
        timezone: 'America/New_York',
      },
      action: { type: 'startWorkflow', workflowType: 'returnValue', args: [1], taskQueue: id },
    });
    const d = await handle.describe();
    assert.deepEqual(d.spec.calendars?.[0]?.hour, [{ start: 8, end: 12, step: 4 }]);
    assert.equal(d.spec.calendars?.[0]?.comment, 'weekday mornings and noons');
    // Thursday 2024-02-01 is skipped; then Fri 2, Mon 5 at 08:00 and 12:00 EST (UTC−5).
    const from = Date.parse('2024-01-31T18:00:00Z');
    const res = await env.client.workflowService.listScheduleMatchingTimes({
      namespace: env.namespace,
      scheduleId: id,
      startTime: { seconds: Long.fromNumber(from / 1000) },
      endTime: { seconds: Long.fromNumber(Date.parse('2024-02-05T23:00:00Z') / 1000) },
    });
    assert.deepEqual(
      res.startTime?.map((x) => new Date(Number(x.seconds) * 1000).toISOString()),
      ['2024-02-02T13:00:00.000Z', '2024-02-02T17:00:00.000Z', '2024-02-05T13:00:00.000Z', '2024-02-05T17:00:00.000Z'],
    );
    await handle.delete();
  });

  test('an invalid cron string is INVALID_ARGUMENT and creates nothing', async (t) => {
    const id = uniqueName(t);
    const create = env.client.schedule.create({
      scheduleId: id,
      spec: { cronExpressions: ['61 * * * *'] },
      action: { type: 'startWorkflow', workflowType: 'returnValue', args: [1], taskQueue: id },
    });
    await assert.rejects(create, (err: Error) => /Minute is not in range \[0-59\]/.test(err.message));
    await assert.rejects(env.client.schedule.getHandle(id).describe(), (err) => err instanceof ScheduleNotFoundError);
  });

  test('a second create with the same id fails with ScheduleAlreadyRunning; an unknown id with ScheduleNotFoundError', async (t) => {
    const id = uniqueName(t);
    const handle = await createHourly(id, id);
    await assert.rejects(createHourly(id, id), (err) => err instanceof ScheduleAlreadyRunning);
    await handle.delete();
    await assert.rejects(handle.describe(), (err) => err instanceof ScheduleNotFoundError);
    await assert.rejects(env.client.schedule.getHandle(`${id}-nope`).delete(), (err) => err instanceof ScheduleNotFoundError);
  });

  test('list returns schedules with their memo and search attributes, and a query on a custom attribute selects them', async (t) => {
    const id = uniqueName(t);
    const a = await env.client.schedule.create({
      scheduleId: `${id}-a`,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: 'returnValue', args: [1], taskQueue: id },
      memo: { owner: 'team-a' },
      typedSearchAttributes: [{ key: CUSTOM_KEYWORD, value: id }],
    });
    const b = await createHourly(`${id}-b`, id);
    const listed = [];
    for await (const s of env.client.schedule.list({ query: `CustomKeywordField = '${id}'` })) listed.push(s);
    assert.deepEqual(
      listed.map((s) => s.scheduleId),
      [`${id}-a`],
    );
    assert.deepEqual(listed[0]?.memo, { owner: 'team-a' });
    assert.equal(listed[0]?.typedSearchAttributes?.get(CUSTOM_KEYWORD), id);
    assert.equal(listed[0]?.info.nextActionTimes.length, 5);
    await b.pause('quiet');
    const paused = [];
    for await (const s of env.client.schedule.list({ query: `TemporalSchedulePaused = true AND ScheduleId STARTS_WITH '${id}'` })) paused.push(s);
    assert.deepEqual(
      paused.map((s) => [s.scheduleId, s.state.paused, s.state.note]),
      [[`${id}-b`, true, 'quiet']],
    );
    const unknown = env.client.schedule.list({ query: 'NoSuchAttribute = 1' })[Symbol.asyncIterator]().next();
    await assert.rejects(unknown, (err: Error) => grpcCode(err) === 3 && /NoSuchAttribute/.test(String(err.cause)));
    const all = [];
    for await (const s of env.client.schedule.list({ pageSize: 1 })) all.push(s.scheduleId);
    assert.ok(all.includes(`${id}-a`) && all.includes(`${id}-b`), `listed ${all.join(', ')}`);
    await a.delete();
    await b.delete();
  });

  test('handle.update replaces the spec and records the update time', async (t) => {
    const id = uniqueName(t);
    const handle = await createHourly(id, id);
    await handle.update((prev) => ({ ...prev, spec: { intervals: [{ every: '2h' }] } }));
    const d = await handle.describe();
    assert.deepEqual(
      d.spec.intervals?.map((i) => i.every),
      [2 * HOUR],
    );
    assert.ok(d.info.lastUpdatedAt);
    const [first, second] = d.info.nextActionTimes.map((x) => x.getTime());
    assert.equal((second ?? 0) - (first ?? 0), 2 * HOUR);
    await handle.delete();
  });

  test('a create retried with the same request id succeeds; an update with a stale conflict token is FAILED_PRECONDITION', async (t) => {
    const id = uniqueName(t);
    const schedule = {
      spec: { interval: [{ interval: { seconds: Long.fromNumber(3600) } }] },
      action: { startWorkflow: { workflowId: id, workflowType: { name: 'returnValue' }, taskQueue: { name: id } } },
    };
    const create = { namespace: env.namespace, scheduleId: id, requestId: `${id}-req`, schedule };
    const first = await env.client.workflowService.createSchedule(create);
    const again = await env.client.workflowService.createSchedule(create);
    assert.deepEqual(Buffer.from(again.conflictToken ?? []), Buffer.from(first.conflictToken ?? []));
    await assert.rejects(env.client.workflowService.createSchedule({ ...create, requestId: `${id}-other` }), (err) => grpcCode(err) === 6);

    const { conflictToken } = await env.client.workflowService.describeSchedule({ namespace: env.namespace, scheduleId: id });
    await env.client.workflowService.updateSchedule({ namespace: env.namespace, scheduleId: id, schedule, conflictToken });
    const stale = env.client.workflowService.updateSchedule({ namespace: env.namespace, scheduleId: id, schedule, conflictToken });
    await assert.rejects(stale, (err) => grpcCode(err) === 9 && /mismatched conflict token/.test(String((err as Error).message)));
    await env.client.schedule.getHandle(id).delete();
  });

  test('pause and unpause set the paused state and their notes', async (t) => {
    const id = uniqueName(t);
    const handle = await createHourly(id, id);
    await handle.pause('maintenance window');
    let d = await handle.describe();
    assert.equal(d.state.paused, true);
    assert.equal(d.state.note, 'maintenance window');
    await handle.unpause('back');
    d = await handle.describe();
    assert.equal(d.state.paused, false);
    assert.equal(d.state.note, 'back');
    await handle.delete();
  });

  test('trigger starts the action now, as <workflowId>-<RFC 3339 time> with the scheduled-by and scheduled-time search attributes', async (t) => {
    const id = uniqueName(t);
    const handle = await createHourly(id, id);
    await withWorker(env, { taskQueue: id }, async () => {
      const before = Date.now();
      await handle.trigger();
      const d = await waitFor('the triggered action', async () => {
        const desc = await handle.describe();
        return desc.info.recentActions.length === 1 ? desc : undefined;
      });
      assert.equal(d.info.numActionsTaken, 1);
      const action = d.info.recentActions[0];
      const workflowId = action?.action.workflow.workflowId ?? '';
      assert.match(workflowId, new RegExp(`^${id}-wf-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
      const scheduledAt = Date.parse(workflowId.slice(`${id}-wf-`.length));
      assert.ok(scheduledAt >= Math.floor(before / 1000) * 1000 && scheduledAt <= Date.now());
      const wf = env.client.workflow.getHandle(workflowId);
      assert.equal(await wf.result(), 'done');
      const info = await wf.describe();
      assert.equal(info.typedSearchAttributes.get(SCHEDULED_BY), id);
      assert.equal(info.typedSearchAttributes.get(SCHEDULED_START)?.getTime(), scheduledAt);
    });
    await handle.delete();
  });

  test('an interval schedule starts one workflow per interval, named after its nominal time', async (t) => {
    const id = uniqueName(t);
    const handle = await env.client.schedule.create({
      scheduleId: id,
      spec: { intervals: [{ every: '1s' }] },
      // ALLOW_ALL: the worker's first task may take longer than an interval, which SKIP would count as an overlap.
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
      action: { type: 'startWorkflow', workflowType: 'returnValue', args: [1], taskQueue: id, workflowId: id },
    });
    await withWorker(env, { taskQueue: id }, async () => {
      const d = await waitFor('two scheduled actions', async () => {
        const desc = await handle.describe();
        return desc.info.numActionsTaken >= 2 ? desc : undefined;
      });
      await handle.pause();
      for (const a of d.info.recentActions) {
        assert.equal(a.action.workflow.workflowId, `${id}-${rfc3339(a.scheduledAt.getTime())}`);
        assert.equal(a.scheduledAt.getTime() % 1000, 0);
      }
      const [x, y] = d.info.recentActions.map((a) => a.scheduledAt.getTime());
      assert.equal((y ?? 0) - (x ?? 0), 1000);
    });
    await handle.delete();
  });

  for (const [overlap, started, skipped, buffered] of [
    [ScheduleOverlapPolicy.SKIP, 1, 2, 0],
    [ScheduleOverlapPolicy.BUFFER_ONE, 1, 1, 1],
    [ScheduleOverlapPolicy.ALLOW_ALL, 3, 0, 0],
  ] as const) {
    test(`a backfill of three action times while they overlap: ${overlap} starts ${started}, skips ${skipped}, buffers ${buffered}`, async (t) => {
      const id = uniqueName(t);
      const handle = await createHourly(id, id, 'waitForFinish', []);
      const start = new Date(Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR);
      await handle.backfill({ start, end: new Date(start.getTime() + 2 * HOUR), overlap });
      const d = await waitFor('the backfilled starts', async () => {
        const desc = await handle.describe();
        return desc.info.recentActions.filter((a) => a.action.workflow.firstExecutionRunId).length === started ? desc : undefined;
      });
      assert.equal(d.info.numActionsTaken, started);
      assert.equal(d.info.numActionsSkippedOverlap, skipped);
      assert.equal(d.raw.info?.bufferSize?.toNumber() ?? 0, buffered);
      assert.deepEqual(
        d.info.recentActions.map((a) => a.action.workflow.workflowId),
        [0, 1, 2].slice(0, started).map((i) => `${id}-wf-${rfc3339(start.getTime() + i * HOUR)}`),
      );
      for (const a of d.info.recentActions) await env.client.workflow.getHandle(a.action.workflow.workflowId).terminate();
      await handle.delete();
    });
  }
});
