import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_NAME_PATTERN } from '../../src/azure/arm-names.js';
import { computeRunId, datasetKey, defaultDeploymentName, legacyRunId, slugify } from '../../src/runs/run-id.js';
import { resolveDeployment, type DeploymentRecord } from '../../src/runs/deployment-registry.js';

describe('run ids', () => {
  const contents = { training: 'a'.repeat(64), validation: 'b'.repeat(64), options: 'c'.repeat(64) };

  it('are a slug of the name, a hash of the exact name and a hash of the contents; the same for the same bytes', () => {
    const id = computeRunId('Team/Sarcasm Bot v2', contents);
    expect(id).toMatch(/^team-sarcasm-bot-v2-[0-9a-f]{8}-[0-9a-f]{10}$/);
    expect(computeRunId('Team/Sarcasm Bot v2', { ...contents })).toBe(id);
    expect(id.startsWith(`${datasetKey('Team/Sarcasm Bot v2')}-`)).toBe(true);
  });

  it('change when any of the three files changes, or when one is added or removed', () => {
    const base = computeRunId('x', contents);
    const variants = [
      computeRunId('x', { ...contents, training: 'd'.repeat(64) }),
      computeRunId('x', { ...contents, validation: 'd'.repeat(64) }),
      computeRunId('x', { ...contents, options: 'd'.repeat(64) }),
      computeRunId('x', { training: contents.training }),
    ];
    expect(new Set([base, ...variants]).size).toBe(5);
  });

  // Each group collided before (same slug): one dataset's model silently replaced another's.
  const lookalikes = [
    ['Sales', 'sales', 'SALES'],
    ['team/sarcasm', 'team-sarcasm', 'Team Sarcasm', 'team_sarcasm'],
    ['продажи', '売上', 'ventes', '---'],
  ];

  it.each(lookalikes)('different datasets never share a run id or a deployment name, even ignoring case (%s, ...)', (...names) => {
    const runIds = names.map((n) => computeRunId(n, contents).toLowerCase());
    const deployments = names.map((n) => defaultDeploymentName(n).toLowerCase());
    expect(new Set(runIds).size).toBe(names.length);
    expect(new Set(deployments).size).toBe(names.length);
  });

  it('a different dataset with the same bytes gets its own run', () => {
    expect(computeRunId('sales', contents)).not.toBe(computeRunId('Sales', contents));
  });

  it('keeps the readable name: non-Latin names fall back to "dataset" but stay distinct by their hash', () => {
    expect(datasetKey('Sales')).toMatch(/^sales-[0-9a-f]{8}$/);
    expect(datasetKey('売上')).toMatch(/^dataset-[0-9a-f]{8}$/);
    expect(slugify('Café Ünïcode')).toBe('cafe-unicode');
  });

  it.each(['a', 'Z', '7', '売', '.', 'x'.repeat(1000), 'a/b/c/d', '-_-'])('the default deployment name of %j satisfies ARM\'s name rule', (name) => {
    const deployment = defaultDeploymentName(name);
    expect(deployment).toMatch(DEPLOYMENT_NAME_PATTERN);
    expect(deployment.length).toBeLessThanOrEqual(64);
  });

  it('the legacy id is the old <slug>-<10 hex> form of the same contents', () => {
    const id = computeRunId('lab/sarcasm', contents);
    expect(legacyRunId('lab/sarcasm', contents)).toBe(`lab-sarcasm-${id.slice(-10)}`);
  });
});

describe('deployment registry resolution', () => {
  const records: DeploymentRecord[] = [
    { deploymentName: 'sarcasm', dataset: 'team/sarcasm', model: 'm1', runId: 'r1', updatedAt: '' },
    { deploymentName: 'custom-name', dataset: 'other', model: 'm2', runId: 'r2', updatedAt: '' },
  ];
  it('finds by deployment name first, then by dataset alias', () => {
    expect(resolveDeployment(records, 'sarcasm')?.model).toBe('m1');
    expect(resolveDeployment(records, 'team/sarcasm')?.model).toBe('m1');
    expect(resolveDeployment(records, 'other')?.deploymentName).toBe('custom-name');
    expect(resolveDeployment(records, 'nope')).toBeUndefined();
  });
});
