/**
 * Models earn their alias, end to end on the local stack (dev/host + Azurite + emulator):
 * train → promoted; retrain with better data → a second deployment, evaluated against the
 * champion, alias switched (blue/green); a worse dataset → not_promoted, alias unchanged;
 * rollback and roll forward; the superseded deployment deleted after the grace period; a
 * deployment deleted behind the app's back re-created by the next chat request; and, from the
 * emulator's operation log, no deployment ever changed its model.
 */
import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AliasView } from '../../src/aliases/alias-view.js';
import type { RunRecord } from '../../src/runs/run-record.js';
import { LAB_TRAINING, LAB_VALIDATION } from '../support/paths.js';
import { ACCOUNT, RESOURCE_GROUP, startPipelineStack, type PipelineStack, type RunView } from '../support/pipeline-stack.js';
import { waitFor } from '../support/wait.js';

interface Example {
  messages: Array<{ role: string; content: string }>;
}
const read = (file: string): Example[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Example);
const jsonl = (examples: Example[]): string => `${examples.map((e) => JSON.stringify(e)).join('\n')}\n`;
const question = (e: Example): string => e.messages[1]!.content;

// The evaluation set: the lab's validation examples (held out from v1).
const evalSet = read(LAB_VALIDATION);
const v1 = read(LAB_TRAINING);
// Better data: v1 plus examples that teach the eval questions (asked in other words).
const v2 = [...v1, ...evalSet.map((e) => ({ messages: [e.messages[0]!, { role: 'user', content: `Tell me: ${question(e)}` }, e.messages[2]!] }))];
// Worse data: the same questions, unhelpful answers.
const v3 = [...v1, ...evalSet].map((e) => ({ messages: [e.messages[0]!, e.messages[1]!, { role: 'assistant', content: 'Whatever. Look it up yourself.' }] }));

const GRACE_SECONDS = 25;
const FINAL = ['succeeded', 'not_promoted', 'failed', 'rejected', 'cancelled'] as const;

describe('promotion, rollback and the deployment lifecycle (dev/host + Azurite + emulator)', () => {
  let stack: PipelineStack;
  let app: OpenAI;
  const seen = new Set<string>();

  /** Drops a training file and waits for the NEW run it starts to end. */
  async function train(content: string): Promise<RunView> {
    await stack.drop('sarcasm.jsonl', content);
    const runId = await waitFor(async () => {
      const { runs } = (await (await fetch(`${stack.host.url}/api/runs?dataset=sarcasm`)).json()) as { runs: RunRecord[] };
      return runs.find((r) => !seen.has(r.runId) && (FINAL as readonly string[]).includes(r.status))?.runId;
    }, 'a new sarcasm run to end', 60_000, 200);
    seen.add(runId);
    return stack.run(runId);
  }
  const aliases = async (): Promise<{ aliases: AliasView[]; deployments: Array<{ deployment: string; state: string; runId: string }> }> =>
    (await (await fetch(`${stack.host.url}/api/aliases`)).json()) as never;
  const sarcasm = async (): Promise<AliasView> => (await aliases()).aliases.find((a) => a.alias === 'sarcasm')!;
  const ask = (content: string) => app.chat.completions.create({ model: 'sarcasm', messages: [{ role: 'user', content }] });
  const exists = (name: string): Promise<boolean> => stack.deploymentExists(name);

  beforeAll(async () => {
    stack = await startPipelineStack({
      settings: { ALIAS_GRACE_SECONDS: String(GRACE_SECONDS), LIFECYCLE_SCHEDULE: '*/2 * * * * *', CHAT_REGISTRY_TTL_SECONDS: '0', LAST_USE_FLUSH_SECONDS: '1' },
    });
    app = new OpenAI({ baseURL: `${stack.host.url}/api/v1`, apiKey: 'unused-locally', maxRetries: 0 });
    await stack.drop('sarcasm.eval.jsonl', jsonl(evalSet));
  });
  afterAll(async () => {
    await stack?.stop();
  });

  let first: RunView;
  let second: RunView;

  it('the first run has no champion: its own deployment, evaluated on the eval file, promoted', async () => {
    first = await train(jsonl(v1));
    expect(first.error).toBeUndefined();
    expect(first.status).toBe('succeeded');
    expect(first.deployment?.name).toMatch(/^sarcasm-[0-9a-f]{8}-[0-9a-f]{8}$/);
    expect(first.promotion).toMatchObject({ alias: 'sarcasm', promoted: true, reason: 'the alias has no champion yet' });
    expect(first.evaluation?.set).toMatchObject({ kind: 'eval', examples: 10 });
    expect(first.validation?.estimatedTrainingCost).toMatchObject({ currency: 'USD', trainingType: 'Standard' });
    expect(first.validation?.estimatedTrainingCost?.amount).toBeGreaterThan(0);
    for (const name of ['evaluation.json', 'evaluation.md', 'evaluation.svg']) expect(first.artifacts).toContain(name);
    const alias = await sarcasm();
    expect(alias.current).toMatchObject({ deployment: first.deployment?.name, runId: first.runId });
    expect(alias.previous).toBeNull();
  });

  it('retrained with better data: a second deployment beats the champion and takes the alias; the old one stays for the grace period', async () => {
    second = await train(jsonl(v2));
    expect(second.status).toBe('succeeded');
    expect(second.deployment?.name).not.toBe(first.deployment?.name);
    const { aggregates, decision } = second.evaluation!;
    expect(aggregates.champion?.['similarity']).toBeLessThan(aggregates.candidate!['similarity']!);
    expect(decision.promote).toBe(true);
    const evaluation = JSON.parse((await stack.runs.getBlobClient(`${second.runId}/evaluation.json`).downloadToBuffer()).toString('utf8'));
    expect(evaluation.contenders.map((c: { role: string; deployment: string }) => [c.role, c.deployment])).toEqual([
      ['candidate', second.deployment?.name],
      ['champion', first.deployment?.name],
    ]);
    expect(evaluation.examples).toHaveLength(10);
    const markdown = (await stack.runs.getBlobClient(`${second.runId}/evaluation.md`).downloadToBuffer()).toString('utf8');
    expect(markdown).toContain('**Decision:** promote');

    const alias = await sarcasm();
    expect(alias.current.deployment).toBe(second.deployment?.name);
    expect(alias.previous?.deployment).toBe(first.deployment?.name);
    expect(await exists(first.deployment!.name)).toBe(true);
    const answer = await ask("What's the capital of Australia?");
    expect(answer?.choices[0]?.message.content).toBe("It's Canberra, not Sydney. Shocking, I know!");
    expect(answer?.model).toBe(second.job?.fineTunedModel);
  });

  it('rollback returns the alias to the previous model at once; rolling back again rolls forward', async () => {
    const back = await fetch(`${stack.host.url}/api/aliases/sarcasm/rollback`, { method: 'POST' });
    expect(back.status).toBe(200);
    expect((await sarcasm()).current.deployment).toBe(first.deployment?.name);
    expect((await ask("What's the capital of Australia?"))?.model).toBe(first.job?.fineTunedModel);
    const forward = await fetch(`${stack.host.url}/api/aliases/sarcasm/rollback`, { method: 'POST' });
    expect(forward.status).toBe(200);
    const alias = await sarcasm();
    expect(alias.current.deployment).toBe(second.deployment?.name);
    expect(alias.history.map((h) => h.action)).toEqual(['promote', 'promote', 'rollback', 'rollback']);
    expect((await fetch(`${stack.host.url}/api/aliases/nope/rollback`, { method: 'POST' })).status).toBe(404);
    const rolledBack = [...(await stack.queued(first.runId)), ...(await stack.queued(second.runId))].filter((e) => e.type === 'alias.rolled_back');
    expect(rolledBack.map((e) => e.data['deployment'])).toEqual([first.deployment?.name, second.deployment?.name]);
  });

  it('a deliberately worse dataset ends not_promoted: scores side by side, its deployment removed, the champion still answers', async () => {
    const worse = await train(jsonl(v3));
    expect(worse.status).toBe('not_promoted');
    expect(worse.promotion).toMatchObject({ promoted: false });
    expect(worse.evaluation!.aggregates.candidate!['similarity']!).toBeLessThan(worse.evaluation!.aggregates.champion!['similarity']!);
    expect(worse.deployment).toMatchObject({ deleted: true });
    await waitFor(async () => ((await exists(worse.deployment!.name)) ? undefined : true), 'the rejected deployment to be deleted');
    const event = (await stack.queued(worse.runId)).find((e) => e.type === 'run.not_promoted');
    expect(event?.data).toMatchObject({ alias: 'sarcasm', scores: { metric: 'similarity', candidate: expect.any(Object), champion: expect.any(Object) } });
    expect((await sarcasm()).current.deployment).toBe(second.deployment?.name);
    expect((await ask("What's the capital of Australia?"))?.choices[0]?.message.content).toBe("It's Canberra, not Sydney. Shocking, I know!");
  });

  it('the superseded deployment is deleted once the grace period is over', async () => {
    const alias = await sarcasm();
    expect(alias.previous?.deployment).toBe(first.deployment?.name);
    await waitFor(async () => ((await exists(first.deployment!.name)) ? undefined : true), 'the previous deployment to be deleted', (GRACE_SECONDS + 15) * 1000, 500);
    const after = await aliases();
    expect(after.aliases.find((a) => a.alias === 'sarcasm')?.previous).toBeNull();
    expect(after.deployments.find((d) => d.deployment === first.deployment?.name)?.state).toBe('deleted');
    expect((await fetch(`${stack.host.url}/api/aliases/sarcasm/rollback`, { method: 'POST' })).status).toBe(409);
  }, 60_000);

  it('a deployment deleted behind the app\'s back is re-created by the next chat request (503 + Retry-After meanwhile)', async () => {
    const name = second.deployment!.name;
    await stack.arm.deployments.beginDeleteAndWait(RESOURCE_GROUP, ACCOUNT, name, { updateIntervalInMs: 100 });
    const response = await fetch(`${stack.host.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sarcasm', messages: [{ role: 'user', content: 'What is the smallest planet?' }] }),
    });
    const body = await response.text();
    expect(`${response.status} ${body}`).toMatch(/^503 /);
    expect(response.headers.get('retry-after')).toBe('30');
    expect((JSON.parse(body) as { error: { code: string } }).error.code).toBe('deployment_provisioning');
    const answered = await waitFor(async () => {
      try {
        return await ask('What is the smallest planet?');
      } catch {
        return undefined;
      }
    }, 'the re-created deployment to answer', 20_000, 300);
    expect(answered?.model).toBe(second.job?.fineTunedModel);
    const deployment = await stack.arm.deployments.get(RESOURCE_GROUP, ACCOUNT, name);
    expect(deployment.properties?.model?.name).toBe(second.job?.fineTunedModel);
    const recreated = (await stack.queued(second.runId)).filter((e) => e.type === 'deployment.recreated');
    expect(recreated.map((e) => e.data)).toEqual([expect.objectContaining({ alias: 'sarcasm', deployment: name, model: second.job?.fineTunedModel })]);
    // Recorded on the run as well, with the queue message's id: its page lists the re-creation.
    expect((await stack.run(second.runId)).notifications?.filter((n) => n.type === 'deployment.recreated').map((n) => n.id)).toEqual(recreated.map((e) => e.id));
    const view = (await aliases()).deployments.find((d) => d.deployment === name) as unknown as { state: string; deletedAt: string | null };
    expect(view).toMatchObject({ state: 'current', deletedAt: null });
  });

  it('no deployment ever changed its model (the emulator operation log)', async () => {
    const { value } = (await (await fetch(`${stack.emulator.url}/__emulator/operations`)).json()) as {
      value: Array<{ operationName: string; resourceId: string; httpRequest: { method: string }; properties: { model?: string } }>;
    };
    const writes = value.filter((e) => e.operationName === 'Microsoft.CognitiveServices/accounts/deployments/write');
    expect(writes.length).toBeGreaterThanOrEqual(4); // three candidates and one re-creation
    const modelsByDeployment = new Map<string, Set<string>>();
    for (const w of writes) {
      const key = w.resourceId.toLowerCase();
      modelsByDeployment.set(key, (modelsByDeployment.get(key) ?? new Set()).add(w.properties.model ?? '?'));
    }
    for (const [deployment, models] of modelsByDeployment) expect([...models], deployment).toHaveLength(1);
    expect(value.some((e) => e.operationName.endsWith('deployments/delete') && e.resourceId.endsWith(`/${first.deployment?.name}`))).toBe(true);
  });
});
