/**
 * Web UI benchmark (`npm run bench:ui`): how fast the UI shows a big namespace and a big history, in Debian's Chromium.
 *
 * - 10,000 workflows in `default` (started through gRPC, as any client would; no worker, so they stay running): time
 *   from navigation to the first rendered rows of the workflows list (`[data-testid="workflow-row"]`).
 * - one workflow with a 10,000-event history (10,000 signals to a run with no worker): time from navigation to the
 *   first history rows (`[data-testid="history-row"]`), and to the last event rendered after scrolling to the end.
 *
 * Prints the figures and appends a row to the "Web UI" table of bench/RESULTS.md. A selector the app does not expose
 * is reported as not rendered (and nothing is appended) rather than timed.
 *
 *   npm run bench:ui          WORKFLOWS=2000 EVENTS=2000 npm run bench:ui (smaller)
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Page } from 'playwright-core';
import { HourglassServer } from '../src/server';
import { withBrowser } from '../test/browser/browser';

const WORKFLOWS = Number(process.env.WORKFLOWS ?? 10_000);
const SIGNALS = Number(process.env.EVENTS ?? 10_000);
const CONCURRENCY = 100;
const RENDER_TIMEOUT_MS = 30_000;
const ROOT = path.resolve(__dirname, '..', '..');

/** Runs `fn` for 0..n-1, at most CONCURRENCY at a time. */
async function pool(n: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** Milliseconds from now until `selector` is rendered, or undefined when it is not within the timeout. */
async function timeUntil(page: Page, selector: string, t0: number): Promise<number | undefined> {
  try {
    await page.waitForSelector(selector, { timeout: RENDER_TIMEOUT_MS });
    return performance.now() - t0;
  } catch {
    return undefined;
  }
}

/** Runs in the page (this project's TypeScript has no DOM types): scrolls the rows' container to its end. */
const SCROLL_TO_END = `(selector, lastEventId) => {
  const rows = document.querySelectorAll(selector);
  let el = rows[0] ? rows[0].parentElement : null;
  while (el && !(el.scrollHeight > el.clientHeight && /(auto|scroll)/.test(getComputedStyle(el).overflowY))) el = el.parentElement;
  const target = el || document.scrollingElement || document.documentElement;
  target.scrollTop = target.scrollHeight;
  const last = rows.length > 0 ? rows[rows.length - 1].textContent || '' : '';
  return { height: target.scrollHeight, atEnd: new RegExp('\\\\b' + lastEventId + '\\\\b').test(last) };
}`;

/**
 * Scrolls the rows' scroll container (or the page) to its end until the last rendered row names the last event and
 * the height stops growing (a virtualised list renders, a paged fetch appends); ms from `t0`, undefined on timeout.
 */
async function scrollToEnd(page: Page, selector: string, lastEventId: number, t0: number): Promise<number | undefined> {
  const deadline = performance.now() + 60_000;
  let stableHeight = -1;
  let stableFor = 0;
  while (performance.now() < deadline) {
    const state = await page.evaluate<{ height: number; atEnd: boolean }>(`(${SCROLL_TO_END})(${JSON.stringify(selector)}, ${lastEventId})`);
    stableFor = state.height === stableHeight ? stableFor + 1 : 0;
    stableHeight = state.height;
    if (state.atEnd && stableFor >= 2) return performance.now() - t0;
    await page.waitForTimeout(50);
  }
  return undefined;
}

const fmt = (ms: number | undefined): string => (ms === undefined ? 'not rendered' : `${Math.round(ms)} ms`);

async function main(): Promise<void> {
  const server = await HourglassServer.start({ port: 0, uiPort: 0 });
  const connection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    let t = performance.now();
    await pool(WORKFLOWS, (i) => client.workflow.start('uiBench', { taskQueue: 'ui-bench', workflowId: `ui-bench-${i}` }));
    console.log(`started ${WORKFLOWS} workflows in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const big = await client.workflow.start('uiBenchHistory', { taskQueue: 'ui-bench-history', workflowId: 'ui-bench-history' });
    t = performance.now();
    await pool(SIGNALS, (i) => big.signal('tick', i));
    const lastEventId = Number((await big.describe()).historyLength);
    console.log(`signalled ${SIGNALS} times (history of ${lastEventId} events) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const origin = `http://${server.uiAddress ?? ''}`;
    const figures = await withBrowser(async (page) => {
      let t0 = performance.now();
      await page.goto(`${origin}/namespaces/default/workflows`);
      const list = await timeUntil(page, '[data-testid="workflow-row"]', t0);
      const listRows = await page.locator('[data-testid="workflow-row"]').count();

      t0 = performance.now();
      await page.goto(`${origin}/namespaces/default/workflows/${big.workflowId}/${big.firstExecutionRunId}/history`);
      const historyFirst = await timeUntil(page, '[data-testid="history-row"]', t0);
      const historyEnd = historyFirst === undefined ? undefined : await scrollToEnd(page, '[data-testid="history-row"]', lastEventId, t0);
      return { list, listRows, historyFirst, historyEnd };
    });

    console.log(`workflows list (${WORKFLOWS} in the namespace): first rows ${fmt(figures.list)} (${figures.listRows} rows rendered)`);
    console.log(`history (${lastEventId} events): first rows ${fmt(figures.historyFirst)}, scrolled to the last event ${fmt(figures.historyEnd)}`);
    if (figures.list === undefined && figures.historyFirst === undefined) {
      console.log('the app exposes neither selector: nothing appended to bench/RESULTS.md');
      return;
    }
    appendResult(
      `| ${new Date().toISOString().slice(0, 10)} | ${commit()} | ${WORKFLOWS} | ${fmt(figures.list)} | ${lastEventId} | ${fmt(figures.historyFirst)} | ${fmt(figures.historyEnd)} | ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? '?'} |`,
    );
  } finally {
    await connection.close();
    await server.close();
  }
}

const TABLE_HEADING = `

## Web UI (\`npm run bench:ui\`)

Chromium (Debian's, headless) against an in-process server; times from navigation.

| Date | Commit | Workflows | List: first rows | History events | History: first rows | History: scrolled to the end | CPU |
|---|---|---:|---:|---:|---:|---:|---|
`;

/** Appends a row to the Web UI table of bench/RESULTS.md, adding the table first if missing. */
function appendResult(row: string): void {
  const file = path.join(ROOT, 'bench', 'RESULTS.md');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Hourglass benchmark results\n';
  fs.writeFileSync(file, `${text.includes('## Web UI (`npm run bench:ui`)') ? text.trimEnd() + '\n' : text.trimEnd() + TABLE_HEADING}${row}\n`);
  console.log('appended a row to bench/RESULTS.md');
}

function commit(): string {
  try {
    return '`' + execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() + '`';
  } catch {
    return '?';
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
