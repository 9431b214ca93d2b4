// The files of the temporary user project the package spec installs the packed tarball into: a CommonJS app (the
// SDK's worker loads `workflowsPath` by require.resolve), plus one ES module check and the TypeScript projects that
// type-check a file importing the package's entry points under each module resolution users have.

export const appPackageJson = {
  name: 'hourglass-package-spec-app',
  version: '1.0.0',
  private: true,
  type: 'commonjs',
};

const workflows = `const { proxyActivities, sleep } = require('@temporalio/workflow');

const { greet } = proxyActivities({ startToCloseTimeout: '10 seconds' });

async function greeting(name) {
  return await greet(name);
}

async function sleepADay(name) {
  await sleep('1 day');
  return 'slept a day, ' + name;
}

module.exports = { greeting, sleepADay };
`;

const activities = `module.exports = {
  async greet(name) {
    return 'Hello, ' + name;
  },
};
`;

// Runs one workflow to completion on a worker of the given connection; prints nothing, returns the result.
const runWorkflow = `const { Worker } = require('@temporalio/worker');
const activities = require('./activities');

async function runWorkflow({ nativeConnection, client, namespace = 'default' }, workflowType, arg) {
  const taskQueue = 'package-spec-' + workflowType + '-' + process.pid;
  const worker = await Worker.create({ connection: nativeConnection, namespace, taskQueue, workflowsPath: require.resolve('./workflows'), activities });
  return await worker.runUntil(async () => {
    const started = performance.now();
    const result = await client.workflow.execute(workflowType, { taskQueue, workflowId: taskQueue, args: [arg] });
    return { result, ms: performance.now() - started };
  });
}

module.exports = { runWorkflow };
`;

// (a) A worker and a client against \`npx hourglass server start-dev\` on the given port.
const devServer = `const { Client, Connection } = require('@temporalio/client');
const { NativeConnection } = require('@temporalio/worker');
const { runWorkflow } = require('./run-workflow');

async function main() {
  const address = '127.0.0.1:' + process.argv[2];
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const { result } = await runWorkflow({ nativeConnection, client: new Client({ connection }) }, 'greeting', 'start-dev');
    console.log(JSON.stringify({ result }));
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

// (b) The in-process environment: how long loading it and starting it take from a user's project, then a 1-day sleep.
const inProcess = `const loadStarted = performance.now();
const { createTestWorkflowEnvironment } = require('hourglass-server/testing');
const loadMs = performance.now() - loadStarted;
const { runWorkflow } = require('./run-workflow');

async function main() {
  let started = performance.now();
  const env = await createTestWorkflowEnvironment();
  const firstStartMs = performance.now() - started;
  const laterStartMs = [];
  for (let i = 0; i < 10; i++) {
    started = performance.now();
    const another = await createTestWorkflowEnvironment();
    laterStartMs.push(performance.now() - started);
    await another.teardown();
  }
  try {
    const sleep = await runWorkflow(env, 'sleepADay', 'in-process');
    console.log(JSON.stringify({ loadMs, firstStartMs, laterStartMs, result: sleep.result, sleepADayMs: sleep.ms }));
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

// (c) The SDK's own environments with Hourglass's bin as their \`existing-path\` executable.
const existingPath = `const path = require('node:path');
const { TestWorkflowEnvironment } = require('@temporalio/testing');
const { runWorkflow } = require('./run-workflow');

async function main() {
  const executable = { type: 'existing-path', path: path.join(process.cwd(), 'node_modules/.bin/hourglass') };
  const out = {};
  const local = await TestWorkflowEnvironment.createLocal({ server: { executable } });
  try {
    out.createLocal = (await runWorkflow(local, 'greeting', 'createLocal')).result;
  } finally {
    await local.teardown();
  }
  const skipping = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  try {
    const sleep = await runWorkflow(skipping, 'sleepADay', 'createTimeSkipping');
    out.createTimeSkipping = sleep.result;
    out.sleepADayMs = sleep.ms;
  } finally {
    await skipping.teardown();
  }
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

// An ES module importing the CommonJS package by name: Node must find the named exports.
const esmImport = `import { HourglassServer } from 'hourglass-server';
import { createTestWorkflowEnvironment } from 'hourglass-server/testing';
import { Saga } from 'hourglass-server/patterns/saga';

console.log(JSON.stringify({ HourglassServer: typeof HourglassServer, createTestWorkflowEnvironment: typeof createTestWorkflowEnvironment, Saga: typeof Saga }));
`;

// Loaded with \`-r\` to make @temporalio/testing absent without a second install.
const hideTestingPackage = `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@temporalio/testing') {
    throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
`;

const missingTesting = `require('hourglass-server/testing')
  .createTestWorkflowEnvironment()
  .then(
    () => console.log(JSON.stringify({ rejected: false })),
    (err) => console.log(JSON.stringify({ rejected: true, message: err.message })),
  );
`;

// The type check: every entry point, used as the README shows.
const typesCheck = `import { HourglassServer, type HourglassServerOptions } from 'hourglass-server';
import { createTestWorkflowEnvironment, type HourglassTestEnvironmentOptions } from 'hourglass-server/testing';
import { Saga } from 'hourglass-server/patterns/saga';
import { TestWorkflowEnvironment } from '@temporalio/testing';

export async function check(): Promise<string[]> {
  const options: HourglassServerOptions = { port: 0, dynamicConfig: { 'limit.blobSize.error': 1024 } };
  const server = await HourglassServer.start(options);
  await server.close();
  const envOptions: HourglassTestEnvironmentOptions = { timeSkipping: true, initialTime: new Date(0) };
  const env: TestWorkflowEnvironment = await createTestWorkflowEnvironment(envOptions);
  const skipped: number = (await createTestWorkflowEnvironment()).hourglassServer.stats.fullHistoryWorkflowTasks;
  await env.teardown();
  return [server.address, String(skipped), typeof Saga];
}
`;

// skipLibCheck as the SDK needs it: @temporalio/common's declarations import 'ms', whose current release's types do not
// resolve through its "exports" (TS7016) under strict settings.
const compilerOptions = { strict: true, noEmit: true, skipLibCheck: true, types: ['node'], target: 'ES2022' };

/** The module resolutions a user's tsconfig may have, each a tsconfig of the app. */
export const tsconfigs = {
  node16: { compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16' }, files: ['check.ts'] },
  nodenext: { compilerOptions: { ...compilerOptions, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['check.ts'] },
  bundler: { compilerOptions: { ...compilerOptions, module: 'esnext', moduleResolution: 'bundler' }, files: ['check.ts'] },
  // TypeScript 6 deprecates `node` (node10) resolution; older TypeScript versions users still run default to it.
  node: { compilerOptions: { ...compilerOptions, module: 'commonjs', moduleResolution: 'node', ignoreDeprecations: '6.0' }, files: ['check.ts'] },
};

export const appFiles = {
  'workflows.js': workflows,
  'activities.js': activities,
  'run-workflow.js': runWorkflow,
  'dev-server.js': devServer,
  'in-process.js': inProcess,
  'existing-path.js': existingPath,
  'esm-import.mjs': esmImport,
  'hide-testing-package.js': hideTestingPackage,
  'missing-testing.js': missingTesting,
  'check.ts': typesCheck,
};
