#!/usr/bin/env node
'use strict';
// Thin shim: the CLI lives in TypeScript (src/cli/main.ts), compiled to dist/ by `npm run build` (also run by `npm ci`).
// `__dirname` is this file's real folder even when invoked through the `node_modules/.bin/hourglass` symlink, because
// node resolves symlinks of the main module.
const path = require('node:path');

let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js'));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(path.join('dist', 'src', 'cli', 'main.js'))) {
    process.stderr.write('hourglass: the CLI is not built; run "npm run build" in ' + path.join(__dirname, '..') + '\n');
    process.exit(1);
  }
  throw err;
}

cli.main(process.argv.slice(2)).catch((err) => {
  process.stderr.write('hourglass: ' + (err && err.stack ? err.stack : String(err)) + '\n');
  process.exit(1);
});
