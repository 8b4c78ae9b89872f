/**
 * src/services.ts builds every client of the app. Quick retries are the SDKs' own now (the
 * activities no longer loop): the activities' openai and ARM clients make SDK_QUICK_RETRIES more
 * attempts of a failing request, the chat proxy's client none. Checked against a local server that
 * answers every request 503 (with a tiny Retry-After, which both SDKs honour).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: Server;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`);
    req.resume();
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after-ms': '1', 'retry-after': '0' }).end(JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'down' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    AZURE_OPENAI_ENDPOINT: url,
    AZURE_OPENAI_API_KEY: 'test-key',
    ARM_ENDPOINT: url,
    AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
    AZURE_RESOURCE_GROUP: 'rg',
    AZURE_OPENAI_ACCOUNT: 'acct',
    SDK_QUICK_RETRIES: '2',
  });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('getServices: one place builds the clients, with the SDKs doing the quick retries', () => {
  it('the activities\' openai client tries a failing request 1 + SDK_QUICK_RETRIES times', async () => {
    const { getServices } = await import('../../src/services.js');
    seen.length = 0;
    await expect(getServices().openai.files.list()).rejects.toMatchObject({ status: 503 });
    expect(seen.filter((s) => s.endsWith('/openai/files'))).toHaveLength(3);
  });

  it('the chat proxy\'s client does not retry: the caller sees the failure at once', async () => {
    const { getServices } = await import('../../src/services.js');
    seen.length = 0;
    await expect(getServices().chatOpenai.chat.completions.create({ model: 'd', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(1);
  });

  it('the ARM client uses the Azure SDK retry policy with SDK_QUICK_RETRIES retries', async () => {
    const { getServices } = await import('../../src/services.js');
    seen.length = 0;
    await expect(getServices().arm.deployments.get('rg', 'acct', 'dep')).rejects.toMatchObject({ statusCode: 503 });
    expect(seen.filter((s) => s.includes('/deployments/dep'))).toHaveLength(3);
  }, 30_000);

  it('is built once and reused (connection pools, token caches)', async () => {
    const { getServices } = await import('../../src/services.js');
    expect(getServices()).toBe(getServices());
    expect(getServices().openai).toBe(getServices().openai);
    expect(getServices().openai).not.toBe(getServices().chatOpenai);
  });
});
