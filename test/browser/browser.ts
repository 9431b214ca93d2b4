/**
 * The browser-spec harness: Debian's Chromium driven by `playwright-core` (no browser download), and screenshots under
 * `test-output/screenshots/` (git-ignored) for the README and for looking at a failure.
 *
 * A spec file declares its suites with `browserSpec()`: skipped, saying why, when Chromium is absent on a developer's
 * machine; never skipped in CI (`CI` set), where a missing Chromium must fail rather than pass silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestOptions } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's `chromium` package; HOURGLASS_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.HOURGLASS_CHROMIUM ?? '/usr/bin/chromium';

/** Repository root (this file runs from dist/test/browser/). */
const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const SCREENSHOT_DIR = path.join(repoRoot, 'test-output', 'screenshots');

/** Options for a browser suite: a skip, with the reason, only outside CI when Chromium is not installed. */
export function browserSpec(): TestOptions {
  if (fs.existsSync(CHROMIUM_PATH) || process.env.CI) return {};
  return { skip: `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package (apt-get install chromium) to run the browser specs` };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Runs `fn` with a fresh page (its own context) of a browser launched for it, closed afterwards whatever happens. An
 * uncaught error in the page fails the call: an app that throws is broken even if the checks happen to pass.
 */
export async function withBrowser<T>(fn: (page: Page, browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const pageErrors: Error[] = [];
    page.on('pageerror', (err) => pageErrors.push(err));
    const result = await fn(page, browser);
    if (pageErrors.length > 0) throw new Error(`uncaught errors in the page:\n${pageErrors.map((e) => e.stack ?? e.message).join('\n')}`);
    return result;
  } finally {
    await browser.close();
  }
}

/** Saves a full-page PNG as `test-output/screenshots/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
