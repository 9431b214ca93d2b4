import { ServiceError } from '../../common/errors';
import { durationToMs, msToTimestamp, timestampToMs, type google, temporal } from '../../common/proto';
import type { TimeSkipper } from '../../engine/time/time-skipping';
import type { HandlerContext } from './context';

import testservice = temporal.api.testservice.v1;
type Empty = google.protobuf.IEmpty;

/** Temporal's TestService (the time-skipping test server's API), served when time skipping is on. */
function skipper(ctx: HandlerContext): TimeSkipper {
  if (!ctx.timeSkipper) throw new ServiceError('UNIMPLEMENTED', 'Time skipping is not enabled on this server (start it in test-server mode).');
  return ctx.timeSkipper;
}

export function lockTimeSkipping(ctx: HandlerContext): Promise<Empty> {
  skipper(ctx).lock();
  return Promise.resolve({});
}

export function unlockTimeSkipping(ctx: HandlerContext): Promise<Empty> {
  skipper(ctx).unlock();
  return Promise.resolve({});
}

export async function sleep(ctx: HandlerContext, req: testservice.ISleepRequest): Promise<Empty> {
  const s = skipper(ctx);
  await s.sleepUntil(s.clock.now() + durationToMs(req.duration));
  return {};
}

export async function sleepUntil(ctx: HandlerContext, req: testservice.ISleepUntilRequest): Promise<Empty> {
  await skipper(ctx).sleepUntil(timestampToMs(req.timestamp));
  return {};
}

export async function unlockTimeSkippingWithSleep(ctx: HandlerContext, req: testservice.ISleepRequest): Promise<Empty> {
  const s = skipper(ctx);
  await s.unlockAndSleepUntil(s.clock.now() + durationToMs(req.duration));
  return {};
}

export function getCurrentTime(ctx: HandlerContext): Promise<testservice.IGetCurrentTimeResponse> {
  return Promise.resolve({ time: msToTimestamp(skipper(ctx).clock.now()) });
}
