import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/runs/run-record.js';
import { applyUpdate, RunStore } from '../../src/runs/run-store.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';

const run = (runId: string, createdAt: string, dataset = 'd'): RunRecord => ({
  runId,
  dataset,
  status: 'validating',
  createdAt,
  updatedAt: createdAt,
  phases: { validating: { startedAt: createdAt } },
  inputs: { training: { blob: `${dataset}.jsonl`, snapshot: `${runId}/inputs/training.jsonl`, bytes: 1, sha256: 'x' } },
  artifacts: [],
});

describe('RunStore over Azurite', () => {
  let azurite: RunningAzurite;
  let container: ContainerClient;
  let store: RunStore;

  beforeAll(async () => {
    azurite = await startAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('runs');
    store = new RunStore(container);
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('lists nothing before the container exists, then runs newest first with a dataset filter', async () => {
    expect(await store.list()).toEqual({ runs: [] });
    await store.put(run('a-1', '2026-01-01T00:00:00.000Z', 'a'));
    await store.put(run('b-1', '2026-01-03T00:00:00.000Z', 'b'));
    await store.put(run('a-2', '2026-01-02T00:00:00.000Z', 'a'));
    expect((await store.list()).runs.map((r) => r.runId)).toEqual(['b-1', 'a-2', 'a-1']);
    expect((await store.list({ dataset: 'a' })).runs.map((r) => r.runId)).toEqual(['a-2', 'a-1']);
    expect(await store.get('nope')).toBeUndefined();
  });

  it('concurrent updates all land: a 412 from a competing write is retried on the fresh record', async () => {
    await store.put(run('c-1', '2026-01-04T00:00:00.000Z'));
    let conflictsSeen = 0;
    const updates = Array.from({ length: 6 }, (_, i) =>
      store.update('c-1', (r) => {
        conflictsSeen++;
        return applyUpdate(r, { at: `2026-01-04T00:00:0${i}.000Z`, notificationFailure: { event: `e${i}`, error: 'x' } });
      }),
    );
    await Promise.all(updates);
    const final = await store.get('c-1');
    expect(final?.notificationFailures?.map((f) => f.event).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect(conflictsSeen).toBeGreaterThan(6); // some writers lost the race and re-applied their change
  });

  it('applyUpdate closes the current phase and opens the next; final statuses close at once', () => {
    const r = applyUpdate(run('p', '2026-01-01T00:00:00.000Z'), { at: '2026-01-01T00:01:00.000Z', status: 'uploading', files: { training: 'file-1' } });
    expect(r.phases).toEqual({ validating: { startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:01:00.000Z' }, uploading: { startedAt: '2026-01-01T00:01:00.000Z' } });
    const done = applyUpdate(r, { at: '2026-01-01T00:02:00.000Z', status: 'failed', error: { code: 'c', message: 'm' } });
    expect(done.phases.failed).toEqual({ startedAt: '2026-01-01T00:02:00.000Z', endedAt: '2026-01-01T00:02:00.000Z' });
    expect(done.phases.uploading?.endedAt).toBe('2026-01-01T00:02:00.000Z');
    expect(done).toMatchObject({ status: 'failed', error: { code: 'c', message: 'm' }, files: { training: 'file-1' } });
  });
});
