import { describe, expect, it } from 'vitest';
import { decodeResultsFile, ResultsFileError } from '../../../src/azure/results-file.js';
import { latestMetrics } from '../../../src/orchestrators/activities/job-status.js';
import { jobCreateParams } from '../../../src/orchestrators/activities/create-job.js';

const CSV = 'step,train_loss,train_mean_token_accuracy\n1,1.5,0.5\n2,1.2,0.6\n';

describe('decodeResultsFile', () => {
  it('accepts results.csv plain (Azure docs) and base64-encoded (OpenAI), with or without a BOM', () => {
    expect(decodeResultsFile(CSV)).toBe(CSV);
    expect(decodeResultsFile(Buffer.from(CSV).toString('base64'))).toBe(CSV);
    expect(decodeResultsFile(`${Buffer.from(`\uFEFF${CSV}`).toString('base64')}\n`)).toBe(CSV);
    expect(decodeResultsFile(`\uFEFF${CSV}`)).toBe(CSV);
  });

  it('names what it got when it is neither', () => {
    expect(() => decodeResultsFile('<html>oops</html>')).toThrow(ResultsFileError);
    expect(() => decodeResultsFile(Buffer.from('not,a,results,file').toString('base64'))).toThrow(/neither CSV starting with 'step,' nor base64/);
  });
});

describe('latestMetrics', () => {
  it('takes the newest metrics event by created_at, whatever order the service lists them in', () => {
    const events = [
      { type: 'message', created_at: 300, data: undefined },
      { type: 'metrics', created_at: 100, data: { step: 1, train_loss: 2 } },
      { type: 'metrics', created_at: 200, data: { step: 5, train_loss: 1 } },
      { type: 'metrics', created_at: 200, data: { step: 4, train_loss: 1.1 } },
    ];
    expect(latestMetrics(events)).toEqual({ step: 5, train_loss: 1 });
    expect(latestMetrics([...events].reverse())).toEqual({ step: 5, train_loss: 1 });
    expect(latestMetrics([])).toBeUndefined();
  });
});

describe('jobCreateParams', () => {
  const deployment = { name: 'd', sku: 'Standard', capacity: 1 };
  it('sends method.<type>.hyperparameters, never the deprecated top-level hyperparameters', () => {
    const params = jobCreateParams({
      trainingFileId: 'file-1',
      options: { baseModel: 'gpt-4.1-mini-2025-04-14', method: { type: 'dpo', hyperparameters: { beta: 0.2 } }, trainingType: 'developerTier', deployment },
    });
    expect(params).toEqual({ model: 'gpt-4.1-mini-2025-04-14', training_file: 'file-1', method: { type: 'dpo', dpo: { hyperparameters: { beta: 0.2 } } }, trainingType: 'developerTier' });
    expect(params).not.toHaveProperty('hyperparameters');
  });

  it('defaults to the supervised method and passes a reinforcement grader through', () => {
    expect(jobCreateParams({ trainingFileId: 'f', options: { baseModel: 'm', deployment } })['method']).toEqual({ type: 'supervised' });
    const grader = { type: 'string_check' };
    expect(jobCreateParams({ trainingFileId: 'f', options: { baseModel: 'm', method: { type: 'reinforcement', grader }, deployment } })['method']).toEqual({
      type: 'reinforcement',
      reinforcement: { grader },
    });
  });
});
