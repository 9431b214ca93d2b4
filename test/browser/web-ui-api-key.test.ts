import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_UI_ROOT } from '../../src/api/ui/static-files';
import { HourglassServer } from '../../src/server';
import { browserSpec, screenshot, withBrowser } from './browser';

const KEY = 'sk-ui-5c1d';

describe('the web UI on a server with API keys', browserSpec(), () => {
  let server: HourglassServer | undefined;
  before(async () => {
    assert.ok(fs.existsSync(path.join(DEFAULT_UI_ROOT, 'index.html')), `${DEFAULT_UI_ROOT} has no index.html: run "npm run build:ui" (npm test builds it)`);
    server = await HourglassServer.start({ port: 0, uiPort: 0, apiKeys: [{ key: KEY }] });
    // The SDKs turn TLS on with an apiKey unless told otherwise: this server is plaintext on loopback.
    const connection = await Connection.connect({ address: server.address, apiKey: KEY, tls: false });
    try {
      await new Client({ connection }).workflow.start('keyedWorkflow', { taskQueue: 'no-worker', workflowId: 'wf-behind-a-key' });
    } finally {
      await connection.close();
    }
  });
  after(() => server?.close());

  test('asks for the key once when the API answers 401, then sends it as Authorization: Bearer and shows the workflows', async () => {
    await withBrowser(async (page) => {
      const prompts: string[] = [];
      page.on('dialog', (dialog) => {
        prompts.push(dialog.message());
        void dialog.accept(KEY);
      });
      const authorizations = new Set<string>();
      page.on('request', (req) => {
        if (req.url().includes('/api/v1/')) authorizations.add(req.headers().authorization ?? '(none)');
      });
      await page.goto(`http://${server?.uiAddress ?? ''}/namespaces/default/workflows`);
      await page.waitForSelector('[data-testid=workflow-row]');
      assert.match(await page.locator('[data-testid=workflow-row]').innerText(), /wf-behind-a-key/);
      assert.equal(prompts.length, 1, prompts.join(' | '));
      assert.match(prompts[0] ?? '', /needs an API key/);
      assert.ok(authorizations.has(`Bearer ${KEY}`), [...authorizations].join(', '));
      await screenshot(page, 'web-ui-api-key');
    });
  });
});
