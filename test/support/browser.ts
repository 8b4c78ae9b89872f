/**
 * A real headless Chromium for the console tests: Debian's `chromium` package (apt-get; .ci/run
 * installs it), driven by playwright-core through `executablePath` — npm never downloads a browser.
 * Missing browser: the tests skip on a developer's machine with a clear reason, and FAIL in CI
 * (CI=true), where a skipped browser test would hide a broken install step.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from './paths.js';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** Screenshots of every page the tests visit (gitignored): look at them after a run. */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');

export function browserAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Whether to skip browser tests here; throws in CI so a missing browser fails the run. */
export function skipWithoutBrowser(): boolean {
  if (browserAvailable()) return false;
  const message = `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`;
  if (process.env['CI'] === 'true') throw new Error(message);
  console.warn(`skipping browser tests: ${message}`);
  return true;
}

export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  // A fresh profile every time; the flags keep Chromium off the network and light on 2 cores.
  const profile = mkdtempSync(path.join(tmpdir(), 'ftpipe-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
