/**
 * One pass of the lifecycle timer (aliases/lifecycle-run.ts) against a real Azurite and the
 * emulator over HTTP: the registry describes deployments of various ages and policies; the pass
 * must warn, keep warm, tear down, end a grace period and notice a missing deployment — and say
 * so on the events queue and on the run concerned, when it has a record.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../dev/aoai-emulator/index.js';
import type { AliasRecord } from '../../src/aliases/alias-record.js';
import { AliasStore } from '../../src/aliases/alias-store.js';
import { runLifecycle } from '../../src/aliases/lifecycle-run.js';
import type { RunEvent, RunRecord } from '../../src/runs/run-record.js';
import { RunStore } from '../../src/runs/run-store.js';
import { recordDeployment, type DeploymentRecord } from '../../src/runs/deployment-registry.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';
import { ACCOUNT, pipelineSettings, RESOURCE_GROUP, pipelineClients } from '../support/pipeline-stack.js';
import { BASE_MODEL, deploymentBody, startTestEmulator } from './emulator/helpers.js';

const DAY = 86_400_000;

describe('the lifecycle timer, one pass', () => {
  let azurite: RunningAzurite;
  let emulator: RunningEmulator;
  let runs: ContainerClient;
  let events: QueueClient;
  const saved = { ...process.env };
  const now = Date.now();
  const ago = (days: number): string => new Date(now - days * DAY).toISOString();

  const record = (name: string, alias: string | undefined, createdDaysAgo: number, extra: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
    deploymentName: name,
    dataset: alias ?? name,
    ...(alias ? { alias } : {}),
    model: BASE_MODEL,
    runId: `${name}-run`,
    baseModel: BASE_MODEL,
    sku: 'Standard',
    createdAt: ago(createdDaysAgo),
    hosted: [{ from: ago(createdDaysAgo) }],
    updatedAt: ago(createdDaysAgo),
    ...extra,
  });
  const alias = (name: string, current: string, extra: Partial<AliasRecord> = {}): AliasRecord => ({
    alias: name,
    current: { deploymentName: current, model: BASE_MODEL, runId: `${current}-run`, since: ago(20) },
    history: [],
    updatedAt: ago(20),
    ...extra,
  });

  beforeAll(async () => {
    azurite = await startAzurite();
    emulator = await startTestEmulator({ deploySeconds: 0.2 });
    Object.assign(process.env, pipelineSettings(azurite, emulator, { IDLE_WARN_PERCENT: '80' }));
    const clients = pipelineClients(azurite, emulator);
    runs = clients.runs;
    events = clients.events;
    await runs.createIfNotExists();
    // Live in Azure (the emulator): everything but 'gone'.
    for (const name of ['idle', 'warm', 'down', 'old', 'fresh']) {
      await clients.arm.deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, name, deploymentBody(BASE_MODEL, '2024-07-18'), { updateIntervalInMs: 50 });
    }
    for (const r of [
      record('idle', 'idle', 13), // 13 of 15 days without traffic: warn
      record('warm', 'warm', 8), // keep-warm at half the limit
      record('down', 'down', 4), // tear-down after 3 days
      record('old', 'fresh', 30), // previous of 'fresh', grace period over
      record('fresh', 'fresh', 1),
      record('gone', 'gone', 2), // deleted behind the app's back
    ]) {
      await recordDeployment(runs, r);
    }
    // The torn-down deployment's run still has its record: the deletion is noted on it.
    await new RunStore(runs).create({ runId: 'down-run', dataset: 'down', status: 'succeeded', phases: {}, artifacts: [], createdAt: ago(4), updatedAt: ago(4), inputs: { training: { blob: 'down.jsonl', snapshot: 'inputs/training.jsonl', bytes: 1, sha256: '0'.repeat(64) } } } as unknown as RunRecord);
    await runs.getBlockBlobClient('usage/fresh.json').upload('{}', 2); // unreadable stamps are skipped, not fatal
    const store = new AliasStore(runs);
    for (const a of [
      alias('idle', 'idle'),
      alias('warm', 'warm', { lifecycle: { idle: 'keep-warm' } }),
      alias('down', 'down', { lifecycle: { idle: 'tear-down', tearDownAfterDays: 3 } }),
      alias('fresh', 'fresh', { previous: { deploymentName: 'old', model: BASE_MODEL, runId: 'old-run', since: ago(30), supersededAt: ago(2), deleteAfter: ago(1) } }),
      alias('gone', 'gone'),
    ]) {
      await store.transition(a.alias, () => ({ record: a, released: [] }), a.updatedAt);
    }
  });
  afterAll(async () => {
    process.env = saved;
    await emulator?.close();
    await azurite?.stop();
  });

  it('warns, keeps warm, tears down, ends the grace period and records the missing deployment', async () => {
    const log: string[] = [];
    const actions = await runLifecycle(now, (line) => log.push(line));
    expect(actions.map((a) => a.kind).sort()).toEqual(['expire-previous', 'idle-warning', 'keep-warm', 'missing', 'tear-down']);
    expect(log.filter((l) => l.includes('failed'))).toEqual([]);

    const store = new AliasStore(runs);
    const exists = async (name: string): Promise<boolean> => (await store.listDeployments()).some((d) => d.deploymentName === name && !d.deletedAt);
    expect(await exists('down')).toBe(false);
    expect(await exists('old')).toBe(false);
    expect(await exists('gone')).toBe(false);
    expect(await exists('idle')).toBe(true);
    expect((await store.getAlias('fresh'))?.previous).toBeUndefined();
    expect((await store.listUsage()).find((u) => u.deploymentName === 'warm')?.lastUsedAt).toBe(new Date(now).toISOString());
    const { value } = (await (await fetch(`${emulator.url}/__emulator/operations`)).json()) as { value: Array<{ operationName: string; resourceId: string }> };
    const deleted = value.filter((e) => e.operationName.endsWith('/delete')).map((e) => e.resourceId.split('/').at(-1)).sort();
    expect(deleted).toEqual(['down', 'old']);

    const peeked = await events.peekMessages({ numberOfMessages: 32 });
    const queued = peeked.peekedMessageItems.map((m) => JSON.parse(m.messageText) as RunEvent);
    expect(queued.map((e) => `${e.type}:${e.data['deployment']}`).sort()).toEqual(
      ['deployment.deleted:down', 'deployment.deleted:gone', 'deployment.deleted:old', 'deployment.idle_warning:idle'].sort(),
    );
    expect((await new RunStore(runs).get('down-run'))?.notifications?.map((n) => n.type)).toEqual(['deployment.deleted']);
    const warning = queued.find((e) => e.type === 'deployment.idle_warning');
    expect(warning?.data).toMatchObject({ alias: 'idle', limitHours: 360, lastActivity: ago(13) });

    // The next pass has nothing new to say: the warning is given once per idle period.
    const again = await runLifecycle(now + 60_000, () => undefined);
    expect(again.map((a) => a.kind)).toEqual([]);
  });
});
