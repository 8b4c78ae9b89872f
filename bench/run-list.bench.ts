/**
 * Run-list benchmark: one page of `GET /api/runs` through the run index (RunStore.list) against
 * the previous algorithm — list every `<runId>/` prefix and read every run.json — measured in the
 * same run, on the same throw-away Azurite holding the same runs. Both must return the same newest
 * runs, or the benchmark fails.
 *
 *   npm run bench:runs                 # 300 runs, 20 rounds each
 *   npm run bench:runs -- --runs 1000
 */
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { startAzurite } from '../dev/azurite.js';
import type { RunRecord } from '../src/runs/run-record.js';
import { RunStore, streamToString } from '../src/runs/run-store.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const RUNS = arg('runs', 300);
const ROUNDS = arg('rounds', 20);
const PAGE = 50;

function record(i: number): RunRecord {
  const createdAt = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const runId = `bench-${String(i).padStart(5, '0')}`;
  return {
    runId,
    dataset: `dataset-${i % 7}`,
    status: 'succeeded',
    createdAt,
    updatedAt: createdAt,
    phases: { succeeded: { startedAt: createdAt, endedAt: createdAt } },
    inputs: { training: { blob: 'd.jsonl', snapshot: `${runId}/inputs/training.jsonl`, bytes: 1, sha256: 'x' } },
    artifacts: [],
  };
}

/** The algorithm `GET /api/runs` used before the index: read every run, sort, take a page. */
async function fullWalk(container: ContainerClient): Promise<string[]> {
  const runs: RunRecord[] = [];
  for await (const item of container.listBlobsByHierarchy('/')) {
    if (item.kind !== 'prefix') continue;
    try {
      const response = await container.getBlobClient(`${item.name}run.json`).download();
      runs.push(JSON.parse(await streamToString(response.readableStreamBody)) as RunRecord);
    } catch {
      // index/ and deployments/ have no run.json
    }
  }
  return runs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).slice(0, PAGE).map((r) => r.runId);
}

async function time(label: string, rounds: number, fn: () => Promise<string[]>): Promise<{ label: string; ms: number; ids: string[] }> {
  let ids: string[] = [];
  const start = performance.now();
  for (let i = 0; i < rounds; i++) ids = await fn();
  return { label, ms: (performance.now() - start) / rounds, ids };
}

const azurite = await startAzurite();
try {
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('runs');
  const store = new RunStore(container);
  for (let i = 0; i < RUNS; i += 25) await Promise.all(Array.from({ length: Math.min(25, RUNS - i) }, (_, k) => store.create(record(i + k))));
  await store.list({ limit: 1 }); // warm up both paths once
  await fullWalk(container);

  const indexed = await time('index page (RunStore.list)', ROUNDS, async () => (await store.list({ limit: PAGE })).runs.map((r) => r.runId));
  const walk = await time('read every run (before)', ROUNDS, () => fullWalk(container));
  if (JSON.stringify(indexed.ids) !== JSON.stringify(walk.ids)) throw new Error('the two listings disagree');

  console.log(`\n${RUNS} runs in Azurite, a page of ${PAGE}, mean of ${ROUNDS} rounds\n`);
  console.log('| listing | ms per page |');
  console.log('|---|---:|');
  for (const m of [indexed, walk]) console.log(`| ${m.label} | ${m.ms.toFixed(1)} |`);
  console.log(`\nThe index page takes ${(indexed.ms / walk.ms).toFixed(3)}× the time of reading every run (${(walk.ms / indexed.ms).toFixed(1)}× faster).`);
} finally {
  await azurite.stop();
}
