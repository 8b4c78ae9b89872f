import { describe, expect, it } from 'vitest';
import { deploymentTakenBy, isLateCompanion, orphanCompanions, planRun, settleDelayMs, START_GRACE_MS } from '../../../src/intake/plan.js';
import type { RunRecord } from '../../../src/runs/run-record.js';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();

function run(status: RunRecord['status'], updatedAt = ago(60 * 60_000), etag = '"t1"'): RunRecord {
  return {
    runId: 'd-12345678-0123456789',
    dataset: 'd',
    status,
    createdAt: updatedAt,
    updatedAt,
    phases: {},
    inputs: { training: { blob: 'd.jsonl', snapshot: 'x', bytes: 1, sha256: 's', etag } },
    artifacts: [],
  };
}

describe('planRun', () => {
  it('creates a run that does not exist', () => {
    expect(planRun(undefined, '"t1"', NOW)).toEqual({ action: 'create' });
  });

  it('a redelivered event of a running or finished run is a quiet duplicate; a re-upload of the same bytes is reported', () => {
    for (const status of ['training', 'succeeded', 'failed'] as const) {
      expect(planRun({ run: run(status), etag: 'e', orchestrationExists: true }, '"t1"', NOW)).toMatchObject({ action: 'duplicate', reupload: false });
      expect(planRun({ run: run(status), etag: 'e', orchestrationExists: true }, '"t2"', NOW)).toMatchObject({ action: 'duplicate', reupload: true });
    }
  });

  it('a rejected run is validated again only for a new upload', () => {
    expect(planRun({ run: run('rejected'), etag: 'e', orchestrationExists: false }, '"t1"', NOW)).toMatchObject({ action: 'duplicate', reupload: false });
    expect(planRun({ run: run('rejected'), etag: 'e', orchestrationExists: false }, '"t2"', NOW)).toEqual({ action: 'replace', etag: 'e', why: expect.any(String), createdAt: ago(60 * 60_000) });
  });

  it('a start in progress is left alone; one that never reached the orchestration is recovered', () => {
    expect(planRun({ run: run('validating', ago(1000)), etag: 'e', orchestrationExists: false }, '"t1"', NOW)).toMatchObject({ action: 'duplicate' });
    expect(planRun({ run: run('validating', ago(START_GRACE_MS + 1)), etag: 'e', orchestrationExists: false }, '"t1"', NOW)).toMatchObject({ action: 'replace', etag: 'e' });
    expect(planRun({ run: run('validating', ago(START_GRACE_MS + 1)), etag: 'e', orchestrationExists: true }, '"t1"', NOW)).toMatchObject({ action: 'duplicate' });
  });
});

describe('settleDelayMs', () => {
  it('waits out the rest of the settle window after the upload, never more', () => {
    expect(settleDelayMs(new Date(NOW.getTime() - 2000), NOW, 5)).toBe(3000);
    expect(settleDelayMs(new Date(NOW.getTime() - 60_000), NOW, 5)).toBe(0);
    expect(settleDelayMs(new Date(NOW.getTime() + 60_000), NOW, 5)).toBe(5000); // clock skew: bounded
    expect(settleDelayMs(NOW, NOW, 0)).toBe(0);
  });
});

describe('isLateCompanion', () => {
  const latest = { createdAt: ago(60_000), inputs: run('training').inputs };
  it('a companion uploaded just after its run started without it is late', () => {
    expect(isLateCompanion('options', { etag: '"o1"', lastModified: new Date(NOW.getTime() - 30_000) }, latest)).toBe(true);
  });
  it('not late: no run yet, the run used this version, it predates the run, or the run is old', () => {
    expect(isLateCompanion('options', { etag: '"o1"', lastModified: NOW }, undefined)).toBe(false);
    const used = { ...latest, inputs: { ...latest.inputs, options: { blob: 'd.json', snapshot: 's', bytes: 1, sha256: 'x', etag: '"o1"' } } };
    expect(isLateCompanion('options', { etag: '"o1"', lastModified: NOW }, used)).toBe(false);
    expect(isLateCompanion('validation', { etag: '"v1"', lastModified: new Date(NOW.getTime() - 120_000) }, latest)).toBe(false);
    expect(isLateCompanion('validation', { etag: '"v1"', lastModified: NOW }, { ...latest, createdAt: ago(24 * 3_600_000) })).toBe(false);
  });
});

describe('orphanCompanions', () => {
  const blob = (name: string, ageMinutes: number) => ({ name, etag: `"${name}"`, lastModified: new Date(NOW.getTime() - ageMinutes * 60_000) });
  it('finds old validation and options files without their training file, nothing else', () => {
    const blobs = [
      blob('lonely.validation.jsonl', 90),
      blob('lonely2.json', 90),
      blob('fresh.validation.jsonl', 5),
      blob('paired.validation.jsonl', 90),
      blob('paired.jsonl', 1),
      blob('notes.txt', 900),
      blob('x.eval.jsonl', 900),
    ];
    expect(orphanCompanions(blobs, NOW, 60).map((o) => [o.name, o.dataset])).toEqual([
      ['lonely.validation.jsonl', 'lonely'],
      ['lonely2.json', 'lonely2'],
    ]);
  });
});

describe('deploymentTakenBy', () => {
  const records = [{ deploymentName: 'sales', dataset: 'sales', model: 'm', runId: 'r', updatedAt: '' }];
  it('finds another dataset holding the name, ignoring case as ARM does; never the same dataset', () => {
    expect(deploymentTakenBy(records, 'SALES', 'Sales')?.dataset).toBe('sales');
    expect(deploymentTakenBy(records, 'sales', 'sales')).toBeUndefined();
    expect(deploymentTakenBy(records, 'other', 'Sales')).toBeUndefined();
  });
});
