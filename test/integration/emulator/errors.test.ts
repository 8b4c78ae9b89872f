/** Every error path the issue lists, as the real clients see it. */
import { readFileSync } from 'node:fs';
import { AuthenticationError, AzureOpenAI, BadRequestError, ConflictError, NotFoundError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../dev/aoai-emulator/index.js';
import {
  ACCOUNT,
  API_VERSION,
  armClient,
  BASE_MODEL,
  deploymentBody,
  failure,
  openaiClient,
  raw,
  RESOURCE_GROUP,
  startTestEmulator,
  SUBSCRIPTION,
  TRAINING,
  until,
  untilJob,
  uploadProcessed,
} from './helpers.js';

const DEPLOYMENTS = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.CognitiveServices/accounts/${ACCOUNT}/deployments`;

function upload(client: AzureOpenAI, name: string, text: string) {
  return client.files.create({ file: new File([text], name), purpose: 'fine-tune' });
}

describe('emulator error paths', () => {
  let emulator: RunningEmulator;
  let client: AzureOpenAI;
  let trainingId: string;
  let fineTunedModel: string;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = openaiClient(emulator);
    trainingId = await uploadProcessed(client, TRAINING);
  });
  afterAll(async () => {
    await emulator?.close();
  });

  describe('data-plane authentication and api-version', () => {
    it('rejects a wrong api-key with 401 and Azure’s message', async () => {
      const error = await failure(openaiClient(emulator, { apiKey: 'wrong-key' }).files.list());
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error.status).toBe(401);
      expect(error.error).toMatchObject({ code: '401', message: expect.stringContaining('Access denied due to invalid subscription key') });
    });

    it('rejects a request without credentials, and accepts any bearer token', async () => {
      const anonymous = await raw(emulator, 'GET', `/openai/files?api-version=${API_VERSION}`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body?.['error']?.code).toBe('401');
      const entra = new AzureOpenAI({ endpoint: emulator.url, apiVersion: API_VERSION, azureADTokenProvider: async () => 'any-entra-token' });
      expect((await entra.files.list()).data.length).toBeGreaterThan(0);
    });

    it('answers 404 without api-version and 400 for an unsupported one', async () => {
      const missing = await raw(emulator, 'GET', '/openai/files', { headers: { 'api-key': emulator.apiKey } });
      expect(missing.status).toBe(404);
      expect(missing.body?.['error']).toMatchObject({ code: '404', message: expect.stringContaining('api-version') });
      const bad = await raw(emulator, 'GET', '/openai/files?api-version=yesterday', { headers: { 'api-key': emulator.apiKey } });
      expect(bad.status).toBe(400);
      expect(bad.body?.['error']).toMatchObject({ code: 'BadRequest', param: 'api-version' });
      const v1 = await raw(emulator, 'GET', '/openai/v1/files', { headers: { 'api-key': emulator.apiKey } });
      expect(v1.status).toBe(200);
      const preview = new AzureOpenAI({ endpoint: emulator.url, apiKey: emulator.apiKey, apiVersion: '2025-04-01-preview', maxRetries: 0 });
      expect((await preview.files.list()).data.length).toBeGreaterThan(0);
    });
  });

  describe('files', () => {
    it('ends an invalid JSONL file in status error, with the findings in status_details', async () => {
      const text = ['{"messages": [{"role": "user", "content": "hi"}]}', 'not json', '{"messages": [{"role": "robot", "content": "x"}]}'].join('\n');
      const created = await upload(client, 'broken.jsonl', text);
      expect(created.status).toBe('pending');
      const done = await client.files.waitForProcessing(created.id, { pollInterval: 50, maxWait: 10_000 });
      expect(done.status).toBe('error');
      expect(done.status_details).toMatch(/^Validation of jsonl file failed: /);
      // Line 1 is well-formed (an example without an assistant turn is refused at job creation, not upload).
      expect(done.status_details).not.toContain('line 1');
      expect(done.status_details).toContain('line 2: not valid JSON');
      expect(done.status_details).toContain('line 3: messages[0].role must be one of');
    });

    it('rejects an upload without purpose, and answers 404 for a deleted file', async () => {
      const form = new FormData();
      form.set('file', new File(['{}'], 'x.jsonl'));
      const response = await fetch(`${emulator.url}/openai/files?api-version=${API_VERSION}`, { method: 'POST', headers: { 'api-key': emulator.apiKey }, body: form });
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error).toMatchObject({ code: 'invalidPayload', param: 'purpose' });

      const id = await uploadProcessed(client, TRAINING);
      expect(await client.files.delete(id)).toMatchObject({ id, deleted: true });
      const error = await failure(client.files.retrieve(id));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.error).toMatchObject({ code: 'notFound', message: expect.stringContaining(id) });
    });
  });

  describe('fine-tuning job creation', () => {
    it('rejects a model that cannot be fine-tuned, including an unversioned alias', async () => {
      for (const model of ['gpt-5-ultra', 'gpt-4o-mini']) {
        const error = await failure(client.fineTuning.jobs.create({ model, training_file: trainingId }));
        expect(error).toBeInstanceOf(BadRequestError);
        expect(error.error).toMatchObject({ code: 'invalidPayload', param: 'model', message: expect.stringContaining('does not support fine-tuning') });
      }
    });

    it('rejects missing, unprocessed and failed files, naming the field', async () => {
      const missing = await failure(client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: 'file-doesnotexist' }));
      expect(missing.error).toMatchObject({ code: 'invalidPayload', param: 'training_file', message: expect.stringContaining('does not exist') });

      await raw(emulator, 'PATCH', '/__emulator/config', { body: { fileProcessingSeconds: 30 } });
      const slow = await upload(client, 'slow.jsonl', readFileSync(TRAINING, 'utf8'));
      await raw(emulator, 'PATCH', '/__emulator/config', { body: { fileProcessingSeconds: 0.2 } });
      const pending = await failure(client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: trainingId, validation_file: slow.id }));
      expect(pending.error).toMatchObject({ param: 'validation_file', message: expect.stringContaining("not processed yet (status 'pending')") });

      const broken = await upload(client, 'broken.jsonl', 'nonsense');
      await client.files.waitForProcessing(broken.id, { pollInterval: 50 });
      const failed = await failure(client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: broken.id }));
      expect(failed.error).toMatchObject({ param: 'training_file', message: expect.stringContaining('failed processing') });
    });

    it('rejects a training file with fewer than 10 examples and bad hyperparameters', async () => {
      const five = readFileSync(TRAINING, 'utf8').split('\n').slice(0, 5).join('\n');
      const small = await upload(client, 'small.jsonl', five);
      await client.files.waitForProcessing(small.id, { pollInterval: 50 });
      const error = await failure(client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: small.id }));
      expect(error.error.message).toContain('has 5 examples; fine-tuning requires at least 10');

      const epochs = await failure(client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: trainingId, hyperparameters: { n_epochs: 0 } }));
      expect(epochs.error).toMatchObject({ code: 'invalidPayload', param: 'hyperparameters.n_epochs' });
      const suffix = await failure(client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: trainingId, suffix: 'has spaces' }));
      expect(suffix.error.param).toBe('suffix');
    });
  });

  describe('fine-tuning job lifecycle', () => {
    it('runs at most 3 jobs at a time (Azure quota): the fourth stays pending until one is done', async () => {
      const create = () => client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: trainingId, method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 1 } } } });
      const jobs = [await create(), await create(), await create(), await create()];
      for (const job of jobs.slice(0, 3)) await untilJob(client, job.id, ['running']);
      const fourth = jobs[3]!;
      expect((await client.fineTuning.jobs.retrieve(fourth.id)).status).toBe('pending');
      const firstDone = await untilJob(client, jobs[0]!.id, ['succeeded']);
      const fourthDone = await untilJob(client, fourth.id, ['succeeded']);
      fineTunedModel = firstDone.fine_tuned_model as string;
      const started = (await client.fineTuning.jobs.listEvents(fourth.id, { limit: 100 })).data.find((e) => e.message === 'Job started.');
      expect(started?.created_at).toBeGreaterThanOrEqual(firstDone.finished_at as number);
      expect(fourthDone.fine_tuned_model).not.toBe(fineTunedModel);
    });

    it('accepts an earlier fine-tuned model as the model to continue training', async () => {
      const job = await client.fineTuning.jobs.create({ model: fineTunedModel, training_file: trainingId, hyperparameters: { n_epochs: 1 } });
      expect(job.model).toBe(fineTunedModel);
      await client.fineTuning.jobs.cancel(job.id);
    });

    it('cancels a job; cancelling it again is a 409 conflict', async () => {
      const job = await client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: trainingId });
      const cancelled = await client.fineTuning.jobs.cancel(job.id);
      expect(cancelled.status).toBe('cancelled');
      const events = await client.fineTuning.jobs.listEvents(job.id);
      expect(events.data[0]?.message).toBe('Job cancelled.');
      const again = await failure(client.fineTuning.jobs.cancel(job.id));
      expect(again).toBeInstanceOf(ConflictError);
      expect(again.error.code).toBe('unexpectedEntityState');
      const unknown = await failure(client.fineTuning.jobs.retrieve('ftjob-unknown'));
      expect(unknown).toBeInstanceOf(NotFoundError);
    });

    it('lists jobs newest first with after/limit pagination', async () => {
      const firstPage = await client.fineTuning.jobs.list({ limit: 2 });
      expect(firstPage.data).toHaveLength(2);
      expect(firstPage.has_more).toBe(true);
      const all = [];
      for await (const job of client.fineTuning.jobs.list({ limit: 2 })) all.push(job);
      expect(all).toHaveLength(6);
      expect(all.slice(0, 2).map((j) => j.id)).toEqual(firstPage.data.map((j) => j.id));
      expect(all.map((j) => j.created_at)).toEqual([...all.map((j) => j.created_at)].sort((a, b) => b - a));
      const next = await client.fineTuning.jobs.list({ limit: 2, after: firstPage.data[1]!.id });
      expect(next.data.map((j) => j.id)).toEqual(all.slice(2, 4).map((j) => j.id));
    });
  });

  describe('chat completions', () => {
    it('answers 404 DeploymentNotFound for an unknown deployment and 400 for bad messages', async () => {
      const unknown = await failure(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'hi' }] }));
      expect(unknown).toBeInstanceOf(NotFoundError);
      expect(unknown.error).toMatchObject({ code: 'DeploymentNotFound', message: expect.stringContaining('does not exist') });

      await armClient(emulator).deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, 'base', deploymentBody('gpt-4o-mini', '2024-07-18'), {
        updateIntervalInMs: 100,
      });
      const bad = await failure(client.chat.completions.create({ model: 'base', messages: [] }));
      expect(bad).toBeInstanceOf(BadRequestError);
      expect(bad.error.param).toBe('messages');
      const answer = await client.chat.completions.create({ model: 'base', messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 3 });
      expect(answer.choices[0]?.finish_reason).toBe('length');
      expect(answer.usage?.completion_tokens).toBeLessThanOrEqual(3);
    });
  });

  describe('management plane', () => {
    it('requires a bearer token and an api-version', async () => {
      const anonymous = await raw(emulator, 'GET', `${DEPLOYMENTS}?api-version=2024-10-01`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body?.['error']?.code).toBe('AuthenticationFailed');
      const noVersion = await raw(emulator, 'GET', DEPLOYMENTS, { headers: { authorization: 'Bearer t' } });
      expect(noVersion.status).toBe(400);
      expect(noVersion.body?.['error']?.code).toBe('MissingApiVersionParameter');
    });

    it('rejects a model that is neither a base model nor a succeeded fine-tuned model', async () => {
      const arm = armClient(emulator);
      for (const name of [`${BASE_MODEL}.ft-0123456789abcdef0123456789abcdef`, 'my-own-model']) {
        const error = await failure(arm.deployments.beginCreateOrUpdate(RESOURCE_GROUP, ACCOUNT, 'bad', deploymentBody(name)));
        expect(error.statusCode).toBe(400);
        expect(error.code).toBe('DeploymentModelNotSupported');
      }
      const noSku = await failure(arm.deployments.beginCreateOrUpdate(RESOURCE_GROUP, ACCOUNT, 'bad', { properties: { model: { name: fineTunedModel } } }));
      expect(noSku.code).toBe('InvalidResourceProperties');
      expect(noSku.message).toContain('sku');
    });

    it('refuses to change the model of an existing deployment (CannotChangeDeploymentModel); a capacity update keeps serving', async () => {
      const arm = armClient(emulator);
      const question = { role: 'user' as const, content: 'What is the biggest ocean?' };
      const swap = await failure(arm.deployments.beginCreateOrUpdate(RESOURCE_GROUP, ACCOUNT, 'base', deploymentBody(fineTunedModel)));
      expect(swap.statusCode).toBe(400);
      expect(swap.code).toBe('CannotChangeDeploymentModel');
      expect(swap.message).toBe('The model of deployment cannot be changed.');
      // A longer provisioning time leaves room to observe the update in progress on a busy machine.
      await raw(emulator, 'PATCH', '/__emulator/config', { body: { deploySeconds: 3 } });
      const body = deploymentBody('gpt-4o-mini', '2024-07-18');
      const poller = await arm.deployments.beginCreateOrUpdate(RESOURCE_GROUP, ACCOUNT, 'base', { ...body, sku: { name: 'Standard', capacity: 2 } }, { updateIntervalInMs: 100 });
      await raw(emulator, 'PATCH', '/__emulator/config', { body: { deploySeconds: 1 } });
      expect((await arm.deployments.get(RESOURCE_GROUP, ACCOUNT, 'base')).properties?.provisioningState).toBe('Accepted');
      expect((await client.chat.completions.create({ model: 'base', messages: [question] })).model).toBe('gpt-4o-mini');
      const updated = await poller.pollUntilDone();
      expect(updated).toMatchObject({ sku: { capacity: 2 }, properties: { provisioningState: 'Succeeded', model: { name: 'gpt-4o-mini' } } });
    });

    it('allows at most 10 fine-tuned deployments per account, with Azure’s quota error', async () => {
      const arm = armClient(emulator);
      await Promise.all(
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) =>
          arm.deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, `ft-${n}`, deploymentBody(fineTunedModel), { updateIntervalInMs: 100 }),
        ),
      );
      const error = await failure(arm.deployments.beginCreateOrUpdate(RESOURCE_GROUP, ACCOUNT, 'ft-11', deploymentBody(fineTunedModel)));
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe('InsufficientQuota');
      expect(error.message).toContain('quota limit is 10');
      // Another account has its own quota.
      const other = await arm.deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, 'other-account', 'ft-5', deploymentBody(fineTunedModel), {
        updateIntervalInMs: 100,
      });
      expect(other.properties?.provisioningState).toBe('Succeeded');
      // 'base' (a base model, outside the fine-tuned quota) and ft-1 … ft-10.
      await until('the deployment list to show 11', async () => {
        const names = [];
        for await (const d of arm.deployments.list(RESOURCE_GROUP, ACCOUNT)) names.push(d.name);
        return names.length === 11 ? names : undefined;
      });
    });
  });
});
