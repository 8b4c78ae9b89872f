import { describe, expect, it } from 'vitest';
import { classifyDrop, computeRunId, defaultDeploymentName, slugify } from '../../src/runs/run-id.js';
import { resolveDeployment, type DeploymentRecord } from '../../src/runs/deployment-registry.js';

describe('drop-zone names', () => {
  it.each([
    ['sarcasm.jsonl', 'training', 'sarcasm'],
    ['team/a/sarcasm.jsonl', 'training', 'team/a/sarcasm'],
    ['sarcasm.validation.jsonl', 'validation', 'sarcasm'],
    ['sarcasm.json', 'options', 'sarcasm'],
    ['math.grader.json', 'grader', 'math'],
    ['notes.txt', 'other', 'notes.txt'],
  ])('%s is a %s file of dataset %s', (blob, kind, dataset) => {
    expect(classifyDrop(blob)).toEqual({ kind, dataset });
  });
});

describe('run ids', () => {
  const contents = { training: 'a'.repeat(64), validation: 'b'.repeat(64), options: 'c'.repeat(64) };

  it('are a slug of the name plus a short hash, the same for the same bytes', () => {
    const id = computeRunId('Team/Sarcasm Bot v2', contents);
    expect(id).toMatch(/^team-sarcasm-bot-v2-[0-9a-f]{10}$/);
    expect(computeRunId('Team/Sarcasm Bot v2', { ...contents })).toBe(id);
  });

  it('change when any of the three files changes, or when one is added or removed', () => {
    const base = computeRunId('x', contents);
    const variants = [
      computeRunId('x', { ...contents, training: 'd'.repeat(64) }),
      computeRunId('x', { ...contents, validation: 'd'.repeat(64) }),
      computeRunId('x', { ...contents, options: 'd'.repeat(64) }),
      computeRunId('x', { training: contents.training }),
      computeRunId('x', { ...contents, grader: 'e'.repeat(64) }),
    ];
    expect(new Set([base, ...variants]).size).toBe(6);
  });

  it('slugs are never empty and are bounded', () => {
    expect(slugify('///')).toBe('dataset');
    expect(slugify('Café Ünïcode')).toBe('cafe-unicode');
    expect(slugify('x'.repeat(100)).length).toBe(40);
    expect(defaultDeploymentName('Team/Sarcasm')).toBe('team-sarcasm');
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
