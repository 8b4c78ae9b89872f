/**
 * Deployment capacity against a real Azurite and the emulator: the resource's fine-tuned
 * deployments are counted, ARM's name rules are enforced, and with `evict-lru` the least
 * recently used deployment this app made that no alias points at is deleted — never an alias's,
 * never one the app did not make.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../dev/aoai-emulator/index.js';
import { AliasStore } from '../../src/aliases/alias-store.js';
import { checkCapacity } from '../../src/aliases/capacity.js';
import { getServices } from '../../src/services.js';
import { PermanentFailure } from '../../src/orchestrators/activity-result.js';
import { recordDeployment } from '../../src/runs/deployment-registry.js';
import { startAzurite, type RunningAzurite } from '../support/azurite.js';
import { LAB_TRAINING } from '../support/paths.js';
import { ACCOUNT, pipelineClients, pipelineSettings, RESOURCE_GROUP } from '../support/pipeline-stack.js';
import { BASE_MODEL, deploymentBody, startTestEmulator, untilJob, uploadProcessed } from './emulator/helpers.js';

describe('deployment capacity (quota, name rules, evict-lru)', () => {
  let azurite: RunningAzurite;
  let emulator: RunningEmulator;
  const saved = { ...process.env };

  beforeAll(async () => {
    azurite = await startAzurite();
    // Deletes take a second: long enough to look at a deployment while it is still deleting.
    emulator = await startTestEmulator({ deploySeconds: 1 });
    Object.assign(process.env, pipelineSettings(azurite, emulator, { DEPLOYMENT_QUOTA: '3', DEPLOYMENT_QUOTA_POLICY: 'evict-lru' }));
    const clients = pipelineClients(azurite, emulator);
    await clients.runs.createIfNotExists();
    const file = await uploadProcessed(clients.openai, LAB_TRAINING);
    const job = await untilJob(clients.openai, (await clients.openai.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file })).id, ['succeeded']);
    const model = job.fine_tuned_model!;
    // Three fine-tuned deployments (the quota) and one base-model deployment, which does not count.
    for (const name of ['served', 'idle-old', 'idle-new', 'hand-made']) {
      await clients.arm.deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, name, deploymentBody(name === 'hand-made' ? BASE_MODEL : model), { updateIntervalInMs: 100 });
    }
    const at = new Date().toISOString();
    for (const name of ['served', 'idle-old', 'idle-new']) {
      await recordDeployment(clients.runs, { deploymentName: name, dataset: 'd', alias: 'd', model, runId: `${name}-run`, createdAt: at, updatedAt: at });
    }
    const store = new AliasStore(clients.runs);
    await store.promote('d', { deploymentName: 'served', model, runId: 'served-run' }, at, 60_000, 'test');
    await store.writeUsage({ deploymentName: 'idle-new', lastUsedAt: new Date(Date.now() + 1000).toISOString() });
  }, 30_000);
  afterAll(async () => {
    process.env = saved;
    await emulator?.close();
    await azurite?.stop();
  });

  it('counts fine-tuned deployments only; a full quota is reported before training and freed (LRU, unaliased) before deploying', async () => {
    const services = getServices();
    const at = new Date().toISOString();
    expect(await checkCapacity(services, { deploymentName: 'd-12345678', mayEvict: false, at })).toEqual({ used: 3, limit: 3, free: false, policy: 'evict-lru' });
    // A retried check for a deployment that exists already: it holds its slot.
    expect((await checkCapacity(services, { deploymentName: 'idle-new', mayEvict: false, at })).free).toBe(true);

    const freed = await checkCapacity(services, { deploymentName: 'd-12345678', mayEvict: true, at });
    expect(freed).toMatchObject({ free: true, evicted: 'idle-old' });
    // Checked again while the evicted deployment is still deleting (it holds its slot until gone, and
    // the orchestration re-checks after Azure refuses the PUT): nothing more is evicted.
    expect((await services.arm.deployments.get(RESOURCE_GROUP, ACCOUNT, 'idle-old')).properties?.provisioningState).toBe('Deleting');
    expect(await checkCapacity(services, { deploymentName: 'd-12345678', mayEvict: true, at })).toEqual({ used: 3, limit: 3, free: false, policy: 'evict-lru' });
    const store = new AliasStore(services.storage.runs);
    expect((await store.getDeployment('idle-old'))).toMatchObject({ deletedAt: at, deletedReason: expect.stringMatching(/evicted/) });
    const { value } = (await (await fetch(`${emulator.url}/__emulator/operations`)).json()) as { value: Array<{ operationName: string; resourceId: string }> };
    expect(value.filter((e) => e.operationName.endsWith('/delete')).map((e) => e.resourceId.split('/').at(-1))).toEqual(['idle-old']);
  });

  it('refuses a name that breaks ARM rules before anything is spent', async () => {
    await expect(checkCapacity(getServices(), { deploymentName: '-bad name', mayEvict: false, at: new Date().toISOString() })).rejects.toBeInstanceOf(PermanentFailure);
  });
});
