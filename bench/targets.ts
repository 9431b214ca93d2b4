/**
 * Issue 18's targets, checked against this run: each row gives the figure before the work (commit 8c02ae0's table,
 * 2026-11-22, or the issue's own side-by-side figure where it states one), the figure now (this run's median) and
 * whether the target is met. "No regression" rows allow 25% for the noise of a shared 2-core machine.
 */
import { medianOf } from './report';

interface Target {
  what: string;
  before: number;
  unit: string;
  goal: string;
  now: () => number | undefined;
  met: (now: number, before: number) => boolean;
  digits?: number;
}

const atMost =
  (limit: number) =>
  (now: number): boolean =>
    now <= limit;
const atLeast =
  (limit: number) =>
  (now: number): boolean =>
    now >= limit;
const noRegression = (now: number, before: number): boolean => now <= before * 1.25;

const W2 = 'W2 throughput';
const W4_STICKY = 'W4 server ceiling (sticky driver)';
const W7 = 'W7 footprint';

function w2ServerShare(): number | undefined {
  const server = medianOf(W2, 'server CPU per 1,000');
  const worker = medianOf(W2, 'worker CPU per 1,000');
  return server === undefined || worker === undefined ? undefined : (100 * server) / (server + worker);
}

function w7Growth(): number | undefined {
  const open = medianOf(W7, 'server RSS with');
  const closed = medianOf(W7, 'server RSS after');
  return open === undefined || closed === undefined ? undefined : closed - open;
}

const TARGETS: Target[] = [
  { what: 'W2: server share of server + worker CPU', before: 35.7, unit: '%', goal: '≤ 20', now: w2ServerShare, met: atMost(20) },
  {
    what: 'W2: server CPU per workflow',
    before: 6.85,
    unit: 'CPU-ms',
    goal: '≤ ~3',
    now: () => medianOf(W2, 'server CPU per 1,000'),
    met: atMost(3),
    digits: 2,
  },
  {
    what: 'W4 (sticky driver): server CPU per workflow',
    before: 3.36,
    unit: 'CPU-ms',
    goal: '≤ 1.0',
    now: () => medianOf(W4_STICKY, 'server CPU'),
    met: atMost(1),
    digits: 2,
  },
  { what: 'W4 (sticky driver): workflows/s', before: 174.2, unit: 'wf/s', goal: '≥ 1,000', now: () => medianOf(W4_STICKY, 'workflows/s'), met: atLeast(1000) },
  {
    what: 'W1: server share of a workflow, synchronous=FULL (traced p50)',
    before: 19.3,
    unit: 'ms',
    goal: '≤ 5',
    now: () => medianOf('W1 latency split, synchronous=FULL', 'server'),
    met: atMost(5),
  },
  {
    what: 'W3: timer lateness p99, 1,000 timers due at once',
    before: 16,
    unit: 'ms',
    goal: '≤ 10',
    now: () => medianOf('W3 timers', 'timer lateness p99'),
    met: atMost(10),
    digits: 0,
  },
  { what: 'W2: server peak RSS', before: 197.8, unit: 'MiB', goal: '≤ 150', now: () => medianOf(W2, 'server peak RSS'), met: atMost(150) },
  { what: 'W7: server RSS growth over 100,000 closed workflows', before: -4.2, unit: 'MiB', goal: '≤ 0 (no growth)', now: w7Growth, met: atMost(0) },
  {
    what: 'W5: in-process server → first GetSystemInfo',
    before: 6.7,
    unit: 'ms',
    goal: 'no regression',
    now: () => medianOf('W5 start-up', 'in-process'),
    met: noRegression,
  },
  {
    what: 'W5: CLI process → ready line',
    before: 203.5,
    unit: 'ms',
    goal: 'no regression',
    now: () => medianOf('W5 start-up', 'CLI process'),
    met: noRegression,
  },
  {
    what: 'W6: fetch full history (10,784 events)',
    before: 192,
    unit: 'ms',
    goal: 'no regression',
    now: () => medianOf('W6 big history', 'fetch full history'),
    met: noRegression,
    digits: 0,
  },
  {
    what: 'W6: replay after a cache eviction',
    before: 1277,
    unit: 'ms',
    goal: 'no regression',
    now: () => medianOf('W6 big history', 'replay after'),
    met: noRegression,
    digits: 0,
  },
  {
    what: 'W7: SQLite bytes per closed threeSteps workflow',
    before: 8.3,
    unit: 'KiB',
    goal: 'no regression',
    now: () => medianOf(W7, 'SQLite file + WAL per closed threeSteps'),
    met: noRegression,
  },
];

/** The targets section for the workloads this run measured (a row whose workload did not run is left out). */
export function targetsSection(): string | undefined {
  const rows = TARGETS.flatMap((t) => {
    const now = t.now();
    if (now === undefined || !Number.isFinite(now)) return [];
    const d = t.digits ?? 1;
    return [`| ${t.what} | ${t.before.toFixed(d)} | ${now.toFixed(d)} | ${t.unit} | ${t.goal} | ${t.met(now, t.before) ? 'met' : '**missed**'} |`];
  });
  if (rows.length === 0) return undefined;
  return [
    '## Targets (issue 18)',
    '',
    "Before: commit 8c02ae0's table (2026-11-22, on another 2-core machine), or, for W2's CPU, the issue's own side-by-side figure. Now: this run's medians. Where a target is missed, the section \"Issue 18 (performance), step by step\" says why in numbers.",
    '',
    '| Target | Before | Now | Unit | Goal | |',
    '|---|---:|---:|---|---|---|',
    ...rows,
  ].join('\n');
}
