/**
 * POST /api/v1/chat/completions end to end: the real built app in dev/host, Azurite for the
 * deployment registry, the Azure OpenAI emulator behind a pass-through relay, and the official
 * `openai` client pointed at the app with `baseURL = <app>/api/v1`.
 */
import OpenAI from 'openai';
import path from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../dev/host/index.js';
import { CONFIG_PATH, type RunningEmulator } from '../../../dev/aoai-emulator/index.js';
import { recordDeployment } from '../../../src/runs/deployment-registry.js';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { collectingLogger } from '../../support/collecting-logger.js';
import { startRelay, type RunningRelay } from '../../support/sse-relay.js';
import { sleep } from '../../support/wait.js';
import { ACCOUNT, armClient, BASE_MODEL, deploymentBody, failure, RESOURCE_GROUP, startTestEmulator, SUBSCRIPTION } from '../emulator/helpers.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const FUNCTION_KEY = 'chat-fn-key';
const LIMITS = { CHAT_MAX_BODY_BYTES: '4096', CHAT_MAX_MESSAGES: '5', CHAT_MAX_TOKENS: '100' };

describe('POST /api/v1/chat/completions', () => {
  let azurite: RunningAzurite;
  let emulator: RunningEmulator;
  let relay: RunningRelay;
  let host: RunningHost;
  let runs: ContainerClient;
  let client: OpenAI;
  const logger = collectingLogger();
  const savedEnv = { ...process.env };
  const url = () => `${host.url}/api/v1/chat/completions`;

  const deploy = async (deploymentName: string, dataset: string): Promise<void> => {
    await armClient(emulator).deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, deploymentName, deploymentBody(BASE_MODEL, '2024-07-18'), {
      updateIntervalInMs: 50,
    });
    await recordDeployment(runs, { deploymentName, dataset, model: BASE_MODEL, runId: `${dataset}-0001`, updatedAt: new Date().toISOString() });
  };
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-functions-key': FUNCTION_KEY, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const errorOf = async (response: Response) => ((await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } }).error;
  const emulatorConfig = (patch: Record<string, unknown>) =>
    fetch(`${emulator.url}${CONFIG_PATH}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) });
  const hello = [{ role: 'user' as const, content: 'Hello, who are you?' }];

  beforeAll(async () => {
    [azurite, emulator] = await Promise.all([startAzurite(), startTestEmulator({ deploySeconds: 0.1 })]);
    relay = await startRelay(emulator.url);
    Object.assign(process.env, {
      AzureWebJobsStorage: azurite.connectionString,
      AZURE_OPENAI_ENDPOINT: relay.url,
      AZURE_OPENAI_API_KEY: emulator.apiKey,
      ARM_ENDPOINT: emulator.url,
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
      AZURE_RESOURCE_GROUP: RESOURCE_GROUP,
      AZURE_OPENAI_ACCOUNT: ACCOUNT,
      ...LIMITS,
    });
    runs = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('runs');
    await runs.createIfNotExists();
    await deploy('sarcasm-bot', 'sarcasm');
    host = await startHost({ app: repoRoot, port: 0, logger, keys: { master: 'chat-master-key', function: [FUNCTION_KEY] } });
    client = new OpenAI({ baseURL: `${host.url}/api/v1`, apiKey: 'not-used', defaultHeaders: { 'x-functions-key': FUNCTION_KEY }, maxRetries: 0 });
  });
  afterAll(async () => {
    await host?.stop();
    await relay?.close();
    await emulator?.close();
    await azurite?.stop();
    process.env = savedEnv;
  });

  it('answers a plain chat through the openai client, by alias, with usage and the fine-tuned model', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'sarcasm', messages: hello, temperature: 0.2, max_tokens: 50 }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe(BASE_MODEL);
    expect(data.choices[0]?.message.role).toBe('assistant');
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0));
    expect(response.headers.get('x-ftpipe-deployment')).toBe('sarcasm-bot');
  });

  it('resolves a deployment name too, and a deployment recorded a moment ago without waiting for the cache', async () => {
    expect((await client.chat.completions.create({ model: 'sarcasm-bot', messages: hello })).choices[0]?.message.content).toBeTruthy();
    await deploy('fresh-model', 'fresh');
    const { response } = await client.chat.completions.create({ model: 'fresh', messages: hello }).withResponse();
    expect(response.headers.get('x-ftpipe-deployment')).toBe('fresh-model');
  });

  it('streams with the openai client: role first, content pieces, finish reason, usage; [DONE] ends it', async () => {
    const stream = await client.chat.completions.create({ model: 'sarcasm', messages: hello, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const withChoices = chunks.filter((c) => c.choices.length > 0);
    expect(withChoices[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = withChoices.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text.length).toBeGreaterThan(0);
    expect(withChoices.filter((c) => (c.choices[0]?.delta.content ?? '') !== '').length).toBeGreaterThan(1);
    expect(withChoices.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
    // The same answer as a plain request (the emulator answers deterministically).
    const plain = await client.chat.completions.create({ model: 'sarcasm', messages: hello });
    expect(text).toBe(plain.choices[0]?.message.content);
  });

  it('sends each event as it arrives: the first reaches the caller while the upstream is still held', async () => {
    let release!: () => void;
    relay.mode = { kind: 'hold', release: new Promise<void>((resolve) => (release = resolve)) };
    try {
      const response = await post({ model: 'sarcasm', messages: hello, stream: true });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const reader = response.body!.getReader();
      // Buffering would hold the first read until the release; fail fast with a clear reason instead.
      const firstRead = await Promise.race([reader.read(), sleep(5_000).then(() => 'timed out' as const)]);
      if (firstRead === 'timed out') throw new Error('no event reached the caller while the upstream was held: the response is buffered');
      const first = new TextDecoder().decode(firstRead.value);
      expect(first).toMatch(/^data: \{.*\}\n\n$/s);
      release();
      let rest = '';
      for (let part = await reader.read(); !part.done; part = await reader.read()) rest += new TextDecoder().decode(part.value);
      expect(rest.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(rest.split('\n\n').filter(Boolean).every((e) => e.startsWith('data: '))).toBe(true);
    } finally {
      release();
      relay.mode = { kind: 'pass' };
    }
  });

  it('ends a stream whose upstream dies midway with an SSE error event, which the openai client raises', async () => {
    relay.mode = { kind: 'cut', afterEvents: 3 };
    try {
      const response = await post({ model: 'sarcasm', messages: hello, stream: true });
      const text = await response.text();
      const events = text.split('\n\n').filter(Boolean);
      expect(events.length).toBe(4);
      expect(text).not.toContain('[DONE]');
      const last = JSON.parse(events.at(-1)!.slice('data: '.length)) as { error: { type: string; code: string } };
      expect(last.error).toMatchObject({ type: 'api_error', code: 'upstream_unavailable' });

      const stream = await client.chat.completions.create({ model: 'sarcasm', messages: hello, stream: true });
      const error = await failure((async () => {
        for await (const _ of stream) void _;
      })());
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(String(error.message)).toMatch(/could not be reached/);
    } finally {
      relay.mode = { kind: 'pass' };
    }
  });

  it('answers an unknown model with 404 model_not_found naming it and the known aliases', async () => {
    const error = await failure(client.chat.completions.create({ model: 'no-such-model', messages: hello }));
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe('model_not_found');
    expect(error.param).toBe('model');
    expect(error.message).toMatch(/'no-such-model' does not exist/);
    expect(error.message).toMatch(/sarcasm/);
  });

  it.each([
    ['not json', '{"model": "sarcasm", "messages": [', null, /not valid JSON/],
    ['missing messages', { model: 'sarcasm' }, 'messages', /Missing required parameter: 'messages'/],
    ['messages not a list', { model: 'sarcasm', messages: 'hi' }, 'messages', /expected an array/],
    ['message without role', { model: 'sarcasm', messages: [{ content: 'hi' }] }, 'messages[0].role', /messages\[0\]\.role/],
    ['message without content', { model: 'sarcasm', messages: [{ role: 'system', content: 'x' }, { role: 'user' }] }, 'messages[1].content', /messages\[1\]\.content/],
    ['unknown role', { model: 'sarcasm', messages: [{ role: 'robot', content: 'hi' }] }, 'messages[0].role', /expected one of/],
    ['missing model', { messages: hello }, 'model', /'model'/],
    ['temperature of the wrong type', { model: 'sarcasm', messages: hello, temperature: 'hot' }, 'temperature', /'temperature'/],
    ['stream not a boolean', { model: 'sarcasm', messages: hello, stream: 'yes' }, 'stream', /'stream'/],
    ['too many messages', { model: 'sarcasm', messages: Array.from({ length: 6 }, () => hello[0]) }, 'messages', /at most 5/],
    ['max_tokens over the limit', { model: 'sarcasm', messages: hello, max_tokens: 101 }, 'max_tokens', /at most 100/],
    ['max_completion_tokens over the limit', { model: 'sarcasm', messages: hello, max_completion_tokens: 5000 }, 'max_completion_tokens', /at most 100/],
  ])('answers 400 naming the field: %s', async (_name, body, param, message) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it('the openai client sees a 400 as BadRequestError with the field', async () => {
    const error = await failure(client.chat.completions.create({ model: 'sarcasm', messages: hello, max_tokens: 1000 }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe('max_tokens');
  });

  it('answers 413 for a body over CHAT_MAX_BODY_BYTES', async () => {
    const response = await post({ model: 'sarcasm', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toMatchObject({ type: 'invalid_request_error', code: 'request_too_large' });
  });

  it('passes an upstream 429 through with Retry-After, and an upstream 500 as 502', async () => {
    await emulatorConfig({ rateLimitFraction: 1, retryAfterSeconds: 7 });
    try {
      const response = await post({ model: 'sarcasm', messages: hello });
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      const error = await errorOf(response);
      expect(error.type).toBe('rate_limit_error');
      expect(error.message).toMatch(/exceeded call rate limit/);
      const streamed = await failure(client.chat.completions.create({ model: 'sarcasm', messages: hello, stream: true }));
      expect(streamed).toBeInstanceOf(OpenAI.RateLimitError);
    } finally {
      await emulatorConfig({ rateLimitFraction: 0, retryAfterSeconds: 1 });
    }
    await emulatorConfig({ serverErrorFraction: 1 });
    try {
      const response = await post({ model: 'sarcasm', messages: hello });
      expect(response.status).toBe(502);
      expect(await errorOf(response)).toMatchObject({ type: 'api_error', code: 'upstream_error' });
    } finally {
      await emulatorConfig({ serverErrorFraction: 0 });
    }
  });

  it('passes an upstream 4xx through with its status and message (deployment recorded but gone)', async () => {
    await recordDeployment(runs, { deploymentName: 'deleted-model', dataset: 'deleted', model: BASE_MODEL, runId: 'deleted-0001', updatedAt: new Date().toISOString() });
    const response = await post({ model: 'deleted', messages: hello });
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatchObject({ code: 'DeploymentNotFound', message: expect.stringMatching(/deployment/) });
  });

  it('requires the function key (x-functions-key), and never logs the upstream key', async () => {
    expect((await fetch(url(), { method: 'POST', body: JSON.stringify({ model: 'sarcasm', messages: hello }) })).status).toBe(401);
    const anonymous = new OpenAI({ baseURL: `${host.url}/api/v1`, apiKey: 'not-used', maxRetries: 0 });
    expect(await failure(anonymous.chat.completions.create({ model: 'sarcasm', messages: hello }))).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await post({ model: 'sarcasm', messages: hello }, { 'x-functions-key': 'chat-master-key' })).status).toBe(200);
    expect(logger.lines.some((l) => l.includes('chat: sarcasm -> sarcasm-bot 200'))).toBe(true);
    expect(logger.lines.some((l) => l.includes(emulator.apiKey))).toBe(false);
  });
  it('a deeply nested body is a clear 400 (not a 502 "could not be reached"), and the refusal is logged', async () => {
    const depth = 1500; // ~3 KB: inside the body limit; parses fine, too deep to forward safely
    const body = `{"model":"sarcasm","messages":[{"role":"user","content":"hi"}],"metadata":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ type: 'invalid_request_error', code: 'nesting_too_deep', message: expect.stringMatching(/nested more than 100 levels/) });
    expect(logger.lines.some((l) => /chat: 400 nesting_too_deep/.test(l))).toBe(true);
  });
});
