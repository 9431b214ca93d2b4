/** W5: start-up times, measured by bench/startup.js in its own process, recorded as its median / min / max. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { recordSummary } from './report';

export function recordStartup(rounds: number): void {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'startup.js')], {
    env: { ...process.env, ROUNDS: String(rounds) },
    encoding: 'utf8',
    timeout: 300_000,
  });
  for (const [label, pattern] of [
    ['in-process server → first GetSystemInfo', /first GetSystemInfo:\s+median ([\d.]+) ms \(min ([\d.]+) – max ([\d.]+), n=(\d+)\)/],
    ['CLI process → ready line', /ready line:\s+median ([\d.]+) ms \(min ([\d.]+) – max ([\d.]+), n=(\d+)\)/],
  ] as const) {
    const match = pattern.exec(output);
    if (!match) throw new Error(`W5: cannot parse startup.js output:\n${output}`);
    const [, med, min, max, n] = match;
    recordSummary('W5 start-up', label, 'ms', 1, { median: Number(med), min: Number(min), max: Number(max), n: Number(n) });
  }
}
