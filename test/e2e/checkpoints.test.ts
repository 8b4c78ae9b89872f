/**
 * promotion.checkpoints on the local stack (dev/host + Azurite + emulator): the job's last
 * checkpoints before the final model are deployed, each to its OWN deployment by its `ftchkpt-…`
 * id, evaluated with the candidate, the run's best contender goes to the promotion rule, and the
 * other contenders' deployments are removed. The emulator's operation log shows that no
 * deployment ever changed its model.
 *
 * The emulator's checkpoints answer from the same training pairs as the final model (nothing in
 * Azure's documentation says how a checkpoint's answers differ), so the scores tie and the final
 * model keeps its place: a checkpoint must be strictly better to replace it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluationResult } from '../../src/evaluation/evaluation-result.js';
import { LAB_TRAINING, LAB_VALIDATION } from '../support/paths.js';
import { startPipelineStack, type PipelineStack } from '../support/pipeline-stack.js';
import { waitFor } from '../support/wait.js';

const FINAL = ['succeeded', 'not_promoted', 'failed', 'rejected', 'cancelled'] as const;

describe('checkpoints as contenders (dev/host + Azurite + emulator)', () => {
  let stack: PipelineStack;
  beforeAll(async () => {
    stack = await startPipelineStack({ settings: { CHAT_REGISTRY_TTL_SECONDS: '0' } });
  });
  afterAll(async () => stack?.stop());

  const exists = (name: string): Promise<boolean> => stack.deploymentExists(name);

  it('deploys the last two checkpoints to their own deployments, evaluates them with the candidate, keeps the best and removes the rest', async () => {
    await stack.drop('ckpt.json', JSON.stringify({ hyperparameters: { n_epochs: 3 }, promotion: { checkpoints: 2, graders: ['contains', 'similarity'] } }));
    await stack.drop('ckpt.eval.jsonl', readFileSync(LAB_VALIDATION));
    await stack.drop('ckpt.jsonl', readFileSync(LAB_TRAINING));
    const run = await stack.untilRun('ckpt', FINAL, 60_000);
    expect(run.error).toBeUndefined();
    expect(run.status).toBe('succeeded');

    // What Azure lists: one checkpoint per epoch of the last three; the newest is the final model's.
    const listed = [];
    for await (const c of stack.openai.fineTuning.jobs.checkpoints.list(run.job!.id)) listed.push(c);
    const steps = listed.map((c) => c.step_number).sort((a, b) => b - a);
    expect(steps).toHaveLength(3);

    const evaluation = JSON.parse((await stack.runs.getBlobClient(`${run.runId}/evaluation.json`).downloadToBuffer()).toString('utf8')) as EvaluationResult;
    const contenders = evaluation.contenders.map((c) => ({ role: c.role, deployment: c.deployment, model: c.model, step: c.step }));
    expect(contenders.map((c) => c.role)).toEqual(['candidate', `checkpoint-${steps[1]}`, `checkpoint-${steps[2]}`]);
    for (const c of contenders.slice(1)) {
      expect(c.model).toBe(listed.find((l) => l.step_number === c.step)?.id); // deployed by its ftchkpt- id
      expect(c.model).toMatch(/^ftchkpt-[0-9a-f]+$/);
      expect(c.deployment).toBe(`${run.deployment!.name}-s${c.step}`);
    }
    // Every contender answered every prompt and was scored.
    for (const c of contenders) expect(evaluation.aggregates[c.role]?.['similarity'], c.role).toEqual(expect.any(Number));
    expect(evaluation.examples.every((e) => contenders.every((c) => e.answers[c.role]?.text))).toBe(true);

    // Ties keep the final model; the winner is recorded in evaluation.json, evaluation.md and the run record.
    expect(evaluation.winner).toMatchObject({ role: 'candidate', deployment: run.deployment!.name, model: run.job!.fineTunedModel });
    expect(run.evaluation?.winner?.role).toBe('candidate');
    expect(run.deployment?.model).toBe(run.job!.fineTunedModel);
    const markdown = (await stack.runs.getBlobClient(`${run.runId}/evaluation.md`).downloadToBuffer()).toString('utf8');
    expect(markdown).toMatch(/\*\*Run's best contender:\*\* candidate/);
    expect(markdown).toContain(`checkpoint-${steps[1]}`);
    const succeeded = (await stack.queued(run.runId)).find((e) => e.type === 'run.succeeded');
    expect(succeeded?.data['scores']).toMatchObject({ winner: 'candidate', contenders: { candidate: expect.any(Object), [`checkpoint-${steps[1]}`]: expect.any(Object) } });
    console.log(`contenders' similarity: ${contenders.map((c) => `${c.role} ${evaluation.aggregates[c.role]?.['similarity']}`).join(', ')}`);

    // The losers' deployments are gone (in Azure and in the registry); the alias serves the winner.
    for (const c of contenders.slice(1)) {
      await waitFor(async () => ((await exists(c.deployment)) ? undefined : true), `the deployment of ${c.role} to be deleted`);
    }
    const view = (await (await fetch(`${stack.host.url}/api/aliases`)).json()) as { aliases: Array<{ alias: string; current: { deployment: string } }>; deployments: Array<{ deployment: string; state: string }> };
    expect(view.aliases.find((a) => a.alias === 'ckpt')?.current.deployment).toBe(run.deployment!.name);
    for (const c of contenders.slice(1)) expect(view.deployments.find((d) => d.deployment === c.deployment)?.state).toBe('deleted');
    expect(await exists(run.deployment!.name)).toBe(true);

    // The operation log: each checkpoint got a NEW deployment; no deployment ever served two models.
    const { value } = (await (await fetch(`${stack.emulator.url}/__emulator/operations`)).json()) as {
      value: Array<{ operationName: string; resourceId: string; properties: { model?: string } }>;
    };
    const writes = value.filter((e) => e.operationName === 'Microsoft.CognitiveServices/accounts/deployments/write');
    expect(writes).toHaveLength(3);
    const modelsByDeployment = new Map<string, Set<string>>();
    for (const w of writes) {
      const key = w.resourceId.toLowerCase();
      modelsByDeployment.set(key, (modelsByDeployment.get(key) ?? new Set()).add(w.properties.model ?? '?'));
    }
    expect(modelsByDeployment.size).toBe(3);
    for (const [deployment, models] of modelsByDeployment) expect([...models], deployment).toHaveLength(1);
    const deletes = value.filter((e) => e.operationName.endsWith('deployments/delete')).map((e) => e.resourceId.split('/').at(-1));
    expect(deletes.sort()).toEqual(contenders.slice(1).map((c) => c.deployment).sort());
  }, 90_000);
});
