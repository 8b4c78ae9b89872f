import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { collectingLogger } from '../../support/collecting-logger.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const MASTER = 'real-app-master';
const KEY = 'real-app-key';
const withKey = { 'x-functions-key': KEY };

/** The app's settings for a host that never calls Azure OpenAI (nothing listens on port 9). */
const settings = (connectionString: string): Record<string, string> => ({
  AzureWebJobsStorage: connectionString,
  TASK_HUB_NAME: 'realapp',
  DATASETS_CONTAINER: 'datasets',
  AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:9',
  ARM_ENDPOINT: 'http://127.0.0.1:9',
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
  AZURE_RESOURCE_GROUP: 'rg',
  AZURE_OPENAI_ACCOUNT: 'aoai',
});

describe('dev/host loads the real app', () => {
  let azurite: RunningAzurite;
  let host: RunningHost;

  beforeAll(async () => {
    azurite = await startAzurite();
    Object.assign(process.env, settings(azurite.connectionString));
    // The project directory: the host loads every file package.json `main` matches (built by pretest).
    // Keys configured, as in Azure: `function`-level routes need one.
    host = await startHost({ app: repoRoot, port: 0, logger: collectingLogger(), keys: { master: MASTER, function: [KEY] } });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('registers the app functions and answers GET /api/health', async () => {
    expect(host.functions).toEqual(expect.arrayContaining(['health', 'datasetDropped', 'intakeSweep', 'fineTunePipeline', 'listRuns', 'getRun', 'cancelRun']));
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', name: 'finetune-pipeline' });
  });

  it('answers GET /api/runs with an empty list before any drop', async () => {
    const response = await fetch(`${host.url}/api/runs`, { headers: withKey });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ runs: [] });
  });

  it('keeps the run API behind a function key by default (RUNS_API_ANONYMOUS unset)', async () => {
    expect((await fetch(`${host.url}/api/runs`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/runs/some-run-0123456789`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/runs/some-run-0123456789`, { headers: withKey })).status).toBe(404);
  });

  it.each([
    ['/api/runs/Not_A_Run', 'invalid_run_id'],
    ['/api/runs/%E2%80%AE..', 'invalid_run_id'],
    ['/api/runs?limit=0', 'invalid_limit'],
    ['/api/runs?limit=abc', 'invalid_limit'],
    ['/api/runs?continuationToken=not-a-real-token', 'invalid_continuation_token'],
  ])('GET %s is a 400 %s, not a 404 or 500', async (route, code) => {
    const response = await fetch(`${host.url}${route}`, { headers: withKey });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code } });
  });
});
