import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { collectingLogger } from '../../support/collecting-logger.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

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
    host = await startHost({ app: repoRoot, port: 0, logger: collectingLogger() });
  });
  afterAll(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  it('registers the app functions and answers GET /api/health', async () => {
    expect(host.functions).toEqual(expect.arrayContaining(['health', 'datasetDropped', 'fineTunePipeline', 'listRuns', 'getRun', 'cancelRun']));
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', name: 'finetune-pipeline' });
  });

  it('answers GET /api/runs with an empty list before any drop', async () => {
    const response = await fetch(`${host.url}/api/runs`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ runs: [] });
  });
});
