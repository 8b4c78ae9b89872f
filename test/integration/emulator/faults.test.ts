/** The fault-injection API (`/__emulator/config` and the same startEmulator options), fault by fault. */
import { InternalServerError, RateLimitError, type AzureOpenAI } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, startEmulator, type RunningEmulator } from '../../../dev/aoai-emulator/index.js';
import {
  ACCOUNT,
  armClient,
  BASE_MODEL,
  deploymentBody,
  failure,
  openaiClient,
  raw,
  RESOURCE_GROUP,
  startTestEmulator,
  TRAINING,
  untilJob,
  uploadProcessed,
} from './helpers.js';

describe('emulator faults', () => {
  let emulator: RunningEmulator;
  let client: AzureOpenAI;
  let trainingId: string;

  const configure = async (patch: Record<string, unknown>) => {
    const response = await raw(emulator, 'PATCH', '/__emulator/config', { body: patch });
    expect(response.status).toBe(200);
    return response.body as Record<string, unknown>;
  };

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = openaiClient(emulator);
    trainingId = await uploadProcessed(client, TRAINING);
  });
  afterEach(async () => {
    await configure({ rateLimitFraction: 0, serverErrorFraction: 0, latencyMs: 0, failNextJob: null, failNextFile: null, failNextDeployment: null });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('shows the configuration (never the api-key) and rejects unknown or invalid settings by name', async () => {
    const shown = await raw(emulator, 'GET', '/__emulator/config');
    expect(shown.body).toMatchObject({ jobSeconds: 2, deploySeconds: 1, fileProcessingSeconds: 0.2, rateLimitFraction: 0 });
    expect(JSON.stringify(shown.body)).not.toContain(emulator.apiKey);
    const unknown = await raw(emulator, 'PATCH', '/__emulator/config', { body: { rateLimitPercent: 5 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body?.['error']).toMatchObject({ code: 'invalidPayload', param: 'rateLimitPercent' });
    const range = await raw(emulator, 'PATCH', '/__emulator/config', { body: { serverErrorFraction: 2 } });
    expect(range.body?.['error']?.message).toContain('serverErrorFraction: expected a fraction between 0 and 1');
  });

  it('answers a fraction of requests 429 with Retry-After', async () => {
    await configure({ rateLimitFraction: 1, retryAfterSeconds: 2 });
    const error = await failure(client.files.list());
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.headers.get('retry-after')).toBe('2');
    expect(error.headers.get('retry-after-ms')).toBe('2000');
    expect(error.error.code).toBe('429');
    const arm = await failure(armClient(emulator).deployments.get(RESOURCE_GROUP, ACCOUNT, 'any'));
    expect(arm.statusCode).toBe(429);
    expect(arm.code).toBe('TooManyRequests');
  });

  it('answers a fraction of requests 500', async () => {
    await configure({ serverErrorFraction: 1 });
    const error = await failure(client.fineTuning.jobs.list());
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(500);
  });

  it('hits about the configured fraction of requests, the same ones for the same seed', async () => {
    const statuses = async (target: RunningEmulator) => {
      await raw(target, 'PATCH', '/__emulator/config', { body: { rateLimitFraction: 0.3 } });
      const seen = [];
      for (let i = 0; i < 40; i++) seen.push((await raw(target, 'GET', '/openai/v1/files', { headers: { 'api-key': target.apiKey } })).status);
      return seen;
    };
    const [a, b] = await Promise.all([startTestEmulator({ seed: 99 }), startTestEmulator({ seed: 99 })]);
    try {
      // Ids are seeded too: the same upload gets the same id on both.
      const [idA, idB] = await Promise.all([a, b].map((target) => uploadProcessed(openaiClient(target), TRAINING)));
      expect(idA).toBe(idB);
      const first = await statuses(a);
      const second = await statuses(b);
      expect(first).toEqual(second);
      expect(first.every((s) => s === 200 || s === 429)).toBe(true);
      const limited = first.filter((s) => s === 429).length;
      expect(limited).toBeGreaterThan(3);
      expect(limited).toBeLessThan(25);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('delays every request by latencyMs', async () => {
    await configure({ latencyMs: 300 });
    const started = Date.now();
    await client.files.list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('fails the next job with the configured code and message, once', async () => {
    await configure({ failNextJob: { code: 'TrainingFailed', message: 'GPU fell over' } });
    const failing = await client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: trainingId, hyperparameters: { n_epochs: 1 } });
    const failed = await untilJob(client, failing.id, ['failed', 'succeeded']);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'TrainingFailed', message: 'GPU fell over' } });
    expect(failed).not.toHaveProperty('fine_tuned_model');
    const events = await client.fineTuning.jobs.listEvents(failing.id);
    expect(events.data[0]).toMatchObject({ level: 'error', message: 'Job failed: GPU fell over' });
    const next = await client.fineTuning.jobs.create({ model: BASE_MODEL, training_file: trainingId, hyperparameters: { n_epochs: 1 } });
    expect((await untilJob(client, next.id, ['failed', 'succeeded'])).status).toBe('succeeded');
  });

  it('fails the processing of the next uploaded file, once', async () => {
    await configure({ failNextFile: { message: 'Storage hiccup while processing the file.' } });
    const file = await client.files.create({ file: new File(['{}'], 'x.jsonl'), purpose: 'fine-tune' });
    const done = await client.files.waitForProcessing(file.id, { pollInterval: 50 });
    expect(done).toMatchObject({ status: 'error', status_details: 'Storage hiccup while processing the file.' });
    expect(await uploadProcessed(client, TRAINING)).toMatch(/^file-/);
  });

  it('fails the next deployment: the poller rejects, the deployment is Failed and does not serve', async () => {
    await configure({ failNextDeployment: true });
    const arm = armClient(emulator);
    const error = await failure(
      arm.deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, 'doomed', deploymentBody('gpt-4o-mini', '2024-07-18'), { updateIntervalInMs: 100 }),
    );
    expect(String(error.message)).toContain('The deployment failed (injected by the emulator).');
    expect((await arm.deployments.get(RESOURCE_GROUP, ACCOUNT, 'doomed')).properties?.provisioningState).toBe('Failed');
    const chat = await failure(client.chat.completions.create({ model: 'doomed', messages: [{ role: 'user', content: 'hi' }] }));
    expect(chat.status).toBe(404);
    // A retry of the same PUT provisions it: the fault was one-shot.
    const retried = await arm.deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, 'doomed', deploymentBody('gpt-4o-mini', '2024-07-18'), {
      updateIntervalInMs: 100,
    });
    expect(retried.properties?.provisioningState).toBe('Succeeded');
  });

  it('takes the same settings as startEmulator options, and rejects bad ones', async () => {
    const faulty = await startTestEmulator({ serverErrorFraction: 1 });
    try {
      expect((await failure(openaiClient(faulty).files.list())).status).toBe(500);
    } finally {
      await faulty.close();
    }
    await expect(startEmulator({ port: 0, rateLimitFraction: 1.5 })).rejects.toThrow('startEmulator: rateLimitFraction');
    expect(DEFAULT_CONFIG.rateLimitFraction).toBe(0);
  });
});
