import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAzurite } from '../../support/azurite.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('the app checks its settings at start-up', () => {
  it('a malformed setting stops the host with one clear line naming it', async () => {
    const azurite = await startAzurite();
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, AzureWebJobsStorage: azurite.connectionString, DATASETS_CONTAINER: 'datasets', TASK_HUB_NAME: 'cfg' };
      // The host fills the rest from local.settings.sample.json, as `func start` would.
      env['AZURE_OPENAI_ENDPOINT'] = 'https://contoso.openai.azure.com/';
      env['POLL_MIN_SECONDS'] = 'soon';
      const run = spawnSync(process.execPath, [path.join(repoRoot, 'dist/dev/host/main.js'), '--app', repoRoot, '--port', '0'], { env, encoding: 'utf8', timeout: 30_000 });
      expect(run.status).not.toBe(0);
      const problems = (run.stdout + run.stderr).split('\n').filter((l) => l.includes('invalid configuration'));
      expect(problems).toHaveLength(1);
      const problem = problems[0];
      expect(problem).toContain("POLL_MIN_SECONDS must be a whole number from 1 to 3600, got 'soon'");
    } finally {
      await azurite.stop();
    }
  });
});
