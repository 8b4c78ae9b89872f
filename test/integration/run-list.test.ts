/**
 * Listing runs reads a page through the index: the cost does not grow with the number of runs.
 * Against Azurite; record reads are counted on the store's own `get`.
 */
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunRecord } from '../../src/runs/run-record.js';
import { RunStore } from '../../src/runs/run-store.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';

const run = (runId: string, createdAt: string, dataset: string): RunRecord => ({
  runId,
  dataset,
  status: 'training',
  createdAt,
  updatedAt: createdAt,
  phases: { training: { startedAt: createdAt } },
  inputs: { training: { blob: `${dataset}.jsonl`, snapshot: `${runId}/inputs/training.jsonl`, bytes: 1, sha256: 'x' } },
  artifacts: [],
});
const at = (i: number): string => new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();

describe('the run list', () => {
  let azurite: RunningAzurite;
  let container: ContainerClient;
  const recordReads: string[] = [];
  const counted = (store: RunStore): RunStore => {
    const get = store.get.bind(store);
    vi.spyOn(store, 'get').mockImplementation((runId: string) => {
      recordReads.push(runId);
      return get(runId);
    });
    return store;
  };

  beforeAll(async () => {
    azurite = await startAzurite();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('runs');
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('indexes runs that predate the index once, then pages newest first reading only the page', async () => {
    await container.createIfNotExists();
    // 30 runs written the old way: run.json only, no index entries.
    for (let i = 0; i < 30; i++) {
      const body = JSON.stringify(run(`r-${String(i).padStart(2, '0')}`, at(i), i % 3 === 0 ? 'Sales' : 'sales'));
      await container.getBlockBlobClient(`r-${String(i).padStart(2, '0')}/run.json`).upload(body, body.length);
    }
    await new RunStore(container).list({ limit: 1 }); // the one-time indexing pass

    const store = counted(new RunStore(container));
    recordReads.length = 0;
    const first = await store.list({ limit: 10 });
    expect(first.runs.map((r) => r.runId)).toEqual(Array.from({ length: 10 }, (_, k) => `r-${String(29 - k).padStart(2, '0')}`));
    expect(recordReads).toHaveLength(10);
    expect(first.continuationToken).toBeTruthy();

    const seen = [...first.runs];
    let token = first.continuationToken;
    while (token) {
      const page = await store.list({ limit: 10, continuationToken: token });
      seen.push(...page.runs);
      token = page.continuationToken;
    }
    expect(seen.map((r) => r.runId)).toEqual(Array.from({ length: 30 }, (_, k) => `r-${String(29 - k).padStart(2, '0')}`));
    expect(recordReads).toHaveLength(30);
  });

  it('filters by the exact dataset name through its own index (Sales is not sales)', async () => {
    const store = counted(new RunStore(container));
    recordReads.length = 0;
    const page = await store.list({ dataset: 'Sales', limit: 50 });
    expect(page.runs).toHaveLength(10);
    expect(page.runs.every((r) => r.dataset === 'Sales')).toBe(true);
    expect(recordReads).toHaveLength(10);
  });

  it('new runs are indexed when created; create() refuses to overwrite an existing run', async () => {
    const store = new RunStore(container);
    expect(await store.create(run('r-new', at(100), 'Sales'))).toBe(true);
    expect(await store.create({ ...run('r-new', at(100), 'Sales'), status: 'failed' })).toBe(false);
    expect((await store.get('r-new'))?.status).toBe('training');
    expect((await store.list({ limit: 1 })).runs[0]?.runId).toBe('r-new');
  });

  it('a hand-broken run.json is reported with its field, not hidden and not fatal to the list', async () => {
    const store = new RunStore(container);
    await store.create(run('r-broken', at(200), 'Sales'));
    const broken = JSON.stringify({ ...run('r-broken', at(200), 'Sales'), status: 'exploded' });
    await container.getBlockBlobClient('r-broken/run.json').upload(broken, broken.length);
    const page = await store.list({ limit: 2 });
    expect(page.runs.map((r) => r.runId)).toEqual(['r-new']);
    expect(page.unreadable).toEqual([{ runId: 'r-broken', problem: expect.stringMatching(/^r-broken\/run\.json: status: /) }]);
    await expect(store.get('r-broken')).rejects.toThrow(/r-broken\/run\.json: status/);
  });
});

describe('continuation tokens', () => {
  it('are refused when made up or taken from another listing', async () => {
    const azurite = await startAzurite();
    try {
      const store = new RunStore(BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('runs'));
      for (let i = 0; i < 3; i++) await store.create(run(`t-${i}`, at(i), 'A'));
      const page = await store.list({ dataset: 'A', limit: 1 });
      expect(page.continuationToken).toBeTruthy();
      expect((await store.list({ dataset: 'A', limit: 1, continuationToken: page.continuationToken! })).runs.map((r) => r.runId)).toEqual(['t-1']);
      await expect(store.list({ dataset: 'B', continuationToken: page.continuationToken! })).rejects.toThrow(/continuationToken/);
      await expect(store.list({ continuationToken: 'made-up' })).rejects.toThrow(/continuationToken/);
    } finally {
      await azurite.stop();
    }
  });
});
