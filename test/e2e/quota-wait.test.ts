/**
 * DEPLOYMENT_QUOTA_POLICY=wait against the resource's fine-tuned deployment quota as the EMULATOR
 * enforces it (dev/aoai-emulator/azure-facts.ts LIMITS): when Azure refuses the deployment with
 * InsufficientQuota — even though the app's own count (a raised DEPLOYMENT_QUOTA it does not really
 * have) thought there was room — the run waits with a notification, evicts nothing, and deploys
 * once a slot frees up.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FINE_TUNED_DEPLOYMENTS } from '../../dev/aoai-emulator/deployments.js';
import { LAB_TRAINING, LAB_VALIDATION } from '../support/paths.js';
import { ACCOUNT, RESOURCE_GROUP, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';
import { fillByHand, liveNames, noModelChanges, operations, untilWaitingForCapacity } from '../support/quota.js';

const training = readFileSync(LAB_TRAINING);
const FINAL = ['succeeded', 'not_promoted', 'failed', 'rejected', 'cancelled'] as const;

describe('quota full as Azure counts it, DEPLOYMENT_QUOTA_POLICY=wait', () => {
  let stack: PipelineStack;
  beforeAll(async () => {
    // The app believes it has room (a raised quota it does not really have): Azure's refusal decides.
    stack = await startPipelineStack({ settings: { DEPLOYMENT_QUOTA: '50', DEPLOYMENT_QUOTA_POLICY: 'wait' } });
  });
  afterAll(async () => stack?.stop());

  it('waits with a notification when Azure refuses the deployment for quota, and deploys once a slot frees up', async () => {
    await stack.drop('first.jsonl', training);
    const first = await stack.untilRun('first', FINAL, 60_000);
    expect(first.status).toBe('succeeded');
    const byHand = await fillByHand(stack, first.job!.fineTunedModel!, MAX_FINE_TUNED_DEPLOYMENTS - 1);
    expect(await liveNames(stack)).toHaveLength(MAX_FINE_TUNED_DEPLOYMENTS);

    await stack.drop('second.jsonl', readFileSync(LAB_VALIDATION));
    const waiting = await untilWaitingForCapacity(stack, 'second', 60_000);
    expect(waiting.status).toBe('deploying');
    const refused = (await operations(stack)).filter((o) => o.status === 'Failed' && o.errorCode === 'InsufficientQuota');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    // Nothing of the app's was deleted to make room: `wait` never evicts.
    expect((await operations(stack)).filter((o) => o.operationName.endsWith('deployments/delete'))).toEqual([]);

    await stack.arm.deployments.beginDeleteAndWait(RESOURCE_GROUP, ACCOUNT, byHand[0]!, { updateIntervalInMs: 100 });
    const done = await stack.untilRun('second', FINAL, 40_000);
    expect(done.status).toBe('succeeded');
    expect((await stack.queued(done.runId)).map((e) => e.type)).toEqual(['run.training', 'run.waiting_for_capacity', 'run.succeeded']);
    expect(await liveNames(stack)).toContain(done.deployment!.name);
    noModelChanges(await operations(stack));
  }, 150_000);

  it('a run waiting after Azure refused its deployment can still be cancelled (nothing is deploying)', async () => {
    expect(await liveNames(stack)).toHaveLength(MAX_FINE_TUNED_DEPLOYMENTS); // full again: first (previous), second, byhand-1..8
    const refused = async (): Promise<number> => (await operations(stack)).filter((o) => o.errorCode === 'InsufficientQuota').length;
    const refusedBefore = await refused();
    await stack.drop('third.jsonl', training);
    const waiting = await untilWaitingForCapacity(stack, 'third', 60_000);
    expect(waiting.status).toBe('deploying');
    // The app counted room (DEPLOYMENT_QUOTA 50) and sent the PUT; Azure refused it, so nothing is deploying.
    expect(await refused()).toBeGreaterThan(refusedBefore);
    expect((await fetch(`${stack.host.url}/api/runs/${waiting.runId}/cancel`, { method: 'POST' })).status).toBe(202);
    const run = await stack.untilRun('third', ['cancelled', 'succeeded', 'failed'], 30_000);
    expect(run.status).toBe('cancelled');
    expect(run.cancellation).toMatchObject({ by: 'api', outcome: 'cancelled', phase: 'deploying' });
    expect(await liveNames(stack)).toHaveLength(MAX_FINE_TUNED_DEPLOYMENTS);
  }, 120_000);
});
