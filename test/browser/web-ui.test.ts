/**
 * The web UI in Chromium against a real server and SDK worker: the runs a developer opens it for (completed, failed
 * after activity retries, waiting on a timer and a retrying activity, a parent with a child, one with handlers),
 * found through the list filter and read as the Temporal UI shows them; a signal seen live; a terminate; a history
 * downloaded and replayed. Screenshots of each main page go to test-output/screenshots/.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Worker } from '@temporalio/worker';
import type { Browser, Page } from 'playwright-core';
import { runWorkflowCommand } from '../../src/cli/commands/workflow-commands';
import { activities, uniqueName, useHourglassServer, waitFor, workflowBundle } from '../helpers';
import { browserSpec, launchBrowser, screenshot } from './browser';
import { startUiScenarios, type UiScenarios } from './ui-scenarios';

const env = useHourglassServer({ uiPort: 0 });

describe('the web UI', browserSpec(), () => {
  const taskQueue = uniqueName('web-ui');
  const prefix = taskQueue;
  let worker: Worker;
  let running: Promise<void>;
  let runs: UiScenarios;
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(), activities });
    running = worker.run();
    runs = await startUiScenarios(env.client, taskQueue, prefix);
  });
  after(async () => {
    await browser?.close();
    worker?.shutdown();
    await running;
  });

  /** A fresh page (its own context) of the suite's one browser; an uncaught error in the page fails the test. */
  const withBrowser = async (fn: (page: Page) => Promise<void>): Promise<void> => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const pageErrors: Error[] = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await fn(page);
      assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    } finally {
      await context.close();
    }
  };

  const origin = (): string => `http://${env.server.uiAddress ?? ''}`;
  const runPath = (workflowId: string, runId: string, tab = ''): string =>
    `${origin()}/namespaces/default/workflows/${workflowId}/${runId}${tab ? `/${tab}` : ''}`;
  const open = async (page: Page, handle: { workflowId: string }, tab = ''): Promise<void> => {
    const { runId } = await env.client.workflow.getHandle(handle.workflowId).describe();
    await page.goto(runPath(handle.workflowId, runId, tab));
  };

  test('the list filter finds the runs; status tabs count them by ExecutionStatus; a bad filter shows the error at its position', async () => {
    await withBrowser(async (page) => {
      await page.goto(`${origin()}/`);
      await page.fill('[data-testid=list-filter]', `WorkflowId STARTS_WITH '${prefix}'`);
      await page.press('[data-testid=list-filter]', 'Enter');
      await waitFor('the six runs', async () => ((await page.locator('[data-testid=workflow-row]').count()) === 6 ? true : undefined));
      assert.match(await page.locator('[data-testid=status-tab-Running]').innerText(), /Running\s+4/);
      assert.match(await page.locator('[data-testid=status-tab-Failed]').innerText(), /Failed\s+1/);
      assert.match(await page.locator('[data-testid=status-tab-Completed]').innerText(), /Completed\s+1/);
      await screenshot(page, 'workflows');

      await page.click('[data-testid=status-tab-Failed]');
      await waitFor('only the failed run', async () => ((await page.locator('[data-testid=workflow-row]').count()) === 1 ? true : undefined));
      assert.match(await page.locator('[data-testid=workflow-row]').innerText(), new RegExp(`Failed\\s+${runs.failed.workflowId}`));

      await page.fill('[data-testid=list-filter]', 'WorkflowType = ');
      await page.press('[data-testid=list-filter]', 'Enter');
      const error = await page.locator('[data-testid=query-error]').innerText();
      assert.match(error, /invalid query: .*at position \d+/);
      assert.match(error, /\^/, 'a caret under the position');
    });
  });

  test('a failed run: the failure with its cause chain; the history, compact view and timeline show the activity retried to its last attempt', async () => {
    await withBrowser(async (page) => {
      await page.goto(`${origin()}/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId = '${runs.failed.workflowId}'`)}`);
      await page.click(`[data-testid=workflow-row] >> text=${runs.failed.workflowId}`);
      const failure = await page.locator('[data-testid=failure]').innerText();
      assert.match(failure, /ActivityFailure \(failWithType, MaximumAttemptsReached\)/);
      assert.match(failure, /caused by ApplicationFailure \(PaymentDeclined\)\s+card expired/);
      assert.match(await page.locator('[data-testid=status]').first().innerText(), /Failed/);
      await screenshot(page, 'run-failed');

      const { events } = await runs.failed.fetchHistory();
      await page.click('[data-testid=run-tab-history]');
      await waitFor('every event', async () => ((await page.locator('[data-testid=history-row]').count()) === events?.length ? true : undefined));
      const started = page.locator('[data-testid=history-row] >> text=ActivityTaskStarted');
      assert.match(await started.locator('..').innerText(), /attempt 3/);
      await page.click('[data-testid=history-row] >> text=WorkflowExecutionFailed');
      assert.match(await page.locator('[data-testid=event-detail]').innerText(), /"workflowExecutionFailedEventAttributes"/);
      await screenshot(page, 'history');

      await page.click('[data-testid=run-tab-compact]');
      const activityRow = page.locator('[data-testid=compact-row]', { hasText: 'failWithType' });
      assert.match(await activityRow.innerText(), /activity\s+failWithType\s+ActivityTaskFailed/);

      await page.click('[data-testid=run-tab-timeline]');
      assert.equal(await page.locator('[data-testid=timeline-bar][data-kind=activity]').count(), 1);
      assert.ok((await page.locator('[data-testid=timeline-bar][data-kind=workflow-task]').count()) >= 2);
      await screenshot(page, 'timeline');
    });
  });

  test('a waiting run: its pending activity (attempt, last failure, next retry), its timer in the timeline, and the call stack', async () => {
    await withBrowser(async (page) => {
      await open(page, runs.waiting);
      const pending = await page.locator('[data-testid=pending-activity]').innerText();
      assert.match(pending, /failWithType/);
      assert.match(pending, /Attempt\s+2/);
      assert.match(pending, /Next retry/);
      assert.match(pending, /inventory service unavailable/);
      await screenshot(page, 'run-pending-activity');

      await page.click('[data-testid=run-tab-timeline]');
      assert.equal(await page.locator('[data-testid=timeline-bar][data-kind=timer]').count(), 1);

      await page.click('[data-testid=run-tab-stack]');
      assert.match(await page.locator('[data-testid=stack-trace]').innerText(), /at uiWaiting/);
    });
  });

  test('a parent lists its running child as pending and links to it; the child links back to its parent', async () => {
    await withBrowser(async (page) => {
      await open(page, runs.parent);
      assert.match(await page.locator('[data-testid=pending-children]').innerText(), new RegExp(`uiChild\\s+${runs.parent.workflowId}-child`));
      await page.click(`[data-testid=run-summary] >> text=${runs.parent.workflowId}-child`);
      await page.waitForSelector('text=uiChild');
      assert.match(await page.locator('[data-testid=run-summary]').innerText(), new RegExp(`Parent\\s+${runs.parent.workflowId}`));
    });
  });

  test('a signal appears live in the open history; query, signal and update forms call the handlers the workflow declares', async () => {
    await withBrowser(async (page) => {
      await open(page, runs.signalled, 'history');
      await page.waitForSelector('[data-testid=history-row]');
      await runs.signalled.signal('poke', { by: 'sdk' });
      await page.waitForSelector('[data-testid=history-row] >> text=WorkflowExecutionSignaled');

      await page.click('[data-testid=run-tab-actions]');
      await waitFor('the handlers from __temporal_workflow_metadata', async () =>
        (await page.inputValue('[data-testid=query-name]')) === 'pokes' ? true : undefined,
      );
      await page.fill('[data-testid=signal-name]', 'poke');
      await page.fill('[data-testid=signal-args]', '{"by": "browser"}');
      await page.click('[data-testid=signal-submit]');
      await page.waitForSelector('[data-testid=signal-outcome] >> text=Signal poke sent');
      await page.click('[data-testid=query-submit]');
      assert.deepEqual(JSON.parse(await page.locator('[data-testid=query-outcome] pre').innerText()), ['sdk', 'browser']);
      await page.fill('[data-testid=update-name]', 'setLabel');
      await page.fill('[data-testid=update-args]', '"renamed"');
      await page.click('[data-testid=update-submit]');
      assert.equal(await page.locator('[data-testid=update-outcome] pre').innerText(), '"initial"');
      await screenshot(page, 'actions');

      await page.click('[data-testid=run-tab-history]');
      await waitFor('both signals and the update in the history', async () =>
        (await page.locator('[data-testid=history-row] >> text=WorkflowExecutionSignaled').count()) === 2 &&
        (await page.locator('[data-testid=history-row] >> text=WorkflowExecutionUpdateCompleted').count()) === 1
          ? true
          : undefined,
      );
    });
  });

  test('terminate from the actions tab closes the run with the reason given', async () => {
    await withBrowser(async (page) => {
      await open(page, runs.waiting, 'actions');
      await page.fill('[data-testid=terminate-reason]', 'stuck on inventory');
      await page.click('[data-testid=terminate]');
      await page.waitForSelector('[data-testid=status] >> text=Terminated');
      const description = await runs.waiting.describe();
      assert.equal(description.status.name, 'TERMINATED');
      const { events } = await runs.waiting.fetchHistory();
      assert.equal(events?.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason, 'stuck on inventory');
    });
  });

  test('the downloaded history is what hourglass workflow show -o json prints, and it replays with Worker.runReplayHistory', async () => {
    await withBrowser(async (page) => {
      await open(page, runs.completed, 'history');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-history]:not([disabled])')]);
      const text = fs.readFileSync(await download.path(), 'utf8');
      let cli = '';
      const code = await runWorkflowCommand(
        { subcommand: 'show', address: env.address, namespace: 'default', workflowId: runs.completed.workflowId, limit: 0, output: 'json' },
        (s) => (cli += s),
        () => undefined,
      );
      assert.equal(code, 0);
      assert.equal(text, cli);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, JSON.parse(text), runs.completed.workflowId);
    });
  });

  test('the task queue page shows the worker polling; the schedules page pauses and triggers a schedule', async () => {
    const scheduleId = `${prefix}-schedule`;
    const schedule = await env.client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1h' }] },
      action: { type: 'startWorkflow', workflowType: 'uiGreeting', taskQueue, args: ['schedule'] },
    });
    try {
      await withBrowser(async (page) => {
        await page.goto(`${origin()}/namespaces/default/task-queues/${taskQueue}`);
        await page.waitForSelector('[data-testid=poller]');
        await screenshot(page, 'task-queue');

        await page.goto(`${origin()}/namespaces/default/schedules`);
        await page.click(`[data-testid=schedule-row] >> text=${scheduleId}`);
        await page.click('[data-testid=pause-toggle] >> text=Pause');
        await page.waitForSelector('[data-testid=pause-toggle] >> text=Unpause');
        assert.equal((await schedule.describe()).state.paused, true);
        await page.click('[data-testid=trigger]');
        await waitFor('the triggered run', async () => ((await schedule.describe()).info.recentActions.length > 0 ? true : undefined));
        await screenshot(page, 'schedule');
      });
    } finally {
      await schedule.delete();
    }
  });
});
