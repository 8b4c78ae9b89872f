/**
 * The resource's fine-tuned deployment quota, as the EMULATOR enforces it (Azure's "Max fine-tuned
 * model deployments" per resource; dev/aoai-emulator/azure-facts.ts LIMITS cites the quotas and
 * limits page), not the app's own count:
 *  - `evict-lru`: with the resource full, the least recently used deployment the app made that no
 *    alias points at is deleted, and the new run deploys; deployments the app did not make, the
 *    alias's own and a recently used one are left alone.
 * (`wait`, where Azure's own refusal decides: quota-wait.test.ts; one stack per file.)
 */
import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FINE_TUNED_DEPLOYMENTS } from '../../dev/aoai-emulator/deployments.js';
import type { AliasView } from '../../src/aliases/alias-view.js';
import { LAB_TRAINING, LAB_VALIDATION } from '../support/paths.js';
import { ACCOUNT, RESOURCE_GROUP, startPipelineStack, type PipelineStack, type RunView } from '../support/pipeline-stack.js';
import { fillByHand, liveNames, noModelChanges, operations } from '../support/quota.js';
import { waitFor } from '../support/wait.js';

const training = readFileSync(LAB_TRAINING);
const FINAL = ['succeeded', 'not_promoted', 'failed', 'rejected', 'cancelled'] as const;

describe('quota full, DEPLOYMENT_QUOTA_POLICY=evict-lru (default DEPLOYMENT_QUOTA: Azure\'s per-resource limit)', () => {
  let stack: PipelineStack;
  beforeAll(async () => {
    stack = await startPipelineStack({ settings: { DEPLOYMENT_QUOTA_POLICY: 'evict-lru', CHAT_REGISTRY_TTL_SECONDS: '0', LAST_USE_FLUSH_SECONDS: '1' } });
  });
  afterAll(async () => stack?.stop());

  it('evicts the least recently used non-aliased deployment of the app, and the new run deploys', async () => {
    // The alias's deployment (protected), then two runs kept off their alias (manual mode): eviction candidates.
    await stack.drop('served.jsonl', training);
    const served = await stack.untilRun('served', FINAL, 60_000);
    expect(served.status).toBe('succeeded');
    const manual = async (name: string): Promise<RunView> => {
      await stack.drop(`${name}.json`, JSON.stringify({ promotion: { mode: 'manual' } }));
      await stack.drop(`${name}.jsonl`, training);
      const run = await stack.untilRun(name, FINAL, 60_000);
      expect(run.status).toBe('succeeded');
      expect(run.promotion).toMatchObject({ promoted: false, mode: 'manual' });
      return run;
    };
    const older = await manual('older');
    const newer = await manual('newer');
    // The older one is used through the app's chat endpoint: now the newer one is the least recently used.
    const app = new OpenAI({ baseURL: `${stack.host.url}/api/v1`, apiKey: 'unused-locally', maxRetries: 0 });
    await app.chat.completions.create({ model: older.deployment!.name, messages: [{ role: 'user', content: 'hello' }] });
    await waitFor(async () => ((await stack.runs.getBlobClient(`usage/${older.deployment!.name}.json`).exists()) ? true : undefined), 'the last use to be recorded');

    // Fill the resource to the emulator's limit with deployments the app did not make.
    const byHand = await fillByHand(stack, served.job!.fineTunedModel!, MAX_FINE_TUNED_DEPLOYMENTS - 3);
    expect(await liveNames(stack)).toHaveLength(MAX_FINE_TUNED_DEPLOYMENTS);
    // The resource really is full: Azure (the emulator) refuses one more.
    await expect(
      stack.arm.deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, 'one-too-many', { sku: { name: 'Standard', capacity: 1 }, properties: { model: { format: 'OpenAI', name: served.job!.fineTunedModel!, version: '1' } } }),
    ).rejects.toMatchObject({ code: 'InsufficientQuota' });

    await stack.drop('incoming.jsonl', readFileSync(LAB_VALIDATION));
    const incoming = await stack.untilRun('incoming', FINAL, 60_000);
    expect(incoming.error).toBeUndefined();
    expect(incoming.status).toBe('succeeded');

    const live = await liveNames(stack);
    expect(live).not.toContain(newer.deployment!.name); // evicted: least recently used, no alias
    for (const kept of [served.deployment!.name, older.deployment!.name, incoming.deployment!.name, ...byHand]) expect(live).toContain(kept);
    expect(live).toHaveLength(MAX_FINE_TUNED_DEPLOYMENTS);
    const { deployments } = (await (await fetch(`${stack.host.url}/api/aliases`)).json()) as { aliases: AliasView[]; deployments: Array<{ deployment: string; state: string; deletedReason?: string }> };
    expect(deployments.find((d) => d.deployment === newer.deployment!.name)).toMatchObject({ state: 'deleted' });
    const ops = await operations(stack);
    const deletes = ops.filter((o) => o.operationName.endsWith('deployments/delete')).map((o) => o.resourceId.split('/').at(-1));
    expect(deletes).toEqual([newer.deployment!.name]); // exactly one eviction
    noModelChanges(ops);
  }, 180_000);
});
