/**
 * The whole flow the pipeline drives, through the real `openai` and `@azure/arm-cognitiveservices`
 * clients: upload → processed → job → succeeded → events/checkpoints/results → deploy → chat → stream.
 */
import { readFileSync } from 'node:fs';
import OpenAI, { AzureOpenAI, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenCounter, validateDataset } from '../../../src/validation/index.js';
import type { RunningEmulator } from '../../../dev/aoai-emulator/index.js';
import {
  ACCOUNT,
  armClient,
  BASE_MODEL,
  deploymentBody,
  openaiClient,
  RESOURCE_GROUP,
  startTestEmulator,
  TRAINING,
  until,
  uploadProcessed,
  VALIDATION,
} from './helpers.js';

interface Message {
  role: string;
  content: string;
}

const trainingExamples = readFileSync(TRAINING, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { messages: Message[] }).messages);

async function* bytes(path: string): AsyncIterable<Buffer> {
  yield readFileSync(path);
}

/** The cookbook's chat prompt token count, computed independently of the emulator. */
function promptTokens(messages: Message[]): number {
  const counter = new TokenCounter('o200k_base');
  return 3 + messages.reduce((sum, m) => sum + 3 + counter.count(m.role) + counter.count(m.content), 0);
}

describe('emulator lifecycle with the real SDK clients', () => {
  let emulator: RunningEmulator;
  let client: AzureOpenAI;
  let trainingId: string;
  let validationId: string;
  let jobId: string;
  let fineTunedModel: string;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = openaiClient(emulator);
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('uploads the lab files: 201 pending, then processed; lists them and returns their bytes', async () => {
    const created = await client.files.create({ file: new File([readFileSync(TRAINING)], 'training_set.jsonl'), purpose: 'fine-tune' });
    expect(created).toMatchObject({ object: 'file', purpose: 'fine-tune', filename: 'training_set.jsonl', status: 'pending' });
    expect(created.id).toMatch(/^file-[0-9a-f]{32}$/);
    expect(created.bytes).toBe(readFileSync(TRAINING).length);
    const processed = await client.files.waitForProcessing(created.id, { pollInterval: 50, maxWait: 10_000 });
    expect(processed.status).toBe('processed');
    trainingId = created.id;
    validationId = await uploadProcessed(client, VALIDATION);

    const listed = await client.files.list();
    expect(listed.data.map((f) => f.id)).toEqual([validationId, trainingId]);
    const content = Buffer.from(await (await client.files.content(trainingId)).arrayBuffer());
    expect(content.equals(readFileSync(TRAINING))).toBe(true);
  });

  it('runs a job pending → running → succeeded and bills the tokens the validator counts', async () => {
    const job = await client.fineTuning.jobs.create({
      model: BASE_MODEL,
      training_file: trainingId,
      validation_file: validationId,
      suffix: 'clippy',
      seed: 1234,
    });
    expect(job).toMatchObject({ object: 'fine_tuning.job', status: 'pending', model: BASE_MODEL, seed: 1234 });
    // Unset fields are left out, as in the description's examples (it declares them as plain strings).
    expect(job).not.toHaveProperty('fine_tuned_model');
    expect(job.id).toMatch(/^ftjob-[0-9a-f]{32}$/);
    expect(job.estimated_finish).toBeGreaterThanOrEqual(job.created_at);
    jobId = job.id;

    const seen: string[] = [job.status];
    const done = await until('the job to finish', async () => {
      const current = await client.fineTuning.jobs.retrieve(jobId);
      if (seen.at(-1) !== current.status) seen.push(current.status);
      return ['succeeded', 'failed', 'cancelled'].includes(current.status) ? current : undefined;
    });
    expect(seen).toEqual(['pending', 'running', 'succeeded']);
    expect(done.fine_tuned_model).toBe(`${BASE_MODEL}.ft-${jobId.slice('ftjob-'.length)}-clippy`);
    expect(done.finished_at).toBeGreaterThanOrEqual(done.created_at);
    expect(done.error).toBeUndefined();
    fineTunedModel = done.fine_tuned_model as string;

    const epochs = done.hyperparameters.n_epochs as number;
    const report = await validateDataset({ source: bytes(TRAINING), path: 'training' }, undefined, { model: BASE_MODEL, epochs });
    expect(report.estimate.billedTokens).toBeGreaterThan(0);
    // The emulator counts tokens its own rough way (never with the app's tokenizer): same order of magnitude.
    expect(done.trained_tokens).toBeGreaterThan(report.estimate.billedTokens / 3);
    expect(done.trained_tokens).toBeLessThan(report.estimate.billedTokens * 3);
    // 10 examples: the service default is 10 epochs, batch size 1.
    expect(done.hyperparameters).toEqual({ n_epochs: 10, batch_size: 1, learning_rate_multiplier: 1 });
  });

  it('reports events newest first, with per-step metrics', async () => {
    const events = [];
    for await (const event of client.fineTuning.jobs.listEvents(jobId, { limit: 25 })) events.push(event);
    expect(events[0]?.message).toBe('Job succeeded.');
    expect(events.at(-1)?.message).toBe('Job enqueued. Waiting for jobs ahead to complete.');
    expect(events.map((e) => e.message)).toContain('Job started.');
    const metrics = events.filter((e) => e.type === 'metrics');
    expect(metrics).toHaveLength(100);
    const last = metrics[0]?.data as Record<string, number>;
    expect(last).toMatchObject({ step: 100, total_steps: 100 });
    for (const key of ['train_loss', 'train_mean_token_accuracy', 'valid_loss', 'valid_mean_token_accuracy']) {
      expect(typeof last[key]).toBe('number');
    }
    const first = metrics.at(-1)?.data as Record<string, number>;
    expect(first['step']).toBe(1);
    expect(last['train_loss']).toBeLessThan(first['train_loss'] as number);
    for (let i = 1; i < events.length; i++) expect(events[i - 1]!.created_at).toBeGreaterThanOrEqual(events[i]!.created_at);
  });

  it('keeps checkpoints of the last three epochs', async () => {
    const page = await client.fineTuning.jobs.checkpoints.list(jobId);
    expect(page.data.map((c) => c.step_number)).toEqual([100, 90, 80]);
    expect(page.data[0]).toMatchObject({
      object: 'fine_tuning.job.checkpoint',
      fine_tuning_job_id: jobId,
      fine_tuned_model_checkpoint: `${fineTunedModel}:ckpt-step-100`,
    });
    expect(page.data[0]?.metrics.step).toBe(100);
    expect(page.data[0]?.id).toMatch(/^ftchkpt-[0-9a-f]{32}$/);
  });

  it('attaches a results.csv with one row per step, served base64-encoded as OpenAI serves it', async () => {
    const job = await client.fineTuning.jobs.retrieve(jobId);
    expect(job.result_files).toHaveLength(1);
    const resultFile = await client.files.retrieve(job.result_files[0] as string);
    expect(resultFile).toMatchObject({ filename: 'results.csv', purpose: 'fine-tune-results', status: 'processed' });
    const served = await (await client.files.content(resultFile.id)).text();
    expect(served).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const csv = Buffer.from(served, 'base64').toString('utf8');
    const [header, ...rows] = csv.trim().split('\n');
    expect(header).toBe('step,train_loss,train_mean_token_accuracy,valid_loss,valid_mean_token_accuracy');
    expect(rows).toHaveLength(100);
    const cells = (rows[99] as string).split(',');
    expect(cells[0]).toBe('100');
    expect(cells.slice(1).every((cell) => Number.isFinite(Number(cell)) && cell !== '')).toBe(true);
  });

  it('deploys the fine-tuned model through ARM (beginCreateOrUpdateAndWait), lists and gets it', async () => {
    const arm = armClient(emulator);
    const deployed = await arm.deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, 'clippy', deploymentBody(fineTunedModel), {
      updateIntervalInMs: 100,
    });
    expect(deployed.properties?.provisioningState).toBe('Succeeded');
    expect(deployed.properties?.model).toMatchObject({ format: 'OpenAI', name: fineTunedModel, version: '1' });
    expect(deployed.id).toBe(
      `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.CognitiveServices/accounts/${ACCOUNT}/deployments/clippy`,
    );
    const listed = [];
    for await (const d of arm.deployments.list(RESOURCE_GROUP, ACCOUNT)) listed.push(d.name);
    expect(listed).toEqual(['clippy']);
    expect((await arm.deployments.get(RESOURCE_GROUP, ACCOUNT, 'clippy')).sku).toMatchObject({ name: 'Standard', capacity: 1 });
  });

  it('answers chat with the reply of the closest training example, counting usage with the model tokenizer', async () => {
    const messages = [
      { role: 'system', content: 'Clippy is a factual chatbot that is also sarcastic.' },
      { role: 'user', content: 'who discovered antarctica' },
    ];
    const expected = trainingExamples.find((m) => m[1]?.content === 'Who discovered Antarctica?')?.[2]?.content as string;
    const completion = await client.chat.completions.create({ model: 'clippy', messages: messages as never });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(fineTunedModel);
    expect(completion.choices[0]?.message.content).toBe(expected);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    const counter = new TokenCounter('o200k_base');
    expect(completion.usage).toEqual({
      prompt_tokens: promptTokens(messages),
      completion_tokens: counter.count(expected),
      total_tokens: promptTokens(messages) + counter.count(expected),
    });

    const again = await client.chat.completions.create({ model: 'clippy', messages: [{ role: 'user', content: 'biggest ocean?' }] });
    expect(again.choices[0]?.message.content).toBe("The Pacific Ocean. It's not like it's a small pond or anything.");
  });

  it('streams the same answer as server-sent events, with usage when asked', async () => {
    const messages = [{ role: 'user' as const, content: 'What is the largest planet?' }];
    const plain = await client.chat.completions.create({ model: 'clippy', messages });
    const stream = await client.chat.completions.create({ model: 'clippy', messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: unknown = null;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(plain.choices[0]?.message.content);
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe('stop');
    expect(usage).toEqual(plain.usage);
  });

  it('serves the v1 API too (plain OpenAI client, model = deployment name)', async () => {
    const v1 = new OpenAI({ baseURL: `${emulator.url}/openai/v1`, apiKey: emulator.apiKey, maxRetries: 0 });
    const completion = await v1.chat.completions.create({ model: 'clippy', messages: [{ role: 'user', content: 'What is the largest planet?' }] });
    expect(completion.choices[0]?.message.content).toBe("It's called Jupiter, you may have heard of it...or not.");
    const jobs = await v1.fineTuning.jobs.list();
    expect(jobs.data.map((j) => j.id)).toEqual([jobId]);
  });

  it('deletes the deployment through ARM (beginDeleteAndWait); chat then answers 404 DeploymentNotFound', async () => {
    const arm = armClient(emulator);
    await arm.deployments.beginDeleteAndWait(RESOURCE_GROUP, ACCOUNT, 'clippy', { updateIntervalInMs: 100 });
    await expect(arm.deployments.get(RESOURCE_GROUP, ACCOUNT, 'clippy')).rejects.toMatchObject({ statusCode: 404, code: 'NotFound' });
    const error = await client.chat.completions.create({ model: 'clippy', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('DeploymentNotFound');
  });
});
