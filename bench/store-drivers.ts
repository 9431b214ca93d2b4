/**
 * The SQLite drivers side by side at the store: `node dist/bench/store-drivers.js` (and the same under Node 22, e.g.
 * `$(scripts/node22.sh) dist/bench/store-drivers.js`) measures each driver this Node can load.
 *
 * W2's store traffic without the rest of the server: N threeSteps-shaped runs (start; four workflow tasks, three
 * activities, completion: 11 transactions each, with their visibility rows), 200 in flight so commits group as they
 * do under load, a mutable-state read before each change and a history read per workflow task. The transactions are
 * built before the clock starts, so the CPU measured (process.cpuUsage, user + system) is the store's and the
 * driver's only, which W2's server CPU on a shared machine cannot isolate. Rounds alternate between drivers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enums } from '../src/common/proto';
import { completeActivity } from '../src/engine/state/activity-state';
import { applyCommands } from '../src/engine/state/commands';
import { completeWorkflowTask, startWorkflowTask } from '../src/engine/state/workflow-task-state';
import type { MutableState, RunMutation } from '../src/store/records';
import { SQLITE_DRIVERS, type SqliteDriverName } from '../src/store/sqlite/driver';
import { sqliteDriver } from '../src/store/sqlite/open-database';
import { SqliteStore } from '../src/store/sqlite/sqlite-store';
import { visibilityRecord } from '../src/visibility/record';
import { change, jsonPayload, NAMESPACE_ID, newRun, scheduleActivity, seal, T0 } from '../test/unit/fixtures';
import type { RunMutator } from '../src/engine/state/mutator';

const N = Number(process.env.N ?? 2000);
const IN_FLIGHT = 200;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SYNCHRONOUS = ['FULL', 'OFF'];

/** The transactions of one threeSteps run, in order. */
function threeSteps(i: number): RunMutation[] {
  const steps: RunMutation[] = [];
  let now = T0;
  const take = (m: RunMutator): MutableState => {
    const mutation = seal(m);
    mutation.visibility = visibilityRecord(mutation.mutableState, new Map());
    steps.push(mutation);
    return mutation.mutableState;
  };
  let ms = take(newRun({ workflowId: `wf-${i}`, workflowType: { name: 'threeSteps' } }, { runId: `run-${i}` }));
  for (let k = 0; k < 4; k++) {
    let m = change(ms, (now += 10));
    startWorkflowTask(m, 'poll', 'worker');
    ms = take(m);
    m = change(ms, (now += 10));
    const done = {
      commandType: enums.CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
      completeWorkflowExecutionCommandAttributes: { result: { payloads: [jsonPayload(3)] } },
    };
    applyCommands(m, [k < 3 ? scheduleActivity(`a${k}`) : done], completeWorkflowTask(m, { identity: 'worker' }), () => undefined);
    ms = take(m);
    const pending = Object.values(ms.activities)[0];
    if (!pending) continue;
    m = change(ms, (now += 10));
    const activity = m.activity(pending.scheduledEventId);
    if (activity) completeActivity(m, activity, { payloads: [jsonPayload(k)] }, 'worker');
    ms = take(m);
  }
  return steps;
}

async function measure(driver: SqliteDriverName, synchronous: string, runs: RunMutation[][]): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-store-bench-'));
  const store = new SqliteStore({ filename: path.join(dir, 'bench.db'), pragmas: { synchronous }, driver });
  const before = process.cpuUsage();
  for (let base = 0; base < runs.length; base += IN_FLIGHT) {
    const group = runs.slice(base, base + IN_FLIGHT);
    const length = group[0]?.length ?? 0;
    for (let s = 0; s < length; s++) {
      await Promise.all(
        group.map(async (steps) => {
          const mutation = steps[s];
          if (!mutation) return;
          const { namespaceId, workflowId, runId, startRequestId, status } = mutation.mutableState;
          if (s === 0) {
            await store.commit({ runs: [mutation], current: { namespaceId, workflowId, runId, startRequestId, status } });
            return;
          }
          await store.getMutableState(namespaceId, workflowId, runId);
          await store.commit({ runs: [mutation] });
          if (s % 3 === 1) await store.readHistory(runId, 1, Number.MAX_SAFE_INTEGER, 1000);
        }),
      );
    }
  }
  const used = process.cpuUsage(before);
  const closed = await store.countExecutions({
    namespaceId: NAMESPACE_ID,
    where: 'status = ?',
    params: [enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED],
  });
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (closed !== runs.length) throw new Error(`${driver}: ${closed} of ${runs.length} runs completed`);
  return (used.user + used.system) / 1000 / runs.length; // CPU-ms per workflow = CPU-s per 1,000
}

async function main(): Promise<void> {
  const drivers = SQLITE_DRIVERS.filter((name) => {
    try {
      sqliteDriver(name);
      return true;
    } catch {
      return false;
    }
  });
  const runs = Array.from({ length: N }, (_, i) => threeSteps(i));
  for (const synchronous of SYNCHRONOUS) {
    const results = new Map<SqliteDriverName, number[]>(drivers.map((d) => [d, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const driver of drivers) results.get(driver)?.push(await measure(driver, synchronous, runs));
    }
    for (const [driver, values] of results) {
      const sorted = [...values].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
      const range = `${sorted[0]?.toFixed(2)} – ${sorted.at(-1)?.toFixed(2)}`;
      console.log(
        `| Node ${process.version} | ${driver} | synchronous=${synchronous} | ${median.toFixed(2)} | ${range} | CPU-s per 1,000 workflows (n=${N}, ${ROUNDS} rounds) |`,
      );
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`store-drivers failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
