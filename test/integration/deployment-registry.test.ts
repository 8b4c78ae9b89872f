import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeployments, recordDeployment, resolveDeployment } from '../../src/runs/deployment-registry.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';

describe('deployment registry on storage', () => {
  let azurite: RunningAzurite;
  let runs: ContainerClient;

  beforeAll(async () => {
    azurite = await startAzurite();
    runs = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('runs');
    await runs.create();
  });
  afterAll(async () => azurite?.stop());

  it('round-trips records and skips (and reports) a corrupt one instead of failing', async () => {
    await recordDeployment(runs, { deploymentName: 'sarcasm', dataset: 'team/sarcasm', model: 'gpt-4o-mini-2024-07-18.ft-1', runId: 'sarcasm-1', updatedAt: '2026-11-21T00:00:00Z' });
    await runs.getBlockBlobClient('deployments/broken.json').upload('{"deploymentName": "bro', 23);
    await runs.getBlockBlobClient('deployments/partial.json').upload('{"deploymentName": "p"}', 23);
    const problems: string[] = [];
    const records = await listDeployments(runs, (blob, problem) => problems.push(`${blob}: ${problem}`));
    expect(records.map((r) => r.deploymentName)).toEqual(['sarcasm']);
    expect(resolveDeployment(records, 'team/sarcasm')?.model).toBe('gpt-4o-mini-2024-07-18.ft-1');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^deployments\/broken\.json: /);
    expect(problems[1]).toBe('deployments/partial.json: missing dataset, model, runId');
  });

  it('a retrained dataset replaces its record (same deployment name, new model)', async () => {
    await recordDeployment(runs, { deploymentName: 'sarcasm', dataset: 'team/sarcasm', model: 'gpt-4o-mini-2024-07-18.ft-2', runId: 'sarcasm-2', updatedAt: '2026-11-22T00:00:00Z' });
    const records = await listDeployments(runs);
    expect(records.filter((r) => r.deploymentName === 'sarcasm').map((r) => r.model)).toEqual(['gpt-4o-mini-2024-07-18.ft-2']);
  });
});
