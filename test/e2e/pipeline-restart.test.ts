import { readFileSync } from 'node:fs';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../dev/aoai-emulator/index.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';
import { startHostProcess, type HostProcess } from '../support/host-process.js';
import { LAB_TRAINING } from '../support/paths.js';
import { apiOf, FAST_EMULATOR, pipelineClients, pipelineSettings, REPO_ROOT } from '../support/pipeline-stack.js';

describe('the pipeline survives a host restart mid-training', () => {
  let azurite: RunningAzurite;
  let emulator: RunningEmulator;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    azurite = await startAzurite();
    emulator = await startEmulator({ ...FAST_EMULATOR, jobSeconds: 6, port: 0, log: () => undefined });
  });
  afterAll(async () => {
    await host?.stop();
    await emulator?.close();
    await azurite?.stop();
  });

  it('a new host process with the same storage completes the run with one job', async () => {
    const env = pipelineSettings(azurite, emulator);
    host = await startHostProcess(REPO_ROOT, env);
    const { datasets, openai } = pipelineClients(azurite, emulator);
    await datasets.createIfNotExists();
    const body = readFileSync(LAB_TRAINING);
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('datasets').getBlockBlobClient('restart.jsonl').upload(body, body.length);

    const training = await apiOf(host.url).untilRun('restart', ['training', 'succeeded', 'failed', 'rejected']);
    expect(training.status).toBe('training');
    expect(await host.stop()).toBe(0);

    host = await startHostProcess(REPO_ROOT, env);
    const run = await apiOf(host.url).untilRun('restart', ['succeeded', 'failed', 'cancelled']);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');
    expect(run.job?.id).toBe(training.job?.id);
    const jobs = [];
    for await (const job of openai.fineTuning.jobs.list()) jobs.push(job);
    expect(jobs).toHaveLength(1);
  }, 60_000);
});
