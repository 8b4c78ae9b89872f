/**
 * Intake against a real Azurite: the drop zone is read, run artifacts and notifications are
 * written for real. Only the Durable client is replaced by a recorder (which run ids were started),
 * since starting orchestrations is the host's business and is covered end to end in test/e2e.
 */
import { readFileSync } from 'node:fs';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config.js';
import { DEPLOYMENT_NAME_PATTERN } from '../../../src/azure/arm-names.js';
import { reportOrphanCompanions } from '../../../src/intake/orphans.js';
import { processDrop, type IntakeDeps } from '../../../src/intake/process-drop.js';
import { recordDeployment } from '../../../src/runs/deployment-registry.js';
import type { Notification } from '../../../src/notify/events.js';
import type { RunRecord } from '../../../src/runs/run-record.js';
import { RunStore } from '../../../src/runs/run-store.js';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { LAB_TRAINING, LAB_VALIDATION } from '../../support/paths.js';

const training = readFileSync(LAB_TRAINING);
const validation = readFileSync(LAB_VALIDATION);

const CONFIG: IntakeDeps['config'] = {
  fineTuning: { baseModel: 'gpt-4o-mini-2024-07-18' },
  deployment: { sku: 'Standard', capacity: 1 },
  notify: {},
  intake: { settleSeconds: 0, orphanMinutes: 60 },
  runsContainer: 'runs',
} satisfies Pick<AppConfig, 'fineTuning' | 'deployment' | 'notify' | 'intake' | 'runsContainer'>;

describe('processDrop over Azurite', () => {
  let azurite: RunningAzurite;
  let datasets: ContainerClient;
  let runs: ContainerClient;
  let events: QueueClient;
  let store: RunStore;
  let started: Array<{ runId: string; run: RunRecord }>;
  let logs: string[];
  let n = 0;

  const deps = (extra: Partial<IntakeDeps> = {}): IntakeDeps => ({
    config: CONFIG,
    storage: { datasets, runs, events },
    store,
    log: (line) => logs.push(line),
    orchestrationExists: async (runId) => started.some((s) => s.runId === runId),
    startOrchestration: async (runId, run) => {
      // startNew is an HTTP call to the Durable extension (tens of ms); with an existing instance id it
      // would restart the orchestration, so a second call is the bug. (Main's intake, which checked
      // "exists?" and then started, started 5 of 5 concurrent deliveries with this latency.)
      await new Promise((resolve) => setTimeout(resolve, 100));
      started.push({ runId, run });
    },
    ...extra,
  });
  const drop = async (name: string, body: string | Buffer): Promise<void> => {
    await datasets.getBlockBlobClient(name).upload(body, Buffer.byteLength(body));
  };
  const queued = async (): Promise<Notification[]> => {
    if (!(await events.exists())) return [];
    const { peekedMessageItems } = await events.peekMessages({ numberOfMessages: 32 });
    return peekedMessageItems.map((m) => JSON.parse(m.messageText) as Notification);
  };

  beforeAll(async () => {
    azurite = await startAzurite();
    const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
    datasets = blobs.getContainerClient('datasets');
    runs = blobs.getContainerClient('runs');
    await datasets.createIfNotExists();
    store = new RunStore(runs);
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  beforeEach(async () => {
    // A queue per test, so each test sees only its own notifications.
    events = new QueueClient(azurite.connectionString, `events-${++n}`);
    started = [];
    logs = [];
  });

  it('concurrent deliveries of the same blob start exactly one run', async () => {
    await drop('concurrent.jsonl', training);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => processDrop('concurrent.jsonl', deps())));
    expect(outcomes.filter((o) => o.outcome === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'duplicate')).toHaveLength(4);
    expect(started).toHaveLength(1);
    // And again later (a redelivery): nothing new, nothing reported.
    expect(await processDrop('concurrent.jsonl', deps())).toMatchObject({ outcome: 'duplicate', reported: false });
    expect(started).toHaveLength(1);
    expect(await queued()).toEqual([]);
  });

  it('concurrent deliveries of an invalid blob reject once and notify once', async () => {
    await drop('broken.jsonl', '{"messages": []}\n');
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => processDrop('broken.jsonl', deps())));
    expect(outcomes.filter((o) => o.outcome === 'rejected')).toHaveLength(1);
    expect((await queued()).filter((e) => e.type === 'run.rejected')).toHaveLength(1);
  });

  it('datasets that differ only in case or separators, with the same bytes, each get their own run and deployment', async () => {
    const names = ['Sales', 'sales', 'team/sarcasm', 'team-sarcasm', 'Team Sarcasm', 'продажи', '売上'];
    for (const name of names) await drop(`${name}.jsonl`, training);
    for (const name of names) expect(await processDrop(`${name}.jsonl`, deps())).toMatchObject({ outcome: 'started' });
    expect(new Set(started.map((s) => s.runId)).size).toBe(names.length);
    const deployments = started.map((s) => s.run.options?.deployment.name ?? '');
    expect(new Set(deployments.map((d) => d.toLowerCase())).size).toBe(names.length);
    for (const d of deployments) expect(d).toMatch(DEPLOYMENT_NAME_PATTERN);
    expect(started.map((s) => s.run.dataset)).toEqual(names);
  });

  it('a one-letter dataset gets a deployment name ARM accepts; an invalid one from the options is rejected before training', async () => {
    await drop('a.jsonl', training);
    expect(await processDrop('a.jsonl', deps())).toMatchObject({ outcome: 'started' });
    expect(started[0]!.run.options?.deployment.name).toMatch(DEPLOYMENT_NAME_PATTERN);

    await drop('b.json', JSON.stringify({ deployment: { name: 'b' } }));
    await drop('b.jsonl', training);
    const outcome = await processDrop('b.jsonl', deps());
    expect(outcome.outcome).toBe('rejected');
    const run = await store.get((outcome as { runId: string }).runId);
    expect(run?.validation?.errors).toEqual([expect.objectContaining({ field: 'deployment.name', message: expect.stringMatching(/2-64/) })]);
  });

  it.each([
    ['UPPER.JSONL', 'wrong_case', 'UPPER.jsonl'],
    ['x.jsonl.', 'trailing_characters', 'x.jsonl'],
    ['data.ndjson', 'unsupported_format', 'data.jsonl'],
  ])('%s is not trained, and reported as drop.ignored (%s)', async (name, code, suggestion) => {
    await drop(name, training);
    expect(await processDrop(name, deps())).toMatchObject({ outcome: 'ignored', code, reported: true });
    expect(started).toEqual([]);
    const [event] = await queued();
    expect(event).toMatchObject({ type: 'drop.ignored', blob: name, data: { code, suggestion } });
    expect(logs.join('\n')).toContain(`Did you mean '${suggestion}'?`);
  });

  it('an unrelated file is logged with its reason and not reported', async () => {
    await drop('notes.txt', 'hello');
    expect(await processDrop('notes.txt', deps())).toMatchObject({ outcome: 'ignored', reported: false });
    expect(logs).toEqual([expect.stringMatching(/^Ignoring notes\.txt: not a \.jsonl or \.json file/)]);
    expect(await queued()).toEqual([]);
  });

  it('the same data uploaded again is reported (with the existing run); a redelivered event is not', async () => {
    await drop('again.jsonl', training);
    const first = await processDrop('again.jsonl', deps());
    expect(first.outcome).toBe('started');
    await drop('again.jsonl', training); // a new blob version, same bytes
    expect(await processDrop('again.jsonl', deps())).toMatchObject({ outcome: 'duplicate', reported: true });
    expect(await queued()).toEqual([expect.objectContaining({ type: 'drop.ignored', data: expect.objectContaining({ code: 'same_contents', runId: (first as { runId: string }).runId }) })]);
    expect(started).toHaveLength(1);
  });

  it('an options file uploaded just after the training file is read when it lands inside the settle window', async () => {
    await drop('settle.jsonl', training);
    const waits: number[] = [];
    const intake = processDrop('settle.jsonl', deps({
      config: { ...CONFIG, intake: { ...CONFIG.intake, settleSeconds: 30 } },
      // The "wait" is when the user's second upload lands.
      wait: async (ms) => {
        waits.push(ms);
        await drop('settle.json', JSON.stringify({ seed: 7 }));
      },
    }));
    expect(await intake).toMatchObject({ outcome: 'started' });
    expect(waits[0]).toBeGreaterThan(25_000);
    expect(started[0]!.run.options?.seed).toBe(7);
    expect(started[0]!.run.inputs.options?.blob).toBe('settle.json');
  });

  it('an options file that comes after its run started is reported, not silently ignored', async () => {
    await drop('late.jsonl', training);
    const run = await processDrop('late.jsonl', deps());
    await drop('late.json', JSON.stringify({ seed: 3 }));
    expect(await processDrop('late.json', deps())).toMatchObject({ outcome: 'ignored', code: 'companion_after_training', reported: true });
    expect(await queued()).toEqual([
      expect.objectContaining({ type: 'drop.ignored', blob: 'late.json', data: expect.objectContaining({ code: 'companion_after_training', runId: (run as { runId: string }).runId }) }),
    ]);
  });

  it('a validation file uploaded before its training file is just logged, then used', async () => {
    await drop('early.validation.jsonl', validation);
    expect(await processDrop('early.validation.jsonl', deps())).toMatchObject({ outcome: 'ignored', reported: false });
    await drop('early.jsonl', training);
    await processDrop('early.jsonl', deps());
    // The companion's own (late-processed) event after the run used it: still quiet.
    expect(await processDrop('early.validation.jsonl', deps())).toMatchObject({ outcome: 'ignored', reported: false });
    expect(started[0]!.run.inputs.validation?.blob).toBe('early.validation.jsonl');
    expect(await queued()).toEqual([]);
  });

  it('a validation file whose training file never comes is reported once by the sweep', async () => {
    await drop('orphan.validation.jsonl', validation);
    const sweep = (now: Date) =>
      reportOrphanCompanions({ datasets, store, orphanMinutes: 60, publish: { events, webhook: {}, log: (l) => logs.push(l) } }, now);
    expect(await sweep(new Date())).toEqual([]); // not old enough yet
    const later = new Date(Date.now() + 61 * 60_000);
    expect(await sweep(later)).toContain('orphan.validation.jsonl');
    expect(await sweep(later)).not.toContain('orphan.validation.jsonl'); // once
    const reported = (await queued()).filter((e) => e.type === 'drop.ignored' && e.blob === 'orphan.validation.jsonl');
    expect(reported).toEqual([expect.objectContaining({ data: expect.objectContaining({ code: 'orphan_companion' }) })]);
  });

  it('data trained before ids carried a name hash is not trained again when its event is redelivered', async () => {
    await drop('legacy.jsonl', training);
    const fresh = await processDrop('legacy.jsonl', deps());
    const runId = (fresh as { runId: string }).runId;
    // Rewrite that run as an old version would have stored it: under `<slug>-<10 hex>`.
    const old = (await store.get(runId))!;
    const legacyId = `legacy-${runId.slice(-10)}`;
    await store.put({ ...old, runId: legacyId, status: 'succeeded' });
    await runs.getBlobClient(`${runId}/run.json`).delete();
    started = [];
    expect(await processDrop('legacy.jsonl', deps())).toMatchObject({ outcome: 'duplicate', runId: legacyId });
    expect(started).toEqual([]);
  });
  it('a rejected drop uploaded again is validated again, keeps its run (created once) and is listed once', async () => {
    await drop('fixme.jsonl', '{"messages": []}\n');
    const first = await processDrop('fixme.jsonl', deps());
    expect(first.outcome).toBe('rejected');
    const runId = (first as { runId: string }).runId;
    const created = (await store.get(runId))!.createdAt;
    expect(await processDrop('fixme.jsonl', deps())).toMatchObject({ outcome: 'duplicate', reported: false }); // redelivery
    await drop('fixme.jsonl', '{"messages": []}\n'); // the same bytes, a new upload
    expect(await processDrop('fixme.jsonl', deps())).toMatchObject({ outcome: 'rejected', runId });
    expect((await store.get(runId))!.createdAt).toBe(created);
    expect((await store.list({ dataset: 'fixme' })).runs.map((r) => r.runId)).toEqual([runId]);
  });
  it("an options deployment.name that is another dataset's deployment (in any case) is rejected before training", async () => {
    await recordDeployment(runs, { deploymentName: 'shared-model', dataset: 'first', model: 'ft-1', runId: 'first-0', updatedAt: '' });
    await drop('second.json', JSON.stringify({ deployment: { name: 'Shared-Model' } }));
    await drop('second.jsonl', training);
    const outcome = await processDrop('second.jsonl', deps());
    expect(outcome.outcome).toBe('rejected');
    const run = await store.get((outcome as { runId: string }).runId);
    expect(run?.validation?.errors).toEqual([expect.objectContaining({ field: 'deployment.name', message: expect.stringContaining("deployment of dataset 'first'") })]);
    // The dataset that owns it may keep using it.
    await drop('first.json', JSON.stringify({ deployment: { name: 'shared-model' } }));
    await drop('first.jsonl', training);
    expect(await processDrop('first.jsonl', deps())).toMatchObject({ outcome: 'started' });
  });
});
