import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { exitOf, waitForLine } from '../support/host-process.js';
import { spawnNpmStart } from '../support/npm-start.js';
import { tempDir } from '../support/temp-dir.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

describe('npm start (dist/dev/start.js)', () => {
  it('starts Azurite and the host, prints the URLs and next step, and stops cleanly on Ctrl-C', async () => {
    const { child, output, azuriteDir } = spawnNpmStart('npm-start-azurite-');
    const [, healthUrl] = await waitForLine(child, /Health: +(\S+)/, 30_000, output);

    const response = await fetch(healthUrl!);
    expect(response.status).toBe(200);
    expect(output()).toMatch(/Azurite: blob http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1/);
    // The emulator runs and answers with the key npm start hands the app.
    const [, emulatorUrl] = /Azure OpenAI \+ Resource Manager emulator: (\S+)/.exec(output()) ?? [];
    expect(emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const files = await fetch(`${emulatorUrl}/openai/files?api-version=2024-10-21`, { headers: { 'api-key': 'aoai-emulator-key' } });
    expect(files.status).toBe(200);
    expect(await files.json()).toMatchObject({ object: 'list', data: [] });
    // The console is served, and the CLI commands to start a run are printed.
    const [, consoleUrl] = /Console: +(\S+)/.exec(output()) ?? [];
    const page = await fetch(consoleUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect(output()).toMatch(/npm run --silent ftpipe -- drop \.\/my-data\.jsonl --watch --app http:\/\/127\.0\.0\.1:\d+/);
    // A full connection string (not UseDevelopmentStorage=true, which Debian's az rejects) that
    // reaches the containers and the queue npm start created.
    const [, connectionString] = /export AZURE_STORAGE_CONNECTION_STRING="([^"]+)"/.exec(output()) ?? [];
    expect(connectionString).toMatch(/^DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=[^;]+;BlobEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;QueueEndpoint=/);
    const blobs = BlobServiceClient.fromConnectionString(connectionString!);
    expect(await blobs.getContainerClient('datasets').exists()).toBe(true);
    expect(await blobs.getContainerClient('runs').exists()).toBe(true);
    expect(await QueueServiceClient.fromConnectionString(connectionString!).getQueueClient('finetune-events').exists()).toBe(true);
    expect(output()).toContain('az storage blob upload --container-name datasets --name my-data.jsonl --file ./my-data.jsonl');
    // Quiet by default: no per-execution host lines.
    expect(output()).not.toMatch(/Executing '|Executed '/);
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
      const azuriteDir = tempDir('npm-start-busy-');
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
