/**
 * DPO and reinforcement fine-tuning end to end on the local stack (dev/host + Azurite + emulator):
 * a preference dataset and a reinforcement dataset with its grader file each go from the drop to a
 * succeeded deployment, with the method's own metric in the chart; malformed variants of each are
 * rejected before anything is uploaded, with the right code and line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHODS_DIR } from '../support/paths.js';
import { ACCOUNT, RESOURCE_GROUP, startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';

const read = (name: string): Buffer => readFileSync(path.join(METHODS_DIR, name));
const FINAL = ['succeeded', 'failed', 'rejected', 'cancelled'] as const;

describe('DPO and RFT runs end to end', () => {
  let stack: PipelineStack;

  beforeAll(async () => {
    stack = await startPipelineStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const artifact = async (runId: string, name: string): Promise<string> =>
    (await stack.runs.getBlobClient(`${runId}/${name}`).downloadToBuffer()).toString('utf8');

  it('a preference dataset trains with method dpo and is deployed; the chart shows the DPO loss', async () => {
    await stack.drop('methods/tone.json', JSON.stringify({ baseModel: 'gpt-4.1-mini-2025-04-14', method: { type: 'dpo', hyperparameters: { beta: 0.2 } } }));
    await stack.drop('methods/tone.jsonl', read('preference.jsonl'));
    const run = await stack.untilRun('methods/tone', FINAL);
    expect(run.error, JSON.stringify(run.validation)).toBeUndefined();
    expect(run.status).toBe('succeeded');
    const job = await stack.openai.fineTuning.jobs.retrieve(run.job!.id);
    expect(job.method).toMatchObject({ type: 'dpo', dpo: { hyperparameters: { beta: 0.2 } } });
    const deployment = await stack.arm.deployments.get(RESOURCE_GROUP, ACCOUNT, run.deployment!.name);
    expect(deployment.properties?.provisioningState).toBe('Succeeded');
    expect(await artifact(run.runId, 'loss.svg')).toContain('training DPO loss');
  });

  it('a reinforcement dataset with its grader file trains on o4-mini and is deployed; results carry the reward, the chart draws it', async () => {
    await stack.drop('methods/capitals.json', JSON.stringify({ baseModel: 'o4-mini-2025-04-16', method: { type: 'reinforcement', hyperparameters: { eval_interval: 2 } } }));
    await stack.drop('methods/capitals.validation.jsonl', read('reinforcement.validation.jsonl'));
    await stack.drop('methods/capitals.grader.json', read('reinforcement.grader.json'));
    await stack.drop('methods/capitals.jsonl', read('reinforcement.jsonl'));
    const run = await stack.untilRun('methods/capitals', FINAL);
    expect(run.error, JSON.stringify(run.validation)).toBeUndefined();
    expect(run.status, JSON.stringify(run.validation)).toBe('succeeded');
    expect(run.inputs.grader?.snapshot).toBe(`${run.runId}/inputs/grader.json`);
    // The job was created with the grader file's grader: the emulator refuses a reinforcement job without one (or with a malformed one).
    expect(run.options?.method).toMatchObject({ type: 'reinforcement', grader: JSON.parse(read('reinforcement.grader.json').toString('utf8')) });
    const job = await stack.openai.fineTuning.jobs.retrieve(run.job!.id);
    expect(job.method?.type).toBe('reinforcement');
    const csv = await artifact(run.runId, 'results.csv');
    expect(csv.split('\n')[0]).toBe('step,train_reward_mean,valid_reward_mean,train_reasoning_tokens_mean,valid_reasoning_tokens_mean');
    const svg = await artifact(run.runId, 'loss.svg');
    expect(svg).toContain('class="train-reward"');
    expect(svg).toContain('mean reward per step');
    const deployment = await stack.arm.deployments.get(RESOURCE_GROUP, ACCOUNT, run.deployment!.name);
    expect(deployment.properties?.provisioningState).toBe('Succeeded');
  });

  it('malformed variants are rejected before upload with the code and the line', async () => {
    const dpoLines = read('preference.jsonl').toString('utf8').trimEnd().split('\n');
    dpoLines[2] = JSON.stringify({ ...JSON.parse(dpoLines[2]!), non_preferred_output: [] });
    await stack.drop('bad/tone.json', JSON.stringify({ baseModel: 'gpt-4.1-mini-2025-04-14', method: { type: 'dpo' } }));
    await stack.drop('bad/tone.jsonl', `${dpoLines.join('\n')}\n`);
    const rftLines = read('reinforcement.jsonl').toString('utf8').trimEnd().split('\n');
    rftLines[5] = JSON.stringify({ messages: [{ role: 'user', content: 'What is the capital of Peru?' }] });
    await stack.drop('bad/capitals.json', JSON.stringify({ baseModel: 'o4-mini-2025-04-16', method: { type: 'reinforcement' } }));
    await stack.drop('bad/capitals.validation.jsonl', read('reinforcement.validation.jsonl'));
    await stack.drop('bad/capitals.grader.json', read('reinforcement.grader.json'));
    await stack.drop('bad/capitals.jsonl', `${rftLines.join('\n')}\n`);
    await stack.drop('bad/sft-on-o4.json', JSON.stringify({ baseModel: 'o4-mini-2025-04-16' }));
    await stack.drop('bad/sft-on-o4.jsonl', readFileSync(path.join(METHODS_DIR, '../lab/training_set.jsonl')));

    const dpo = await stack.untilRun('bad/tone', FINAL);
    expect(dpo.status).toBe('rejected');
    expect(dpo.validation?.errors).toEqual([expect.objectContaining({ code: 'dpo_invalid_output', line: 3, field: 'non_preferred_output' })]);
    const rft = await stack.untilRun('bad/capitals', FINAL);
    expect(rft.status).toBe('rejected');
    expect(rft.validation?.errors, JSON.stringify(rft.validation?.errors)).toEqual([expect.objectContaining({ code: 'rft_missing_reference_field', line: 6, field: 'answer' })]);
    const sft = await stack.untilRun('bad/sft-on-o4', FINAL);
    expect(sft.status).toBe('rejected');
    expect(sft.validation?.errors[0]?.message).toMatch(/does not support supervised fine-tuning \(it supports reinforcement\)/);
    expect(sft.job).toBeUndefined();
    // Nothing was uploaded for any of them.
    const uploaded = await stack.openai.files.list();
    expect(uploaded.data.map((f) => f.filename).filter((n) => n.includes('bad'))).toEqual([]);
  });
});
