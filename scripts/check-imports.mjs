// The architecture guard run by `npm run lint`: no import cycles in src/ (type-only imports count: a cycle is two
// modules that cannot be understood apart), and each folder imports only the folders its row below allows.
// Rules are by longest matching prefix; the README's layout table says the same in words.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');

/** folder → the src folders it may import (itself always allowed). */
const ALLOWED = {
  common: [],
  types: [],
  store: ['common', 'visibility/search-attribute-type.ts'],
  visibility: ['common', 'store'],
  'engine/state': ['common', 'store/records.ts'],
  'engine/time': ['common'],
  'schedules/spec': ['common'],
  'engine/dispatch': [
    'common',
    'store',
    'engine/state',
    'engine/time',
    'engine/locks.ts',
    'engine/namespaces.ts',
    'engine/history-reader.ts',
    'engine/transactions.ts',
  ],
  'engine/rpc': [
    'common',
    'store',
    'visibility',
    'engine/state',
    'engine/dispatch',
    'engine/time',
    'engine/rpc',
    'engine/locks.ts',
    'engine/namespaces.ts',
    'engine/history-reader.ts',
    'engine/transactions.ts',
  ],
  engine: ['common', 'store', 'visibility', 'engine'],
  schedules: ['common', 'store', 'visibility', 'engine/time'],
  api: ['common', 'store', 'visibility', 'engine', 'schedules', 'version.ts'],
  cli: ['common', 'store', 'version.ts', 'server.ts', 'visibility', 'api/http/proto-json.ts', 'api/http/well-known-json.ts'],
  testing: ['server.ts', 'common', 'visibility'],
  '': [''],
};

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (candidate.startsWith(src) && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*'(\.[^']*)'|import\(\s*'(\.[^']*)'\s*\)|require\(\s*'(\.[^']*)'\s*\)/g;
const graph = new Map();
for (const file of walk(src)) {
  const text = readFileSync(file, 'utf8');
  const deps = new Set();
  for (const m of text.matchAll(IMPORT)) {
    const target = resolveImport(file, m[1] ?? m[2] ?? m[3]);
    if (target) deps.add(target);
  }
  graph.set(file, deps);
}

const rel = (f) => relative(src, f);
const ruleFor = (file) => {
  const r = rel(file);
  const keys = Object.keys(ALLOWED).filter((k) => k === '' || r === k || r.startsWith(`${k}/`));
  return keys.sort((a, b) => b.length - a.length)[0];
};
const problems = [];
for (const [file, deps] of graph) {
  const folder = ruleFor(file);
  const allowed = [folder, ...ALLOWED[folder]];
  for (const dep of deps) {
    const r = rel(dep);
    if (!allowed.some((a) => a === '' || r === a || r.startsWith(`${a}/`)))
      problems.push(`${rel(file)} imports ${r}: ${folder || 'src'}/ may import only ${allowed.slice(1).join(', ') || 'itself'}`);
  }
}

// Tarjan's strongly connected components: every component of more than one file is a cycle.
let index = 0;
const stack = [];
const meta = new Map();
function connect(v) {
  const m = { index, low: index, onStack: true };
  index++;
  meta.set(v, m);
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!meta.has(w)) {
      connect(w);
      m.low = Math.min(m.low, meta.get(w).low);
    } else if (meta.get(w).onStack) m.low = Math.min(m.low, meta.get(w).index);
  }
  if (m.low === m.index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      meta.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) problems.push(`import cycle: ${component.map(rel).sort().join(' ⇄ ')}`);
  }
}
for (const v of graph.keys()) if (!meta.has(v)) connect(v);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`\n${problems.length} architecture problem(s) in src/`);
  process.exit(1);
}
console.log(`imports: ${graph.size} files in src/, no cycles, every folder within its allowed imports`);
