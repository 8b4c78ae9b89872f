import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { DEFAULT_PROMOTION } from '../../../src/evaluation/promotion.js';
import { parseRunOptions } from '../../../src/runs/run-options.js';

const config = loadConfig({
  AzureWebJobsStorage: 'UseDevelopmentStorage=true',
  AZURE_OPENAI_ENDPOINT: 'https://contoso.openai.azure.com/',
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
  AZURE_RESOURCE_GROUP: 'rg',
  AZURE_OPENAI_ACCOUNT: 'contoso',
  FT_TRAINING_TYPE: 'developerTier',
});

describe('parseRunOptions', () => {
  it('without an options file: the settings, the dataset key (slug + name hash) as deployment name prefix, the default gate', () => {
    expect(parseRunOptions(undefined, 'Team A/Sarcasm Bot', config)).toEqual({
      ok: true,
      options: { baseModel: 'gpt-4o-mini-2024-07-18', trainingType: 'developerTier', deployment: { name: expect.stringMatching(/^team-a-sarcasm-bot-[0-9a-f]{8}$/), sku: 'Standard', capacity: 1 }, promotion: DEFAULT_PROMOTION },
    });
  });

  it('takes every documented key', () => {
    const text = JSON.stringify({
      baseModel: 'gpt-4.1-mini-2025-04-14',
      suffix: 'clippy_v2',
      seed: 42,
      trainingType: 'GlobalStandard',
      method: { type: 'supervised', hyperparameters: { n_epochs: 3, batch_size: 'auto', learning_rate_multiplier: 0.5 } },
      deployment: { name: 'clippy', sku: 'globalstandard', capacity: 5 },
      promotion: { mode: 'manual', metric: 'contains', minImprovement: 0.1, graders: ['contains', { type: 'model', deployment: 'judge' }], baseDeployment: 'base-4o', keepRejected: true, maxExamples: 20, checkpoints: 1 },
      budget: { maxTrainingCost: 40 },
      lifecycle: { idle: 'tear-down', tearDownAfterDays: 3 },
    });
    expect(parseRunOptions(text, 'x', config)).toEqual({
      ok: true,
      options: {
        baseModel: 'gpt-4.1-mini-2025-04-14',
        suffix: 'clippy_v2',
        seed: 42,
        trainingType: 'GlobalStandard',
        // "auto" is the service's choice: the key is left out, as the API description has numbers only.
        method: { type: 'supervised', hyperparameters: { n_epochs: 3, learning_rate_multiplier: 0.5 } },
        deployment: { name: 'clippy', sku: 'GlobalStandard', capacity: 5 },
        promotion: { mode: 'manual', metric: 'contains', minImprovement: 0.1, graders: [{ type: 'contains' }, { type: 'model', deployment: 'judge' }], baseDeployment: 'base-4o', keepRejected: true, maxExamples: 20, checkpoints: 1 },
        budget: { maxTrainingCost: 40 },
        lifecycle: { idle: 'tear-down', tearDownAfterDays: 3 },
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

  it('maps the deprecated top-level hyperparameters to the supervised method', () => {
    const result = parseRunOptions(JSON.stringify({ hyperparameters: { n_epochs: 2 } }), 'x', config);
    expect(result.ok && result.options.method).toEqual({ type: 'supervised', hyperparameters: { n_epochs: 2 } });
    const both = parseRunOptions(JSON.stringify({ hyperparameters: { n_epochs: 2 }, method: { type: 'supervised' } }), 'x', config);
    expect(both.ok ? [] : both.problems.map((p) => p.field)).toEqual(['hyperparameters']);
  });

  it("checks each method's hyperparameters by type and range, naming the key", () => {
    const dpo = parseRunOptions(JSON.stringify({ baseModel: 'gpt-4.1-mini-2025-04-14', method: { type: 'dpo', hyperparameters: { beta: 0.1, n_epochs: 2 } } }), 'x', config);
    expect(dpo.ok && dpo.options.method).toEqual({ type: 'dpo', hyperparameters: { beta: 0.1, n_epochs: 2 } });
    const grader = { type: 'string_check', name: 'exact', input: '{{item.answer}}', reference: '{{sample.output_text}}', operation: 'eq' };
    const rft = parseRunOptions(
      JSON.stringify({ baseModel: 'o4-mini-2025-04-16', method: { type: 'reinforcement', grader, hyperparameters: { eval_interval: 5, eval_samples: 3, compute_multiplier: 1.5, reasoning_effort: 'low' } } }),
      'x',
      config,
    );
    expect(rft.ok && rft.options.method).toEqual({ type: 'reinforcement', grader, hyperparameters: { eval_interval: 5, eval_samples: 3, compute_multiplier: 1.5, reasoning_effort: 'low' } });
    const bad = parseRunOptions(
      JSON.stringify({ method: { type: 'reinforcement', hyperparameters: { eval_interval: 0.5, reasoning_effort: 'max', beta: 1 } } }),
      'x',
      config,
    );
    const problems = bad.ok ? [] : bad.problems;
    expect(problems.map((p) => p.field).sort()).toEqual(['method.grader', 'method.hyperparameters.beta', 'method.hyperparameters.eval_interval', 'method.hyperparameters.reasoning_effort']);
    expect(problems.find((p) => p.field === 'method.hyperparameters.eval_interval')?.message).toBe('must be "auto" or a whole number from 1 to 1000, got 0.5');
    const unknownType = parseRunOptions(JSON.stringify({ method: { type: 'rlhf' } }), 'x', config);
    expect(unknownType.ok ? '' : unknownType.problems[0]?.message).toBe('must be one of supervised, dpo, reinforcement, got "rlhf"');
    const beta = parseRunOptions(JSON.stringify({ method: { type: 'dpo', hyperparameters: { beta: 0 } } }), 'x', config);
    expect(beta.ok ? '' : beta.problems[0]).toEqual({ field: 'method.hyperparameters.beta', message: 'must be "auto" or a number greater than 0 and at most 2, got 0' });
  });

  it("names Azure's spelling when the options say trainingType 'Developer'", () => {
    const result = parseRunOptions(JSON.stringify({ trainingType: 'Developer' }), 'x', config);
    expect(result.ok ? '' : result.problems[0]?.message).toBe("must be one of Standard, GlobalStandard, developerTier, got \"Developer\" (Azure spells it 'developerTier')");
  });

  it('a reinforcement run takes its grader from <name>.grader.json when method.grader is absent', () => {
    const grader = { type: 'string_check', name: 'exact', input: '{{sample.output_text}}', reference: '{{item.answer}}', operation: 'eq' };
    const text = JSON.stringify({ baseModel: 'o4-mini-2025-04-16', method: { type: 'reinforcement' } });
    const fromFile = parseRunOptions(text, 'x', config, { graderFile: { object: grader } });
    expect(fromFile.ok && fromFile.options.method).toEqual({ type: 'reinforcement', grader });
    // A grader file that is not a JSON object is the validator's to report, not a missing grader.
    expect(parseRunOptions(text, 'x', config, { graderFile: {} }).ok).toBe(true);
    const without = parseRunOptions(text, 'x', config);
    expect(without.ok ? '' : without.problems[0]?.message).toBe('reinforcement fine-tuning needs a grader: <name>.grader.json, or a method.grader object');
  });
});
