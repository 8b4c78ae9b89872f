import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { parseRunOptions } from '../../../src/runs/run-options.js';

const config = loadConfig({
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com/',
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
  AZURE_RESOURCE_GROUP: 'rg',
  AZURE_OPENAI_ACCOUNT: 'contoso',
  FT_TRAINING_TYPE: 'Developer',
});

describe('parseRunOptions', () => {
  it('without an options file: the settings, and the dataset key (slug + name hash) as deployment name', () => {
    expect(parseRunOptions(undefined, 'Team A/Sarcasm Bot', config)).toEqual({
      ok: true,
      options: { baseModel: 'gpt-4o-mini-2024-07-18', trainingType: 'Developer', deployment: { name: expect.stringMatching(/^team-a-sarcasm-bot-[0-9a-f]{8}$/), sku: 'Standard', capacity: 1 } },
    });
  });

  it('takes every documented key', () => {
    const text = JSON.stringify({
      baseModel: 'gpt-4.1-mini-2025-04-14',
      suffix: 'clippy_v2',
      seed: 42,
      trainingType: 'GlobalStandard',
      hyperparameters: { n_epochs: 3, batch_size: 'auto', learning_rate_multiplier: 0.5 },
      deployment: { name: 'clippy', sku: 'globalstandard', capacity: 5 },
    });
    expect(parseRunOptions(text, 'x', config)).toEqual({
      ok: true,
      options: {
        baseModel: 'gpt-4.1-mini-2025-04-14',
        suffix: 'clippy_v2',
        seed: 42,
        trainingType: 'GlobalStandard',
        hyperparameters: { n_epochs: 3, batch_size: 'auto', learning_rate_multiplier: 0.5 },
        deployment: { name: 'clippy', sku: 'GlobalStandard', capacity: 5 },
      },
    });
  });

  it('names unknown keys at every level, and bad values by key', () => {
    const text = JSON.stringify({ baseModel: 'gpt-5', epochs: 3, hyperparameters: { n_epoch: 3, batch_size: 0 }, deployment: { sku: 'Premium', capacity: 1.5, region: 'x' }, seed: -1, suffix: 'has space' });
    const result = parseRunOptions(text, 'x', config);
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.problems.map((p) => p.field).sort();
    expect(fields).toEqual(['baseModel', 'deployment.capacity', 'deployment.region', 'deployment.sku', 'epochs', 'hyperparameters.batch_size', 'hyperparameters.n_epoch', 'seed', 'suffix'].sort());
    const unknown = result.ok ? undefined : result.problems.find((p) => p.field === 'hyperparameters.n_epoch');
    expect(unknown?.message).toMatch(/unknown key 'hyperparameters.n_epoch'; allowed: n_epochs, batch_size, learning_rate_multiplier/);
  });

  it('rejects a file that is not a JSON object, with the parser message', () => {
    const notJson = parseRunOptions('{ nope', 'x', config);
    expect(notJson.ok ? '' : notJson.problems[0]?.message).toMatch(/^the options file is not valid JSON: /);
    const array = parseRunOptions('[]', 'x', config);
    expect(array.ok ? '' : array.problems[0]?.message).toBe('the options file must hold a JSON object');
  });
});
