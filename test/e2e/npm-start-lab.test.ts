import { readFileSync } from 'node:fs';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { exitOf, waitForLine } from '../support/host-process.js';
import { LAB_TRAINING } from '../support/paths.js';
import { spawnNpmStart } from '../support/npm-start.js';
import { apiOf } from '../support/pipeline-stack.js';

// Azurite's well-known development account (not a secret).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

describe('npm start defaults: the lab dataset end to end', () => {
  it('dropping training_set.jsonl reaches succeeded in under two minutes', async () => {
    // Default timings (emulator: 30 s jobs, 5 s deployments; local.settings.sample.json: polls 2-10 s).
    const { child, output } = spawnNpmStart('npm-start-lab-');
    try {
      const [, healthUrl] = await waitForLine(child, /Health check: (\S+)\/api\/health/, 30_000, output);
      const [, blobEndpoint] = /Azurite: blob ([^,\s]+)/.exec(output()) ?? [];
      const datasets = new BlobServiceClient(blobEndpoint!, new StorageSharedKeyCredential(ACCOUNT, KEY)).getContainerClient('datasets');
      await datasets.createIfNotExists();
      const body = readFileSync(LAB_TRAINING);
      const started = Date.now();
      await datasets.getBlockBlobClient('training_set.jsonl').upload(body, body.length);
      const run = await apiOf(healthUrl!).untilRun('training_set', ['succeeded', 'failed', 'rejected', 'cancelled'], 120_000);
      const seconds = (Date.now() - started) / 1000;
      console.log(`npm start lab run: ${run.status} in ${seconds.toFixed(1)} s, ${String(run.orchestration?.customStatus?.['polls'])} job polls`);
      expect(run.status).toBe('succeeded');
      expect(seconds).toBeLessThan(120);
    } finally {
      child.kill('SIGINT');
      await exitOf(child);
    }
  }, 160_000);
});
