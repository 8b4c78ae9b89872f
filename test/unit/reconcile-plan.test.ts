import { describe, expect, it } from 'vitest';
import { nextHandled, planReconciliation, type DropBlob, type KnownRun } from '../../src/reconcile/plan.js';
import type { RunStatus } from '../../src/runs/run-record.js';

const T0 = Date.parse('2026-11-22T00:00:00Z');
const MIN = 60_000;
const policy = { now: T0 + 60 * MIN, settleMs: 10 * MIN, stuckMs: 10 * MIN };

const blob = (name: string, minute: number, etag = `"${name}@${minute}"`): DropBlob => ({ name, lastModified: T0 + minute * MIN, etag });
const run = (blobName: string, status: RunStatus, createdMinute: number, updatedMinute = createdMinute, runId = `${blobName}-${createdMinute}`): KnownRun => ({
  runId,
  status,
  createdAt: new Date(T0 + createdMinute * MIN).toISOString(),
  updatedAt: new Date(T0 + updatedMinute * MIN).toISOString(),
  inputs: { training: { blob: blobName } },
});
const none = new Map<string, string>();
const plan = (...args: Parameters<typeof planReconciliation>) => planReconciliation(...args).actions;

describe('planReconciliation', () => {
  it('hands over a training file with no run, oldest first, and nothing else in the drop zone', () => {
    const blobs = [blob('b.jsonl', 5), blob('a/a.jsonl', 1), blob('a/a.validation.jsonl', 0), blob('a/a.json', 0), blob('notes.txt', 0)];
    expect(plan(blobs, [], none, policy)).toEqual([
      { blob: 'a/a.jsonl', reason: 'no_run' },
      { blob: 'b.jsonl', reason: 'no_run' },
    ]);
  });

  it('leaves a file younger than the settle time to its event', () => {
    expect(plan([blob('new.jsonl', 55)], [], none, policy)).toEqual([]);
    expect(plan([blob('new.jsonl', 50)], [], none, policy)).toEqual([{ blob: 'new.jsonl', reason: 'no_run' }]);
  });

  it('leaves a file whose current version has a run in any state but validating', () => {
    for (const status of ['rejected', 'uploading', 'training', 'deploying', 'succeeded', 'failed', 'cancelled'] as const) {
      expect(plan([blob('x.jsonl', 1)], [run('x.jsonl', status, 2)], none, policy)).toEqual([]);
    }
  });

  it('hands over a file changed after its last run (the run is older than the upload)', () => {
    expect(plan([blob('x.jsonl', 20)], [run('x.jsonl', 'succeeded', 2)], none, policy)).toEqual([
      { blob: 'x.jsonl', reason: 'changed_since_last_run' },
    ]);
  });

  it('hands over a run stuck in validating once it has not moved for the stuck time', () => {
    expect(plan([blob('x.jsonl', 1)], [run('x.jsonl', 'validating', 2, 55)], none, policy)).toEqual([]);
    expect(plan([blob('x.jsonl', 1)], [run('x.jsonl', 'validating', 2, 50, 'x-run')], none, policy)).toEqual([
      { blob: 'x.jsonl', reason: 'stuck_validating', runId: 'x-run' },
    ]);
    // A second run of the same version that moved on means the file is taken care of.
    expect(plan([blob('x.jsonl', 1)], [run('x.jsonl', 'validating', 2), run('x.jsonl', 'training', 3)], none, policy)).toEqual([]);
  });

  it('settles a file whose current version has a run past validating, so later ticks skip it', () => {
    const result = planReconciliation([blob('x.jsonl', 1, '"v1"'), blob('y.jsonl', 1)], [run('x.jsonl', 'training', 2), run('y.jsonl', 'validating', 2, 55)], none, policy);
    expect(result).toEqual({ actions: [], settled: new Map([['x.jsonl', '"v1"']]) });
  });

  it('does not hand over again a version it already handed over successfully', () => {
    const b = blob('x.jsonl', 20, '"v2"');
    expect(plan([b], [run('x.jsonl', 'succeeded', 2)], new Map([['x.jsonl', '"v2"']]), policy)).toEqual([]);
    expect(plan([b], [run('x.jsonl', 'succeeded', 2)], new Map([['x.jsonl', '"v1"']]), policy)).toHaveLength(1);
  });
});

describe('nextHandled', () => {
  it('adds this tick\'s successes and forgets blobs that are gone', () => {
    const next = nextHandled(new Map([['gone.jsonl', '"1"'], ['kept.jsonl', '"2"']]), [blob('kept.jsonl', 0), blob('new.jsonl', 0)], new Map([['new.jsonl', '"3"']]));
    expect([...next]).toEqual([
      ['kept.jsonl', '"2"'],
      ['new.jsonl', '"3"'],
    ]);
  });
});
