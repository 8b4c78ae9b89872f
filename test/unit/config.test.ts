import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTINGS } from '../../src/config.js';
import { REPO_ROOT } from '../support/paths.js';

const minimal = {
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com/',
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
  AZURE_RESOURCE_GROUP: 'rg',
  AZURE_OPENAI_ACCOUNT: 'contoso',
};

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      datasetsContainer: 'datasets',
      runsContainer: 'runs',
      eventsQueue: 'finetune-events',
      openai: { endpoint: 'https://contoso.openai.azure.com/', apiVersion: '2025-04-01-preview' },
      arm: { endpoint: 'https://management.azure.com', subscriptionId: minimal.AZURE_SUBSCRIPTION_ID },
      fineTuning: { baseModel: 'gpt-4o-mini-2024-07-18' },
      deployment: { sku: 'Standard', capacity: 1 },
      deleteUploadedFiles: true,
      publicBaseUrl: 'http://localhost:7071',
    });
    expect(config.openai.apiKey).toBeUndefined(); // no key: managed identity
  });

  it('accepts an identity-based storage connection instead of a connection string', () => {
    const { AzureWebJobsStorage: _, ...rest } = minimal;
    const config = loadConfig({
      ...rest,
      AzureWebJobsStorage__blobServiceUri: 'https://st.blob.core.windows.net',
      AzureWebJobsStorage__queueServiceUri: 'https://st.queue.core.windows.net',
      WEBSITE_HOSTNAME: 'func-x.azurewebsites.net',
    });
    expect(config.storage).toEqual({ kind: 'identity', blobServiceUri: 'https://st.blob.core.windows.net', queueServiceUri: 'https://st.queue.core.windows.net' });
    expect(config.publicBaseUrl).toBe('https://func-x.azurewebsites.net');
  });

  it('reports every problem at once, one line each, naming the setting', () => {
    const found = problems({
      AZURE_OPENAI_ENDPOINT: 'not a url',
      FT_BASE_MODEL: 'gpt-9',
      DEPLOYMENT_SKU: 'Premium',
      POLL_MIN_SECONDS: 'ten',
      NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/x',
      DELETE_UPLOADED_FILES: 'maybe',
    });
    const expectations = [
      /^AzureWebJobsStorage is not set/,
      /^AZURE_OPENAI_ENDPOINT must be an http\(s\) URL, got 'not a url'/,
      /^AZURE_SUBSCRIPTION_ID is not set/,
      /^AZURE_RESOURCE_GROUP is not set/,
      /^AZURE_OPENAI_ACCOUNT is not set/,
      /^FT_BASE_MODEL 'gpt-9' is not a fine-tunable model; known: gpt-35-turbo-0613/,
      /^DEPLOYMENT_SKU must be one of Standard, GlobalStandard, DeveloperTier, got 'Premium'/,
      /^POLL_MIN_SECONDS must be a whole number from 1 to 3600, got 'ten'/,
      /^NOTIFY_WEBHOOK_SECRET is required when NOTIFY_WEBHOOK_URL is set/,
      /^DELETE_UPLOADED_FILES must be true or false, got 'maybe'/,
    ];
    for (const pattern of expectations) expect(found.some((p) => pattern.test(p)), `${pattern} in ${found.join(' | ')}`).toBe(true);
    expect(found).toHaveLength(expectations.length);
  });

  it('never puts secret values in its error messages', () => {
    const secret = 'sk-very-secret-value';
    let message = '';
    try {
      loadConfig({ AZURE_OPENAI_API_KEY: secret, NOTIFY_WEBHOOK_SECRET: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('AZURE_OPENAI_ENDPOINT is not set');
    expect(message).not.toContain(secret);
  });

  it('accepts SKU and training type case-insensitively, returning the canonical spelling', () => {
    const config = loadConfig({ ...minimal, DEPLOYMENT_SKU: 'globalstandard', FT_TRAINING_TYPE: 'DEVELOPERTIER' });
    expect(config.deployment.sku).toBe('GlobalStandard');
    expect(config.fineTuning.trainingType).toBe('developerTier');
  });

  it("rejects the training type 'Developer', which Azure does not know (it documents developerTier)", () => {
    expect(() => loadConfig({ ...minimal, FT_TRAINING_TYPE: 'Developer' })).toThrow(/FT_TRAINING_TYPE must be one of Standard, GlobalStandard, developerTier, got 'Developer'/);
  });

  it('stops start-up with one line for an api-version Azure does not serve', () => {
    let message = '';
    try {
      loadConfig({ ...minimal, AZURE_OPENAI_API_VERSION: '2099-01-01' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/AZURE_OPENAI_API_VERSION '2099-01-01' is not an Azure OpenAI API version; use one of .*2025-04-01-preview/);
    expect(message.split('\n').filter((l) => l.includes('AZURE_OPENAI_API_VERSION'))).toHaveLength(1);
    expect(loadConfig({ ...minimal, AZURE_OPENAI_API_VERSION: '2024-10-21' }).openai.apiVersion).toBe('2024-10-21');
  });
});

describe('local.settings.sample.json', () => {
  const sample = JSON.parse(readFileSync(path.join(REPO_ROOT, 'local.settings.sample.json'), 'utf8')) as {
    Values: Record<string, string>;
    _docs: Record<string, string>;
  };

  it('documents every setting the code declares, and nothing else', () => {
    const declared = SETTINGS.map((s) => s.name).sort();
    expect(Object.keys(sample._docs).filter((k) => k !== '').sort()).toEqual(declared);
    // Identity-based storage settings only make sense in Azure; everything else has a local value.
    expect(Object.keys(sample.Values).sort()).toEqual(declared.filter((n) => !n.startsWith('AzureWebJobsStorage__')));
  });

  it('commits no secret values', () => {
    for (const s of SETTINGS.filter((s) => s.secret)) expect(sample.Values[s.name]).toBe('');
  });

  it('is a valid configuration once npm start fills in the emulator endpoints', () => {
    const config = loadConfig({ ...sample.Values, AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:7072', ARM_ENDPOINT: 'http://127.0.0.1:7072' });
    expect(config.storage.kind).toBe('connectionString');
  });
});

describe('README', () => {
  it('documents every setting', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const missing = SETTINGS.filter((s) => !readme.includes(`\`${s.name}\``)).map((s) => s.name);
    expect(missing).toEqual([]);
  });
});
