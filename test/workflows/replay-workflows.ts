import { patched, proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type * as activities from '../activities';

const { localGreet } = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '5s' });
const { echo } = proxyActivities<typeof activities>({ startToCloseTimeout: '5s', retry: { initialInterval: '100ms' } });

/** Local activity, patch marker, timer, local activity, activity: every kind of marker and command a replay must match. */
export async function patchedLocalActivities(name: string): Promise<string> {
  const first = await localGreet(name);
  const branch = patched('my-patch') ? 'patched' : 'unpatched';
  await sleep(1000);
  const second = await localGreet(first);
  const third = await echo(second);
  return [first, branch, second, third].join('|');
}
