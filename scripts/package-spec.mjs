// The packed-tarball spec (`npm run test:package`): packs this checkout as npm would publish it, installs the tarball
// with the @temporalio packages into a fresh temporary project, and uses it from there the three ways the README
// describes. The app runs on PACKAGE_SPEC_NODE (default: this node), so CI can check a Node version other than its
// own; npm runs on that node too, so native modules are built for it. PACKAGE_SPEC_KEEP=1 keeps the temporary folder.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { appFiles, appPackageJson, tsconfigs } from './package-spec-app.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ownPackage = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8'));
const appNode = process.env.PACKAGE_SPEC_NODE || process.execPath;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hourglass-package-spec-'));
const appDir = path.join(workDir, 'app');
// The app's node first on PATH: the bin's `#!/usr/bin/env node`, npm's install scripts and the SDK's existing-path
// launches all pick it from there.
const env = {
  ...process.env,
  PATH: `${path.dirname(appNode)}${path.delimiter}${process.env.PATH}`,
  // better-sqlite3 would otherwise try a prebuilt binary from GitHub: the spec uses nothing beyond the npm registry.
  npm_config_build_from_source: 'true',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_update_notifier: 'false',
};

/** npm's CLI beside the app's node if it has one (a full Node distribution), else the npm running this spec. */
function npmCli(name) {
  const candidates = [
    path.join(path.dirname(appNode), '..', 'lib', 'node_modules', 'npm', 'bin', `${name}-cli.js`),
    process.env.npm_execpath && path.join(path.dirname(process.env.npm_execpath), `${name}-cli.js`),
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', `${name}-cli.js`),
  ];
  const found = candidates.find((file) => file && fs.existsSync(file));
  assert.ok(found, `no ${name}-cli.js found (tried ${candidates.filter(Boolean).join(', ')})`);
  return found;
}

/** Runs the app's node with `args` in `cwd`; fails with its output unless it exits 0. */
function run(args, { cwd = appDir, timeoutMs = 300_000 } = {}) {
  const started = performance.now();
  const result = spawnSync(appNode, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  assert.equal(result.status, 0, `${path.basename(appNode)} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${output}`);
  return { stdout: result.stdout, stderr: result.stderr, ms };
}

/** The last line of a script's stdout, which the app's scripts print as JSON. */
function runJson(args) {
  const { stdout, stderr } = run(args);
  const lines = stdout.trim().split('\n');
  return { json: JSON.parse(lines[lines.length - 1]), stdout, stderr };
}

function lockedVersion(name) {
  const entry = lock.packages[`node_modules/${name}`];
  assert.ok(entry, `${name} is not in package-lock.json`);
  return entry.version;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    assert.equal(child.exitCode, null, `the server exited ${child.exitCode} before listening`);
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket.end() && true));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}

/** Whether every process of the group ended within `timeoutMs`; kills what is left if not. */
async function groupEnded(pgid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) {
      process.kill(-pgid, 'SIGKILL');
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const appHasNodeSqlite = spawnSync(appNode, ['-e', "require('node:sqlite')"], { stdio: 'ignore' }).status === 0;
const ms = (value) => `${Math.round(value)} ms`;
const round1 = (value) => Math.round(value * 10) / 10;

describe(`the packed ${ownPackage.name} tarball installed in a fresh project (app on node ${spawnSync(appNode, ['--version'], { encoding: 'utf8' }).stdout.trim()})`, () => {
  let packed;

  before(() => {
    assert.ok(fs.existsSync(path.join(repoRoot, 'dist', 'src', 'cli', 'main.js')), 'dist/ is not built: run "npm run build" first (npm run test:package does)');
    // Packed from the build in dist/ (`npm run test:package` builds first), so `prepare` need not run again.
    const { stdout } = run([npmCli('npm'), 'pack', '--json', '--ignore-scripts', '--pack-destination', workDir], { cwd: repoRoot });
    packed = JSON.parse(stdout)[0];
    console.log(
      `# packed ${packed.filename}: ${round1(packed.size / 1024)} KiB, ${round1(packed.unpackedSize / 1024)} KiB unpacked, ${packed.entryCount} files`,
    );

    fs.mkdirSync(appDir);
    fs.writeFileSync(path.join(appDir, 'package.json'), `${JSON.stringify(appPackageJson, null, 2)}\n`);
    for (const [file, text] of Object.entries(appFiles)) fs.writeFileSync(path.join(appDir, file), text);
    for (const [name, tsconfig] of Object.entries(tsconfigs)) {
      fs.writeFileSync(path.join(appDir, `tsconfig.${name}.json`), `${JSON.stringify(tsconfig, null, 2)}\n`);
    }
    const sdk = ['client', 'worker', 'workflow', 'activity', 'testing'].map((name) => `@temporalio/${name}@${lockedVersion(`@temporalio/${name}`)}`);
    // better-sqlite3 is an optional peer, installed by the user only on a Node without node:sqlite.
    const sqlite = appHasNodeSqlite ? [] : [`better-sqlite3@${lockedVersion('better-sqlite3')}`];
    const install = run(
      [npmCli('npm'), 'install', '--prefer-offline', path.join(workDir, packed.filename), ...sdk, ...sqlite, `@types/node@${lockedVersion('@types/node')}`],
      {
        timeoutMs: 900_000,
      },
    );
    console.log(`# npm install of the tarball and the @temporalio packages: ${round1(install.ms / 1000)} s`);
  });

  test('on a Node with node:sqlite, nothing native is built: better-sqlite3 is not installed', { skip: !appHasNodeSqlite }, () => {
    assert.equal(fs.existsSync(path.join(appDir, 'node_modules', 'better-sqlite3')), false);
  });

  after(() => {
    if (process.env.PACKAGE_SPEC_KEEP === '1') console.log(`# kept ${workDir}`);
    else fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('the tarball holds what users run (bin, dist of src and patterns, README, LICENSE) and no sources, specs or build state', () => {
    const files = packed.files.map((file) => file.path);
    for (const required of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/hourglass.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/testing/index.js',
    ]) {
      assert.ok(files.includes(required), `${required} is missing from the tarball`);
    }
    const stray = files.filter(
      (file) => !/^(bin\/|dist\/src\/|dist\/patterns\/|dist\/ui\/|package\.json$|README\.md$|LICENSE$)/.test(file) || file.endsWith('.map'),
    );
    assert.deepEqual(stray, []);
  });

  test('npx hourglass server start-dev serves a worker and a client that run a workflow to completion', async () => {
    const port = await freePort();
    const server = spawn(appNode, [npmCli('npx'), 'hourglass', 'server', 'start-dev', '--headless', '--port', String(port)], {
      cwd: appDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    server.stdout.on('data', (chunk) => (output += chunk));
    server.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve(code ?? signal)));
    try {
      await waitForPort(port, server, 60_000);
      const { json } = runJson(['dev-server.js', String(port)]);
      assert.deepEqual(json, { result: 'Hello, start-dev' });
    } finally {
      // npx runs the bin as a child: signal the whole group, as a terminal's Ctrl-C would. How npm itself ends on a
      // signal is npm's affair (the CLI specs check the server's clean exit); what matters here is that nothing stays.
      process.kill(-server.pid, 'SIGTERM');
      await exited;
      assert.ok(await groupEnded(server.pid, 15_000), `start-dev did not stop within 15 s of SIGTERM (killed):\n${output}`);
    }
  });

  test('createTestWorkflowEnvironment() from hourglass-server/testing runs a workflow sleeping 1 day in time-skipped seconds', () => {
    const { json } = runJson(['in-process.js']);
    assert.equal(json.result, 'slept a day, in-process');
    const laterMedian = [...json.laterStartMs].sort((a, b) => a - b)[Math.floor(json.laterStartMs.length / 2)];
    console.log(
      `# in-process environment from the app: require('hourglass-server/testing') ${ms(json.loadMs)}; ` +
        `first createTestWorkflowEnvironment() ${ms(json.firstStartMs)} (loads the SDK's client, worker and testing packages); ` +
        `later ones median ${round1(laterMedian)} ms (${json.laterStartMs.map(round1).join(', ')}); ` +
        `a workflow sleeping 1 day, start to result: ${ms(json.sleepADayMs)}`,
    );
    // A sanity bound only: the figure is printed, the machine's load decides the rest.
    assert.ok(json.sleepADayMs < 10_000, `the 1-day sleep took ${ms(json.sleepADayMs)}`);
  });

  test("the SDK's createLocal and createTimeSkipping run workflows on the installed bin as their existing-path executable, quietly", () => {
    const { json, stdout } = runJson(['existing-path.js']);
    assert.equal(json.createLocal, 'Hello, createLocal');
    assert.equal(json.createTimeSkipping, 'slept a day, createTimeSkipping');
    assert.ok(json.sleepADayMs < 10_000, `the 1-day sleep took ${ms(json.sleepADayMs)}`);
    console.log(`# existing-path time-skipping server: a workflow sleeping 1 day, start to result: ${ms(json.sleepADayMs)}`);
    // The SDK detects readiness by connecting; the server's ready line would land in the user's test output.
    assert.doesNotMatch(stdout, /listening on/);
  });

  test('an ES module imports the entry points by name', () => {
    const { json } = runJson(['esm-import.mjs']);
    assert.deepEqual(json, { HourglassServer: 'function', createTestWorkflowEnvironment: 'function', Saga: 'function' });
  });

  test('without @temporalio/testing, createTestWorkflowEnvironment() rejects naming the package and its install command', () => {
    const { json } = runJson(['-r', './hide-testing-package.js', 'missing-testing.js']);
    assert.equal(json.rejected, true);
    assert.match(json.message, /needs the package @temporalio\/testing/);
    assert.match(json.message, /npm install --save-dev @temporalio\/testing/);
  });

  for (const resolution of Object.keys(tsconfigs)) {
    test(`the main, /testing and /patterns/* entry points type-check under moduleResolution ${resolution}`, () => {
      run([path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${resolution}.json`]);
    });
  }
});
