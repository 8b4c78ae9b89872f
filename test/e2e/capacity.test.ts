/**
 * Deployment capacity and manual promotion on the local stack: with the resource's fine-tuned
 * deployment quota full, a trained run waits for a slot (and says so in a notification) instead
 * of failing; a manual-mode candidate stays off the alias until `POST /api/aliases/{alias}/promote`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AliasView } from '../../src/aliases/alias-view.js';
import { LAB_TRAINING, LAB_VALIDATION } from '../support/paths.js';
import { ACCOUNT, RESOURCE_GROUP, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';
import { untilWaitingForCapacity } from '../support/quota.js';

const training = readFileSync(LAB_TRAINING);
const twenty = `${training.toString('utf8').trimEnd()}\n${readFileSync(LAB_VALIDATION, 'utf8').trimEnd()}\n`;
const FINAL = ['succeeded', 'not_promoted', 'failed', 'rejected', 'cancelled'] as const;

describe('deployment quota and manual promotion (dev/host + Azurite + emulator)', () => {
  let stack: PipelineStack;
  beforeAll(async () => {
    stack = await startPipelineStack({ settings: { DEPLOYMENT_QUOTA: '2', DEPLOYMENT_QUOTA_POLICY: 'wait', CHAT_REGISTRY_TTL_SECONDS: '0' } });
  });
  afterAll(async () => stack?.stop());

  const aliases = async (): Promise<AliasView[]> => ((await (await fetch(`${stack.host.url}/api/aliases`)).json()) as { aliases: AliasView[] }).aliases;

  it('manual mode: the candidate is deployed and evaluated but the alias waits for POST /api/aliases/{alias}/promote', async () => {
    await stack.drop('manual.json', JSON.stringify({ promotion: { mode: 'manual', graders: ['contains', 'similarity'] } }));
    await stack.drop('manual.jsonl', training);
    const run = await stack.untilRun('manual', FINAL);
    expect(run.status).toBe('succeeded');
    expect(run.promotion).toMatchObject({ promoted: false, recommended: true, mode: 'manual' });
    expect(run.evaluation?.set.kind).toBe('training'); // 10 examples: too few to hold any out, and the report says so
    expect((await aliases()).map((a) => a.alias)).not.toContain('manual');

    const missing = await fetch(`${stack.host.url}/api/aliases/manual/promote`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(400);
    const wrong = await fetch(`${stack.host.url}/api/aliases/manual/promote`, { method: 'POST', body: JSON.stringify({ runId: 'nope' }) });
    expect(wrong.status).toBe(404);
    const promote = await fetch(`${stack.host.url}/api/aliases/manual/promote`, { method: 'POST', body: JSON.stringify({ runId: run.runId }) });
    expect(promote.status).toBe(200);
    const alias = (await aliases()).find((a) => a.alias === 'manual');
    expect(alias?.current).toMatchObject({ deployment: run.deployment?.name, runId: run.runId });
    expect(alias?.current.hostingCost.currency).toBe('USD');
    expect((await stack.run(run.runId)).promotion).toMatchObject({ promoted: true, mode: 'manual', reason: 'promoted on request' });
    expect((await fetch(`${stack.host.url}/api/aliases/manual/promote`, { method: 'POST', body: JSON.stringify({ runId: run.runId }) })).status).toBe(409);
  });

  it('quota full: a trained run waits for a free slot with a notification, and deploys once one is freed', async () => {
    await stack.drop('first.jsonl', twenty);
    const first = await stack.untilRun('first', FINAL);
    expect(first.status).toBe('succeeded'); // two deployments now: the quota of 2 is full
    // No eval or validation file: the last 10% were held out of the upload and judged the model.
    expect(first.evaluation?.set).toMatchObject({ kind: 'holdout', examples: 2, blob: `${first.runId}/evaluation-set.jsonl` });
    expect(first.evaluation?.set.note).toMatch(/last 2 example\(s\) of the training file \(from line 19\)/);
    const uploaded = (await stack.runs.getBlobClient(`${first.runId}/inputs/training-without-holdout.jsonl`).downloadToBuffer()).toString('utf8');
    expect(uploaded.trim().split('\n')).toHaveLength(18);
    expect(first.artifacts).toEqual(expect.arrayContaining(['inputs/training-without-holdout.jsonl', 'evaluation-set.jsonl']));

    await stack.drop('waiting.jsonl', training);
    const waiting = await untilWaitingForCapacity(stack, 'waiting', 40_000);
    expect(waiting.status).toBe('deploying');
    expect(String(waiting.orchestration?.customStatus?.['jobStatus'])).toMatch(/waiting for deployment quota \(2\/2/);
    const event = (await stack.queued(waiting.runId)).find((e) => e.type === 'run.waiting_for_capacity');
    expect(event?.data).toMatchObject({ used: 2, limit: 2, policy: 'wait' });

    // A slot frees up (someone deletes a deployment): the run carries on by itself.
    await stack.arm.deployments.beginDeleteAndWait(RESOURCE_GROUP, ACCOUNT, first.deployment!.name, { updateIntervalInMs: 100 });
    const done = await stack.untilRun('waiting', FINAL, 40_000);
    expect(done.status).toBe('succeeded');
    expect((await stack.queued(done.runId)).map((e) => e.type)).toEqual(['run.training', 'run.waiting_for_capacity', 'run.succeeded']);
  }, 90_000);
});
