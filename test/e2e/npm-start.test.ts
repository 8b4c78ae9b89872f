import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitOf, waitForLine } from '../support/host-process.js';
import { spawnNpmStart } from '../support/npm-start.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

describe('npm start (dist/dev/start.js)', () => {
  it('starts Azurite and the host, prints the URLs and next step, and stops cleanly on Ctrl-C', async () => {
    const { child, output, azuriteDir } = spawnNpmStart('npm-start-azurite-');
    const [, healthUrl] = await waitForLine(child, /Health check: (\S+)/, 30_000, output);

    const response = await fetch(healthUrl!);
    expect(response.status).toBe(200);
    expect(output()).toMatch(/Azurite: blob http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1/);
    // The emulator runs and answers with the key npm start hands the app.
    const [, emulatorUrl] = /Azure OpenAI \+ Resource Manager emulator: (\S+)/.exec(output()) ?? [];
    expect(emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const files = await fetch(`${emulatorUrl}/openai/files?api-version=2024-10-21`, { headers: { 'api-key': 'aoai-emulator-key' } });
    expect(files.status).toBe(200);
    expect(await files.json()).toMatchObject({ object: 'list', data: [] });
    expect(output()).toMatch(/drop a chat-format \.jsonl file into the "datasets" container/);
    // Azurite persisted to the folder we gave it (runs survive restarts).
    expect(readdirSync(azuriteDir).length).toBeGreaterThan(0);

    child.kill('SIGINT');
    expect(await exitOf(child)).toBe(0);
    await expect(fetch(healthUrl!)).rejects.toThrow();
    await expect(fetch(emulatorUrl!)).rejects.toThrow();
  });

  it.each([
    // The host's port; the emulator is skipped by pointing at a (never contacted) endpoint.
    ['--port', { AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:9/' }, (port: number) => `npm start: Port ${port} is already in use (is another host running?).`],
    ['--emulator-port', { AZURE_OPENAI_ENDPOINT: '' }, (port: number) => `npm start: Port ${port} for the Azure OpenAI emulator is already in use (choose another with --emulator-port).`],
  ])('reports %s already in use in one line and exits with an error', async (flag, env, message) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const ports: Record<string, string> = { '--port': '0', '--blob-port': '0', '--queue-port': '0', '--table-port': '0', '--emulator-port': '0', [flag]: String(port) };
      const azuriteDir = mkdtempSync(path.join(tmpdir(), 'npm-start-busy-'));
      const run = spawnSync(process.execPath, [path.join(repoRoot, 'dist/dev/start.js'), ...Object.entries(ports).flat(), '--azurite-location', azuriteDir], {
        cwd: repoRoot,
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe(message(port));
    } finally {
      blocker.close();
    }
  });
});
