/**
 * No lost drops, end to end: with the blob trigger getting no events at all (dev/host with
 * `eventGrid: false` (no local Event Grid subscription), as in Azure before the postdeploy hook subscribed Event
 * Grid, or after an event was dead-lettered), files in the drop zone still get their runs — from
 * the reconciliation timer, through the same intake — and only once each.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../dev/aoai-emulator/index.js';
import { startHost, type RunningHost } from '../../dev/host/index.js';
import type { RunRecord } from '../../src/runs/run-record.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';
import { collectingLogger } from '../support/collecting-logger.js';
import { LAB_TRAINING } from '../support/paths.js';
import { apiOf, FAST_EMULATOR, pipelineClients, pipelineSettings, REPO_ROOT, type PipelineClients } from '../support/pipeline-stack.js';
import { waitFor } from '../support/wait.js';

describe('the reconciliation timer', () => {
  let azurite: RunningAzurite;
  let emulator: RunningEmulator;
  let host: RunningHost | undefined;
  let clients: PipelineClients;
  const logger = collectingLogger();
  const training = readFileSync(LAB_TRAINING);
  const upload = (name: string) => clients.datasets.getBlockBlobClient(name).upload(training, training.length);
  const runsOf = async (dataset: string): Promise<RunRecord[]> => {
    const response = await fetch(`${host?.url}/api/runs?dataset=${encodeURIComponent(dataset)}`);
    return ((await response.json()) as { runs: RunRecord[] }).runs;
  };
  const reconciled = (blob: string) => logger.lines.filter((line) => line.includes(`Reconciled ${blob} `));

  beforeAll(async () => {
    azurite = await startAzurite();
    emulator = await startEmulator({ ...FAST_EMULATOR, port: 0, log: () => undefined });
    clients = pipelineClients(azurite, emulator);
    await clients.datasets.createIfNotExists();
    // Uploaded while nothing is running: no event will ever arrive for it.
    await upload('before-deploy.jsonl');
    Object.assign(process.env, pipelineSettings(azurite, emulator, { RECONCILE_SCHEDULE: '*/1 * * * * *', RECONCILE_AFTER_SECONDS: '0' }));
    host = await startHost({ app: REPO_ROOT, port: 0, logger, eventGrid: false });
  });
  afterAll(async () => {
    await host?.stop();
    await emulator?.close();
    await azurite?.stop();
  });

  it('runs a file written while the trigger got no events, once', async () => {
    const api = apiOf(host?.url ?? '');
    const run = await api.untilRun('before-deploy', ['succeeded', 'failed', 'rejected', 'cancelled'], 45_000);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');
    expect(reconciled('before-deploy.jsonl')).toEqual([expect.stringContaining(`(no run): started ${run.runId}`)]);

    // Later ticks find the run and leave the file alone: one run, one fine-tuning job.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await runsOf('before-deploy')).map((r) => r.runId)).toEqual([run.runId]);
    expect(reconciled('before-deploy.jsonl')).toHaveLength(1);
    const jobs = [];
    for await (const job of clients.openai.fineTuning.jobs.list()) jobs.push(job);
    expect(jobs).toHaveLength(1);
  }, 60_000);

  it('hands a same-bytes re-upload to intake once, which makes no second run', async () => {
    await upload('before-deploy.jsonl'); // new ETag and time, same bytes: same run id
    await waitFor(async () => (reconciled('before-deploy.jsonl').length === 2 ? true : undefined), 'the re-upload to be reconciled', 10_000, 100);
    expect(reconciled('before-deploy.jsonl')[1]).toContain('(changed since last run): duplicate');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(reconciled('before-deploy.jsonl')).toHaveLength(2);
    expect(await runsOf('before-deploy')).toHaveLength(1);
  }, 30_000);
});
