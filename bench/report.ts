/**
 * The benchmark report: metrics recorded by the workloads, the table of medians, and bench/RESULTS.md. Other tools
 * (bench:ui, fuzz, chaos) append their own sections to that file; a run of bench/run.ts rewrites its own sections and
 * keeps theirs.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

interface Metric {
  workload: string;
  name: string;
  unit: string;
  digits: number;
  samples: number[];
  /** Pre-summarised figures (W5 comes from startup.js as median/min/max already). */
  summary?: { median: number; min: number; max: number; n: number };
}

const metrics: Metric[] = [];

export function record(workload: string, name: string, unit: string, value: number, digits = 1): void {
  let metric = metrics.find((m) => m.workload === workload && m.name === name);
  if (!metric) {
    metric = { workload, name, unit, digits, samples: [] };
    metrics.push(metric);
  }
  metric.samples.push(value);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? NaN;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Records figures another program already summarised (W5: startup.js's median/min/max). */
export function recordSummary(workload: string, name: string, unit: string, digits: number, summary: NonNullable<Metric['summary']>): void {
  metrics.push({ workload, name, unit, digits, samples: [], summary });
}

/**
 * The median this run recorded for the first metric of `workload` whose name starts with `namePrefix` (names carry
 * their counts, e.g. "p50 (n=200)"); undefined when that workload did not run.
 */
export function medianOf(workload: string, namePrefix: string): number | undefined {
  const m = metrics.find((x) => x.workload === workload && x.name.startsWith(namePrefix));
  if (!m) return undefined;
  return m.summary?.median ?? median(m.samples);
}

function fmt(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function table(): string {
  const lines = ['| Workload | Metric | Median | Min – max | Unit | n |', '|---|---|---:|---:|---|---:|'];
  const ordered = [...metrics].sort((a, b) => a.workload.slice(0, 2).localeCompare(b.workload.slice(0, 2))); // stable: keeps insertion order within a workload
  for (const m of ordered) {
    const s = m.summary ?? { median: median(m.samples), min: Math.min(...m.samples), max: Math.max(...m.samples), n: m.samples.length };
    lines.push(`| ${m.workload} | ${m.name} | ${fmt(s.median, m.digits)} | ${fmt(s.min, m.digits)} – ${fmt(s.max, m.digits)} | ${m.unit} | ${s.n} |`);
  }
  return lines.join('\n');
}

export function gitCommit(root: string): string {
  try {
    const commit = execSync('git rev-parse --short HEAD', { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

export function machine(server: { node: string; sqliteDriver: string }): string {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model.trim() ?? 'unknown'} × ${cpus.length}`,
    `- Memory: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node: ${process.version}`,
    `- Server: Node ${server.node}, SQLite driver ${server.sqliteDriver} (HOURGLASS_BENCH_SERVER_NODE, HOURGLASS_SQLITE_DRIVER)`,
  ].join('\n');
}

/** `## ` sections of a markdown text, by heading (the text before the first one under ''). */
function sections(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const parts = text.split(/^(?=## )/m);
  for (const part of parts) result.set(part.startsWith('## ') ? (part.split('\n', 1)[0] ?? '') : '', part);
  return result;
}

/** Writes the report, then every section of the old file the report does not have (written by another tool). */
export function writeResults(file: string, report: string): void {
  const old = fs.existsSync(file) ? sections(fs.readFileSync(file, 'utf8')) : new Map<string, string>();
  const own = sections(report);
  const kept = [...old].filter(([heading]) => heading !== '' && !own.has(heading)).map(([, text]) => text.trimEnd());
  fs.writeFileSync(file, [report.trimEnd(), ...kept].join('\n\n') + '\n');
}
