/**
 * Where the server's time goes, from a V8 CPU profile: `node dist/bench/profile-split.js <file.cpuprofile> [--top N]`.
 *
 * Profile the bench's server with `HOURGLASS_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"` (it writes the
 * profile when the runner stops it). Each sample is put in one bucket by its stack, from the leaf up: the first frame
 * that names a bucket decides; a native frame (no script, e.g. a better-sqlite3 or node:sqlite statement) is charged
 * to its nearest caller with one, except JSON, structuredClone and the collector, which are buckets of their own.
 * Idle time is left out; shares are of busy time.
 */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const NATIVE_BUCKETS: Record<string, string> = {
  '(garbage collector)': 'GC',
  '(program)': 'native, unattributed',
  parse: 'JSON parse/stringify',
  stringify: 'JSON parse/stringify',
  structuredClone: 'structuredClone (mutable-state copy)',
};

/** Bucket of a frame with a script, or undefined to look further up. */
function scriptBucket(url: string): string | undefined {
  if (url.includes('/store/sqlite/') || url.includes('better-sqlite3')) return 'SQLite (statements, commit, fsync wait)';
  if (url.includes('protobufjs') || url.includes('@temporalio/proto') || url.includes('/common/proto')) return 'protobuf encode/decode';
  if (/^node:(internal\/)?(http2|net|stream|internal\/streams|_http|internal\/stream_base)/.test(url) || url.startsWith('node:internal/http2')) {
    return 'node:http2, streams, sockets';
  }
  if (url.includes('/src/api/')) return 'gRPC frontend (src/api)';
  if (url.includes('/src/engine/') || url.includes('/src/store/')) return 'engine, cache (src/engine, src/store)';
  if (url.includes('/src/')) return 'other server code';
  if (url.startsWith('node:')) return 'node internals (timers, promises, events)';
  if (url) return 'other dependencies';
  return undefined;
}

export function split(profile: Profile): { buckets: Map<string, number>; busyUs: number; self: Map<string, number> } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = bucketOf.get(id);
    if (known) return known;
    const node = byId.get(id);
    let bucket = 'native, unattributed';
    if (node) {
      const { functionName, url } = node.callFrame;
      if (functionName === '(idle)') bucket = 'idle';
      else if (!url && NATIVE_BUCKETS[functionName]) bucket = NATIVE_BUCKETS[functionName];
      else {
        const fromScript = scriptBucket(url);
        const up = parent.get(id);
        bucket = fromScript ?? (up !== undefined && byId.get(up)?.callFrame.functionName !== '(root)' ? classify(up) : 'native, unattributed');
      }
    }
    bucketOf.set(id, bucket);
    return bucket;
  };
  const buckets = new Map<string, number>();
  const self = new Map<string, number>();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const bucket = classify(id);
    if (bucket === 'idle') return;
    busyUs += dt;
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + dt);
    const f = byId.get(id)?.callFrame;
    const key = f ? `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '')}` : '?';
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return { buckets, busyUs, self };
}

/**
 * Buckets side by side for several profiles: each bucket's share of the server's busy time and its busy
 * milliseconds per workflow (profiling slows the server a little, so these run above the unprofiled CPU figures).
 */
export function splitTable(columns: { label: string; profile: Profile; workflows: number }[]): string {
  const splits = columns.map((c) => ({ ...c, ...split(c.profile) }));
  const total = new Map<string, number>();
  for (const s of splits) for (const [b, us] of s.buckets) total.set(b, (total.get(b) ?? 0) + us / s.busyUs);
  const buckets = [...total].sort((a, b) => b[1] - a[1]).map(([b]) => b);
  const header = `| bucket | ${splits.map((s) => `${s.label}: share | ${s.label}: ms/wf`).join(' | ')} |`;
  const align = `|---|${splits.map(() => '---:|---:').join('|')}|`;
  const row = (name: string, cell: (s: (typeof splits)[number]) => string): string => `| ${name} | ${splits.map(cell).join(' | ')} |`;
  const lines = buckets.map((b) =>
    row(b, (s) => {
      const us = s.buckets.get(b) ?? 0;
      return `${((100 * us) / s.busyUs).toFixed(1)} % | ${(us / 1000 / s.workflows).toFixed(2)}`;
    }),
  );
  lines.push(row('**busy, total**', (s) => `100 % | ${(s.busyUs / 1000 / s.workflows).toFixed(2)}`));
  return [header, align, ...lines].join('\n');
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-split <file.cpuprofile> [--top N]');
  const topAt = process.argv.indexOf('--top');
  const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 15;
  const { buckets, busyUs, self } = split(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile);
  const pct = (us: number): string => `${((100 * us) / busyUs).toFixed(1)} %`;
  console.log(`busy ${(busyUs / 1e6).toFixed(2)} s\n\n| bucket | share of busy time |\n|---|---:|`);
  for (const [b, us] of [...buckets].sort((a, c) => c[1] - a[1])) console.log(`| ${b} | ${pct(us)} |`);
  console.log(`\ntop ${top} functions by self time:`);
  for (const [f, us] of [...self].sort((a, c) => c[1] - a[1]).slice(0, top)) console.log(`  ${pct(us).padStart(7)}  ${f}`);
}

if (require.main === module) main();
