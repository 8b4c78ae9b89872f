/** Shared set-up for the emulator tests: real SDK clients pointed at an emulator on 127.0.0.1. */
import { createReadStream } from 'node:fs';
import type { TokenCredential } from '@azure/identity';
import { AzureOpenAI } from 'openai';
import { createCognitiveServicesClient } from '../../../src/azure/arm-client.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../../dev/aoai-emulator/index.js';

export const DATASETS = '/work/shared/datasets';
export const TRAINING = `${DATASETS}/training_set.jsonl`;
export const VALIDATION = `${DATASETS}/validation_set.jsonl`;
export const API_VERSION = '2024-10-21';
export const BASE_MODEL = 'gpt-4o-mini-2024-07-18';
export const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
export const RESOURCE_GROUP = 'rg-finetune';
export const ACCOUNT = 'aoai-finetune';

/** Short timings keep the suite fast; every wait below polls with a deadline instead of sleeping. */
export const FAST: EmulatorOptions = { jobSeconds: 2, deploySeconds: 1, fileProcessingSeconds: 0.2, seed: 7 };

export const testCredential: TokenCredential = {
  getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 60 * 60 * 1000 }),
};

export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ ...FAST, port: 0, host: '127.0.0.1', apiKey: 'test-key', ...options });
}

export function openaiClient(emulator: RunningEmulator, overrides: { apiKey?: string; maxRetries?: number } = {}): AzureOpenAI {
  return new AzureOpenAI({
    endpoint: emulator.url,
    apiKey: overrides.apiKey ?? emulator.apiKey,
    apiVersion: API_VERSION,
    maxRetries: overrides.maxRetries ?? 0,
  });
}

export function armClient(emulator: RunningEmulator, maxRetries = 0): ReturnType<typeof createCognitiveServicesClient> {
  return createCognitiveServicesClient({
    subscriptionId: SUBSCRIPTION,
    credential: testCredential,
    endpoint: emulator.url,
    clientOptions: { retryOptions: { maxRetries } },
  });
}

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function uploadProcessed(client: AzureOpenAI, path: string): Promise<string> {
  const created = await client.files.create({ file: createReadStream(path), purpose: 'fine-tune' });
  const done = await client.files.waitForProcessing(created.id, { pollInterval: 50, maxWait: 10_000 });
  if (done.status !== 'processed') throw new Error(`${path} ended ${done.status}: ${done.status_details}`);
  return created.id;
}

export async function untilJob(client: AzureOpenAI, id: string, statuses: readonly string[]) {
  return until(`job ${id} to be ${statuses.join('/')}`, async () => {
    const job = await client.fineTuning.jobs.retrieve(id);
    return statuses.includes(job.status) ? job : undefined;
  });
}

/** A raw request, for what the SDKs never send (missing credentials or api-version). */
export async function raw(emulator: RunningEmulator, method: string, path: string, init: { headers?: Record<string, string>; body?: unknown } = {}) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, any>) : null };
}

export function deploymentBody(model: string, version = '1') {
  return { sku: { name: 'Standard', capacity: 1 }, properties: { model: { format: 'OpenAI', name: model, version } } };
}

/** The error a request rejected with; fails the test if it succeeded. */
export async function failure<T>(promise: Promise<T>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail');
}
