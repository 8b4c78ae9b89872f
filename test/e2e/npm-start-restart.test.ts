/**
 * The whole local stack is restart-safe: `npm start` is stopped mid-training and once mid-deploy,
 * started again on the same data folder (Azurite's data and the emulator's state beside it), and
 * each run still succeeds with exactly one fine-tuning job and one deployment, and chat answers.
 */
import { readFileSync } from 'node:fs';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src/runs/run-record.js';
import { exitOf, waitForLine } from '../support/host-process.js';
import { LAB_TRAINING } from '../support/paths.js';
import { spawnNpmStart } from '../support/npm-start.js';
import { apiOf } from '../support/pipeline-stack.js';

// Azurite's well-known development account (not a secret).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
/** local.settings.sample.json's account. */
const DEPLOYMENTS = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-finetune-local/providers/Microsoft.CognitiveServices/accounts/aoai-local/deployments';
const ALL: RunStatus[] = ['validating', 'rejected', 'uploading', 'training', 'paused', 'deploying', 'succeeded', 'failed', 'cancelled'];

interface Started {
  stop(): Promise<void>;
  hostUrl: string;
  emulatorUrl: string;
  blobEndpoint: string;
  dir: string;
}

async function start(dir?: string, timings: Record<string, number> = {}): Promise<Started> {
  const { child, output, azuriteDir } = spawnNpmStart('npm-start-restart-', dir);
  const stop = async () => {
    child.kill('SIGINT');
    await exitOf(child);
  };
  try {
    const [, hostUrl] = await waitForLine(child, /Health: +(\S+)\/api\/health/, 30_000, output);
    const [, emulatorUrl] = /Resource Manager emulator: (\S+)/.exec(output()) ?? [];
    const [, blobEndpoint] = /Azurite: blob ([^,\s]+)/.exec(output()) ?? [];
    // Shorter than npm start's 30-second jobs; the emulator's timings are set per start, its state persists.
    await fetch(`${emulatorUrl}/__emulator/config`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jobSeconds: 8, deploySeconds: 2, ...timings }) });
    return { stop, hostUrl: hostUrl!, emulatorUrl: emulatorUrl!, blobEndpoint: blobEndpoint!, dir: azuriteDir };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function drop(stack: Started, name: string): Promise<void> {
  const datasets = new BlobServiceClient(stack.blobEndpoint, new StorageSharedKeyCredential(ACCOUNT, KEY)).getContainerClient('datasets');
  await datasets.createIfNotExists();
  const body = readFileSync(LAB_TRAINING);
  await datasets.getBlockBlobClient(name).upload(body, body.length);
}

async function armJson(stack: Started, path: string): Promise<any> {
  return (await fetch(`${stack.emulatorUrl}${path}?api-version=2025-06-01`, { headers: { authorization: 'Bearer local' } })).json();
}

async function jobsFor(stack: Started, trainingFile: string): Promise<number> {
  const list = (await (await fetch(`${stack.emulatorUrl}/openai/fine_tuning/jobs?api-version=2025-04-01-preview&limit=100`, { headers: { 'api-key': 'aoai-emulator-key' } })).json()) as { data: Array<{ training_file: string }> };
  return list.data.filter((j) => j.training_file === trainingFile).length;
}

async function chatWorks(stack: Started, alias: string): Promise<string> {
  const response = await fetch(`${stack.hostUrl}/api/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: alias, messages: [{ role: 'user', content: 'Who wrote Romeo and Juliet?' }] }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
  return body.choices[0]!.message.content;
}

describe('npm start restarted mid-run', () => {
  it('mid-training and mid-deploy: each run succeeds with one job and one deployment, and chat works after the restart', async () => {
    let stack = await start();
    try {
      // 1. Stopped while the job trains.
      await drop(stack, 'restart-train.jsonl');
      const training = await apiOf(stack.hostUrl).untilRun('restart-train', ['training', 'deploying', 'succeeded', 'failed', 'cancelled'], 60_000);
      expect(training.status).toBe('training');
      await stack.stop();
      stack = await start(stack.dir);
      const first = await apiOf(stack.hostUrl).untilRun('restart-train', ['succeeded', 'failed', 'cancelled'], 90_000);
      expect(first.error).toBeUndefined();
      expect(first.status).toBe('succeeded');
      expect(await jobsFor(stack, first.files!.training!)).toBe(1);

      // 2. Stopped while the deployment provisions.
      await fetch(`${stack.emulatorUrl}/__emulator/config`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ deploySeconds: 15 }) });
      await drop(stack, 'restart-deploy.jsonl');
      const deploying = await apiOf(stack.hostUrl).untilRun('restart-deploy', ['deploying', 'succeeded', 'failed', 'cancelled'], 60_000);
      expect(deploying.status).toBe('deploying');
      await stack.stop();
      stack = await start(stack.dir);
      const second = await apiOf(stack.hostUrl).untilRun('restart-deploy', ['succeeded', 'failed', 'cancelled'], 90_000);
      expect(second.error).toBeUndefined();
      expect(second.status).toBe('succeeded');
      expect(await jobsFor(stack, second.files!.training!)).toBe(1);

      const deployments = (await armJson(stack, DEPLOYMENTS)) as { value: Array<{ name: string; properties: { provisioningState: string; model: { name: string } } }> };
      for (const run of [first, second]) {
        const matching = deployments.value.filter((x) => x.name === run.deployment!.name);
        expect(matching).toHaveLength(1);
        expect(matching[0]!.properties).toMatchObject({ provisioningState: 'Succeeded', model: { name: run.job!.fineTunedModel } });
        expect(await chatWorks(stack, run.dataset)).not.toBe('');
      }
      const runs = (await (await fetch(`${stack.hostUrl}/api/runs`)).json()) as { runs: Array<{ status: RunStatus }> };
      expect(runs.runs.every((r) => ALL.includes(r.status))).toBe(true);
    } finally {
      await stack.stop();
    }
  }, 420_000);
});
