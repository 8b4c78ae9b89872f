/**
 * What the chat endpoint writes to the host's log per request, under the host.json log levels the
 * user picks (dev/host applies `logging.logLevel` as the Functions host does), and that answers
 * reach the caller as the exact bytes Azure OpenAI sent. The real built app in dev/host, Azurite
 * for the registry, the emulator behind a recording proxy (which keeps the upstream bytes).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type HostLogger, type RunningHost } from '../../../dev/host/index.js';
import type { RunningEmulator } from '../../../dev/aoai-emulator/index.js';
import { recordDeployment } from '../../../src/runs/deployment-registry.js';
import { startAzurite, type RunningAzurite } from '../../support/azurite.js';
import { startRecordingProxy, type RecordingProxy } from '../../support/recording-proxy.js';
import { ACCOUNT, armClient, BASE_MODEL, deploymentBody, RESOURCE_GROUP, startTestEmulator, SUBSCRIPTION } from '../emulator/helpers.js';
import { tempDir } from '../../support/temp-dir.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const FUNCTION_KEY = 'chat-log-key';

/** A directory holding only a host.json with these log levels (startHost's appRoot). */
const hostJsonWith = (logLevel: Record<string, string>): string => {
  const dir = tempDir('chat-log-levels-');
  writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ version: '2.0', logging: { logLevel } }));
  return dir;
};

describe('chat endpoint: log lines per request and bytes forwarded', () => {
  let azurite: RunningAzurite;
  let emulator: RunningEmulator;
  let proxy: RecordingProxy;
  let host: RunningHost | undefined;
  const savedEnv = { ...process.env };
  // No `debug` method: the host's execution lines come out at info, so only host.json filters them.
  const lines: { level: 'info' | 'warn' | 'error'; text: string }[] = [];
  const logger: HostLogger = {
    info: (text) => void lines.push({ level: 'info', text }),
    warn: (text) => void lines.push({ level: 'warn', text }),
    error: (text) => void lines.push({ level: 'error', text }),
  };

  const start = async (appRoot: string): Promise<RunningHost> => {
    host = await startHost({ app: repoRoot, appRoot, port: 0, logger, keys: { master: 'chat-log-master', function: [FUNCTION_KEY] }, eventGrid: false });
    lines.length = 0; // start-up lines are not per request
    return host;
  };
  const chat = async (running: RunningHost, body: Record<string, unknown>): Promise<{ status: number; bytes: Buffer }> => {
    const response = await fetch(`${running.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-functions-key': FUNCTION_KEY },
      body: JSON.stringify({ model: 'sarcasm', messages: [{ role: 'user', content: 'Hello, who are you?' }], max_tokens: 30, ...body }),
    });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  /** The one log line of a request, if any, is written before its answer ends; give stragglers a moment anyway. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  beforeAll(async () => {
    [azurite, emulator] = await Promise.all([startAzurite(), startTestEmulator({ deploySeconds: 0.1 })]);
    proxy = await startRecordingProxy();
    proxy.setTarget(emulator.url);
    Object.assign(process.env, {
      AzureWebJobsStorage: azurite.connectionString,
      AZURE_OPENAI_ENDPOINT: proxy.url,
      AZURE_OPENAI_API_KEY: emulator.apiKey,
      ARM_ENDPOINT: emulator.url,
      AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
      AZURE_RESOURCE_GROUP: RESOURCE_GROUP,
      AZURE_OPENAI_ACCOUNT: ACCOUNT,
    });
    const runs = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('runs');
    await runs.createIfNotExists();
    await armClient(emulator).deployments.beginCreateOrUpdateAndWait(RESOURCE_GROUP, ACCOUNT, 'sarcasm-bot', deploymentBody(BASE_MODEL, '2024-07-18'), { updateIntervalInMs: 50 });
    await recordDeployment(runs, { deploymentName: 'sarcasm-bot', dataset: 'sarcasm', model: BASE_MODEL, runId: 'sarcasm-0001', updatedAt: new Date().toISOString() });
  });
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });
  afterAll(async () => {
    await proxy?.close();
    await emulator?.close();
    await azurite?.stop();
    process.env = savedEnv;
  });

  it("with the app's host.json: exactly one Information line per request, streamed or not, and nothing at Warning", async () => {
    const running = await start(repoRoot);
    const requests = [{}, { stream: true }, {}, { stream: true }, {}];
    for (const body of requests) expect((await chat(running, body)).status).toBe(200);
    await settle();
    expect(lines).toHaveLength(requests.length);
    for (const [i, line] of lines.entries()) {
      expect(line.level).toBe('info');
      expect(line.text).toMatch(new RegExp(`^chat: sarcasm -> sarcasm-bot 200${'stream' in requests[i]! ? ' \\(stream\\)' : ''} in \\d+ ms$`));
    }
  });

  it('honours the level the user sets: the app line off at Warning, the host execution lines on with Function: Information', async () => {
    let running = await start(hostJsonWith({ default: 'Information', 'Function.chatCompletions.User': 'Warning' }));
    expect((await chat(running, {})).status).toBe(200);
    expect((await chat(running, { stream: true })).status).toBe(200);
    expect((await chat(running, { model: 'no-such-model' })).status).toBe(404); // a 4xx is logged at Information
    await settle();
    // Function.chatCompletions inherits default (Information): only the host's own lines remain.
    expect(lines.map((l) => l.text).filter((t) => !/^Execut(ing|ed) 'Functions\.chatCompletions'/.test(t))).toEqual([]);
    await host!.stop();

    running = await start(hostJsonWith({ Function: 'Information' }));
    expect((await chat(running, {})).status).toBe(200);
    await settle();
    expect(lines.map((l) => l.text.replace(/Id=[0-9a-f-]+|\d+ ?ms/g, '…'))).toEqual([
      "Executing 'Functions.chatCompletions' (Reason='This function was programmatically called via the host APIs.', …)",
      'chat: sarcasm -> sarcasm-bot 200 in …',
      "Executed 'Functions.chatCompletions' (Succeeded, …, Duration=…)",
    ]);
    await host!.stop();

    running = await start(hostJsonWith({ Function: 'None' }));
    expect((await chat(running, {})).status).toBe(200);
    await settle();
    expect(lines).toEqual([]);
  });

  it('forwards the answer as the bytes Azure OpenAI sent, streamed and not', async () => {
    const running = await start(repoRoot);
    for (const body of [{ stream: true }, { stream: true, stream_options: { include_usage: true } }, {}]) {
      proxy.exchanges.length = 0;
      const { status, bytes } = await chat(running, body);
      expect(status).toBe(200);
      const upstream = proxy.exchanges.find((e) => e.url.pathname.endsWith('/chat/completions'));
      expect(upstream?.status).toBe(200);
      expect(bytes.length).toBeGreaterThan(0);
      expect(bytes.equals(upstream!.responseBody)).toBe(true);
    }
  });
});
