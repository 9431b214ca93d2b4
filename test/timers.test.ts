import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventType, eventNames, uniqueName, useHourglassServer, withWorker } from './helpers';
import { cancelledTimer, sleeper } from './workflows';

const env = useHourglassServer();

function toMs(d: { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined): number {
  if (!d) return 0;
  const s = typeof d.seconds === 'number' ? d.seconds : (d.seconds?.toNumber() ?? 0);
  return s * 1000 + Math.round((d.nanos ?? 0) / 1e6);
}

describe('timers', () => {
  test('sleep(2s) in a workflow completes no earlier than 2 seconds after start', async (t) => {
    const taskQueue = uniqueName(t);
    const { result, elapsed } = await withWorker(env, { taskQueue }, async () => {
      const started = performance.now();
      const result = await env.client.workflow.execute(sleeper, { taskQueue, workflowId: taskQueue, args: [2000] });
      return { result, elapsed: performance.now() - started };
    });
    assert.equal(result, 'slept 2000ms');
    assert.ok(elapsed >= 2000, `workflow finished after ${Math.round(elapsed)}ms, before its 2s timer could fire`);
    const history = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    const events = history.events ?? [];
    const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
    assert.equal(toMs(started?.timerStartedEventAttributes?.startToFireTimeout), 2000);
    assert.equal(events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED).length, 1, `history: ${eventNames(events).join(', ')}`);
  });

  test('a cancelled timer never fires and history records TIMER_CANCELED instead of TIMER_FIRED', async (t) => {
    const taskQueue = uniqueName(t);
    const result = await withWorker(env, { taskQueue }, () => env.client.workflow.execute(cancelledTimer, { taskQueue, workflowId: taskQueue }));
    assert.deepEqual(result, { fired: false, cancelled: true });

    const history = await env.client.workflow.getHandle(taskQueue).fetchHistory();
    const events = history.events ?? [];
    const names = eventNames(events).join(', ');
    const oneSecond = events.find(
      (e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED && toMs(e.timerStartedEventAttributes?.startToFireTimeout) === 1000,
    );
    assert.ok(oneSecond, `no TIMER_STARTED for the 1s timer; history: ${names}`);
    const timerId = oneSecond.timerStartedEventAttributes?.timerId;
    const canceled = events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_CANCELED && e.timerCanceledEventAttributes?.timerId === timerId);
    assert.equal(canceled.length, 1, `expected one TIMER_CANCELED for timer ${timerId}; history: ${names}`);
    assert.equal(canceled[0]?.timerCanceledEventAttributes?.startedEventId?.toString(), oneSecond.eventId?.toString());
    const fired = events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED && e.timerFiredEventAttributes?.timerId === timerId);
    assert.equal(fired.length, 0, `the cancelled timer ${timerId} fired; history: ${names}`);
  });
});
