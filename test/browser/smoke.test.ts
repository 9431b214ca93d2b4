import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_UI_ROOT } from '../../src/api/ui/static-files';
import { HourglassServer } from '../../src/server';
import { browserSpec, screenshot, withBrowser } from './browser';

describe('the web UI in Chromium', browserSpec(), () => {
  let server: HourglassServer | undefined;
  before(async () => {
    assert.ok(fs.existsSync(path.join(DEFAULT_UI_ROOT, 'index.html')), `${DEFAULT_UI_ROOT} has no index.html: run "npm run build:ui" (npm test builds it)`);
    server = await HourglassServer.start({ port: 0, uiPort: 0 });
  });
  after(() => server?.close());

  const origin = (): string => `http://${server?.uiAddress ?? ''}`;

  test('opens at the root: the app mounts into #app, every request stays on the UI origin (no CDN, no web fonts)', async () => {
    await withBrowser(async (page) => {
      const foreign: string[] = [];
      page.on('request', (req) => {
        if (!req.url().startsWith(`${origin()}/`) && !req.url().startsWith('data:')) foreign.push(req.url());
      });
      await page.goto(`${origin()}/`);
      await page.waitForSelector('#app > *');
      assert.match(await page.title(), /Hourglass/);
      await screenshot(page, 'smoke-root');
      assert.deepEqual(foreign, []);
    });
  });

  test("a deep link to one of the app's routes loads the app too (the server answers index.html)", async () => {
    await withBrowser(async (page) => {
      const res = await page.goto(`${origin()}/namespaces/default/workflows`);
      assert.equal(res?.status(), 200);
      await page.waitForSelector('#app > *');
    });
  });
});
