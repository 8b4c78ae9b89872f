/**
 * The web console in a real headless Chromium against the whole local stack (Azurite, emulator,
 * dev/host serving the built app and console). Screenshots of every page land in
 * test-artifacts/screenshots (gitignored) to be looked at.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, skipWithoutBrowser } from '../support/browser.js';
import { LAB_TRAINING, LAB_VALIDATION } from '../support/paths.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';
import { validLines } from '../support/validate-text.js';
import { waitFor } from '../support/wait.js';
import type { AliasListing, AliasView } from '../../src/aliases/alias-view.js';
import { tempDir } from '../support/temp-dir.js';

// The few browser globals the page callbacks below use (the test program has no DOM library).
declare const document: { querySelector(selector: string): { textContent: string | null } | null; documentElement: { scrollWidth: number } };
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

const dir = tempDir('ftpipe-console-');
function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Whether a canvas has any painted pixel: uPlot really drew, not just created the element. */
async function canvasPainted(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (canvas) => {
    const c = canvas as unknown as CanvasLike;
    const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    if (!data || c.width === 0) return false;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
    return false;
  });
}

const skip = skipWithoutBrowser();

describe.skipIf(skip)('the web console in headless Chromium', () => {
  let stack: PipelineStack;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let consoleUrl: string;
  const pageErrors: string[] = [];
  /** The console-lab run the first test uploads (promoted: the alias had no champion). */
  let labRunId = '';

  beforeAll(async () => {
    // 8 s jobs: long enough to watch the chart grow and to cancel mid-training.
    stack = await startPipelineStack({ emulator: { jobSeconds: 8 } });
    browser = await launchBrowser();
    context = browser.context;
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    consoleUrl = `${stack.host.url}/api/console/`;
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('uploads a dataset from the form and shows the run live until succeeded, with the metrics chart drawn', async () => {
    await page.goto(`${consoleUrl}#/drop`);
    await page.setInputFiles('#file-training', LAB_TRAINING);
    expect(await page.inputValue('#dataset-name')).toBe('training_set');
    await page.fill('#dataset-name', 'console-lab');
    await page.setInputFiles('#file-validation', LAB_VALIDATION);
    await screenshot(page, 'drop-form');
    await page.click('button[type="submit"]');
    await page.waitForURL(/#\/runs\/console-lab-[0-9a-f-]+$/, { timeout: 20_000 });
    labRunId = decodeURIComponent(/#\/runs\/(.+)$/.exec(page.url())![1]!);

    // While the job is still going, the chart already has points (it updates from the job's events).
    await page.waitForSelector('article.run:not([data-status="succeeded"]) figure[data-chart="loss"]:not([data-points="0"])', { timeout: 30_000 });
    await screenshot(page, 'run-training');
    await page.waitForSelector('article.run[data-status="succeeded"]', { timeout: 40_000 });
    // After the job, results.csv has every step: loss (train + validation) and token accuracy.
    await page.waitForSelector('figure[data-chart="loss"][data-points="100"]', { timeout: 10_000 });
    expect(await page.$$eval('figure[data-chart="loss"] .u-legend .u-label', (labels) => labels.map((l) => l.textContent?.trim()))).toEqual(
      expect.arrayContaining(['train loss', 'valid loss']),
    );
    expect(await page.$('figure[data-chart="accuracy"]')).not.toBeNull();
    expect(await canvasPainted(page, 'figure[data-chart="loss"] canvas')).toBe(true);
    const text = await page.textContent('article.run');
    expect(text).toContain('validating');
    expect(text).toContain('Estimated billed tokens');
    // The training cost from the settings' price table (gpt-4o-mini is in the built-in table).
    expect(text).toMatch(/Estimated cost\s*\d+\.\d\d USD/);
    expect(text).toContain('run.succeeded');
    expect(await page.textContent('section[aria-labelledby="deployment-title"]')).toContain('console-lab');
    expect(await page.$$eval('table.checkpoints tbody tr', (rows) => rows.length)).toBeGreaterThan(0);
    await screenshot(page, 'run-succeeded');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'run-succeeded-phone');
    // Nothing is wider than a phone screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1200, height: 900 });

    await page.goto(consoleUrl);
    await page.waitForSelector('tr[data-run-id^="console-lab-"]');
    await page.fill('input[name="dataset"]', 'no-such-dataset');
    await page.waitForSelector('text=No run matches these filters.');
    await page.fill('input[name="dataset"]', 'console-lab');
    await page.selectOption('select[name="status"]', 'succeeded');
    expect(await page.$$eval('tbody tr', (rows) => rows.length)).toBe(1);
    await screenshot(page, 'runs');
  }, 90_000);

  it("shows a rejected run's findings with line, code and field, and opens the offending example", async () => {
    const lines = validLines(10);
    lines[2] = '{"messages": [{"role": "bot", "content": "hi"}, {"role": "assistant", "content": "x"}]}';
    await stack.drop('console-bad.jsonl', lines.join('\n'));
    const run = await stack.untilRun('console-bad', ['rejected']);
    await page.goto(`${consoleUrl}#/?dataset=console-bad`);
    await page.click(`a[href="#/runs/${run.runId}"]`);
    await page.waitForSelector('article.run[data-status="rejected"] tr.finding[data-code="unrecognized_role"]');
    const row = page.locator('tr.finding[data-code="unrecognized_role"]');
    expect(await row.locator('td[data-label="Line"]').textContent()).toBe('line 3');
    expect(await row.locator('td[data-label="Field"]').textContent()).toBe('messages[0].role');
    await row.locator('button', { hasText: 'line 3' }).click();
    const example = page.locator('pre[aria-label="example on line 3"]');
    await example.filter({ hasText: '"role": "bot"' }).waitFor();
    expect(await page.$('button:has-text("Retry")')).toBeNull();
    await screenshot(page, 'run-rejected');
  }, 30_000);

  it('checks the options file in the browser and will not upload a bad one', async () => {
    await page.goto(`${consoleUrl}#/drop`);
    await page.setInputFiles('#file-training', LAB_TRAINING);
    await page.setInputFiles('#file-options', file('opts.json', JSON.stringify({ hyperparameters: { n_epoch: 3 }, baseModel: 'gpt-4o-mini' })));
    const alert = page.locator('.options-problems');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('hyperparameters.n_epoch');
    expect(await page.isDisabled('button[type="submit"]')).toBe(true);
    await screenshot(page, 'drop-bad-options');
    await page.setInputFiles('#file-options', file('good.json', JSON.stringify({ hyperparameters: { n_epochs: 3 } })));
    await alert.waitFor({ state: 'detached' });
    expect(await page.isDisabled('button[type="submit"]')).toBe(false);
  });

  it('chats with the new alias in the playground, streaming the same answer the API gives', async () => {
    await page.goto(`${consoleUrl}#/chat?model=console-lab`);
    await page.waitForSelector('select[name="model"] option[value="console-lab"]', { state: 'attached' });
    await page.fill('#chat-input', 'Who discovered Antarctica?');
    await page.click('button:has-text("Send")');
    // Streaming is over when the Stop button is back to Send and the answer has text.
    await page.waitForFunction(
      () => document.querySelector('.composer button')?.textContent?.trim() === 'Send' && (document.querySelector('.message.assistant p')?.textContent ?? '').length > 1,
      undefined,
      { timeout: 20_000 },
    );
    const answer = (await page.locator('.message.assistant p').last().textContent())?.trim();
    const openai = new OpenAI({ baseURL: `${stack.host.url}/api/v1`, apiKey: 'unused', maxRetries: 0 });
    const expected = await openai.chat.completions.create({ model: 'console-lab', messages: [{ role: 'user', content: 'Who discovered Antarctica?' }] });
    expect(answer).toBeTruthy();
    expect(answer).toBe(expected.choices[0]?.message.content?.trim());
    await screenshot(page, 'playground');
  }, 30_000);

  it('lists the alias on the Aliases page; promotes a manual-mode run and rolls back from it, as the API confirms', async () => {
    expect(labRunId).not.toBe('');
    const alias = async (): Promise<AliasView> => ((await (await fetch(`${stack.host.url}/api/aliases`)).json()) as AliasListing).aliases.find((a) => a.alias === 'console-lab')!;
    // A second console-lab run in manual mode: it keeps its deployment and waits for a person.
    await stack.drop('console-lab.json', JSON.stringify({ promotion: { mode: 'manual' } }));
    await stack.drop('console-lab.jsonl', [...readFileSync(LAB_TRAINING, 'utf8').trim().split('\n'), readFileSync(LAB_TRAINING, 'utf8').split('\n')[4]].join('\n'));
    const second = await waitFor(async () => {
      const { runs } = (await (await fetch(`${stack.host.url}/api/runs?dataset=console-lab`)).json()) as { runs: Array<{ runId: string; status: string }> };
      return runs.find((r) => r.runId !== labRunId && r.status === 'succeeded')?.runId;
    }, 'the manual-mode console-lab run to succeed', 60_000, 500);
    expect((await alias()).current.runId).toBe(labRunId);

    await page.goto(consoleUrl);
    await page.click('nav a:has-text("Aliases")');
    const card = page.locator('article.alias[data-alias="console-lab"]');
    await card.waitFor();
    expect(await card.getAttribute('data-current-run')).toBe(labRunId);
    const text = await card.textContent();
    expect(text).toContain((await alias()).current.deployment);
    expect(text).toContain('nothing to roll back to');
    expect(await card.locator('button:has-text("Roll back")').isDisabled()).toBe(true);
    expect(await card.locator(`a[href="#/runs/${labRunId}"]`).count()).toBeGreaterThan(0);

    // Promote: the select offers the run that kept its deployment.
    await card.locator('select[name="run"]').selectOption(second);
    await card.locator('button:has-text("Promote")').click();
    await page.waitForSelector(`article.alias[data-alias="console-lab"][data-current-run="${second}"]`, { timeout: 10_000 });
    expect((await alias()).current.runId).toBe(second);
    expect(await card.locator('[role="status"]').textContent()).toContain(`now serves ${(await alias()).current.deployment} (run ${second})`);

    // Roll back: the alias serves the first run again; the second stays as the previous.
    await card.locator('button:has-text("Roll back")').click();
    await page.waitForSelector(`article.alias[data-alias="console-lab"][data-current-run="${labRunId}"]`, { timeout: 10_000 });
    const back = await alias();
    expect(back.current.runId).toBe(labRunId);
    expect(back.previous?.runId).toBe(second);
    await card.locator('summary:has-text("History")').click();
    expect(await card.locator('.alias-history li').count()).toBe(3);
    await screenshot(page, 'aliases');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'aliases-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1200, height: 900 });

    // The run page: the rollback is recorded among its notifications, and the alias says it serves it.
    await page.goto(`${consoleUrl}#/runs/${labRunId}`);
    await page.waitForSelector('ul.notifications li:has-text("alias.rolled_back")', { timeout: 10_000 });
    await page.waitForSelector('p[data-alias-role="current"]');
    expect(await page.textContent('ol.alias-history')).toContain('rolled back to this run');
    await screenshot(page, 'run-rolled-back');
  }, 90_000);

  it('cancels a training run from its page and retries it to success as attempt 2', async () => {
    const lines = readFileSync(LAB_TRAINING, 'utf8').trim().split('\n');
    await stack.drop('console-cancel.jsonl', [...lines, lines[0]].join('\n'));
    const run = await stack.untilRun('console-cancel', ['training'], 20_000);
    await page.goto(`${consoleUrl}#/runs/${run.runId}`);
    await page.click('button:has-text("Cancel")');
    await page.waitForSelector('article.run[data-status="cancelled"]', { timeout: 20_000 });
    await screenshot(page, 'run-cancelled');
    await page.click('button:has-text("Retry")');
    await page.waitForSelector('text=attempt 2', { timeout: 10_000 });
    await page.waitForSelector('article.run[data-status="succeeded"]', { timeout: 40_000 });
    expect(await page.textContent('details:has(summary:has-text("Earlier attempts"))')).toContain('cancelled');
    // The final notification is recorded just after the final status; the page still picks it up.
    await page.waitForSelector('ul.notifications li:has-text("run.succeeded")', { timeout: 10_000 });
    await screenshot(page, 'run-retried');
    const events = (await stack.queued(run.runId)).map((e) => e.id);
    expect(events).toEqual(expect.arrayContaining([`${run.runId}:run.cancelled`, `${run.runId}:2:run.succeeded`]));
  }, 90_000);

  it('raised no script errors on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
